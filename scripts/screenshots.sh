#!/usr/bin/env bash
# Screenshots of what an applicant receives, taken with headless Chromium (Debian's
# `chromium`, installed if missing) from MailDev, after `bash scripts/demo.sh`:
#
#   docs/img/demo-maildev.png              MailDev's page: the demo's e-mails, one open
#   docs/img/mail-<lang>-<outcome>.png     one approval and one refusal in each language,
#                                          at a phone's width (390 px): the HTML part as
#                                          sent (taken from the message's source in MailDev;
#                                          MailDev's own HTML view drops the charset)
#
# Reads the demo's table (/tmp/trp-demo/table.txt) for the application numbers and finds
# their e-mails through MailDev's REST API (127.0.0.1:1080).
set -euo pipefail
cd "$(dirname "$0")/.."
table=${TRP_DEMO_LOGS:-/tmp/trp-demo}/table.txt
web=http://127.0.0.1:1080
out=docs/img
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v chromium >/dev/null 2>&1; then
  echo "screenshots: installing Debian's chromium" >&2
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends chromium >/dev/null
fi
[ -f "$table" ] || { echo "screenshots: no $table; run bash scripts/demo.sh first" >&2; exit 1; }
mkdir -p "$out"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

shot() { # file width height url
  # --no-sandbox: CI and these machines run as root, which Chromium's sandbox refuses.
  timeout 60 chromium --headless=new --no-sandbox --disable-gpu --hide-scrollbars \
    --window-size="$2,$3" --virtual-time-budget=8000 --screenshot="$1" "$4" 2>/dev/null
  echo "screenshots: $1" >&2
}

# The decision e-mail (not the "received" one) of an application: the newest naming it.
decision_mail() {
  curl -fsS "$web/api/email" | python3 -c '
import json, sys
app = sys.argv[1]
mails = [m for m in json.load(sys.stdin) if app in (m.get("subject") or "")]
mails.sort(key=lambda m: m.get("time") or "")
print(mails[-1]["id"] if mails else "")' "$1"
}

row() { grep -m1 -o "DEMO-[0-9a-f]*-$1" "$table"; }

# The demo's applications 01-03 are approvals (ru, en, kk), 04-06 refusals (ru, en, kk).
first=$(decision_mail "$(row 01)")
shot "$out/demo-maildev.png" 1280 900 "$web/#/email/$first"
for n in 01:ru:approved 02:en:approved 03:kk:approved 04:ru:refused 05:en:refused 06:kk:refused; do
  IFS=: read -r num lang outcome <<<"$n"
  id=$(decision_mail "$(row "$num")")
  [ -n "$id" ] || { echo "screenshots: no e-mail for application $num" >&2; exit 1; }
  curl -fsS "$web/api/email/$id/source" | python3 -c '
import email, email.policy, sys
message = email.message_from_binary_file(sys.stdin.buffer, policy=email.policy.default)
html = message.get_body(preferencelist=("html",))
open(sys.argv[1], "w", encoding="utf-8").write(html.get_content())' "$work/$id.html"
  shot "$out/mail-$lang-$outcome.png" 390 1400 "file://$work/$id.html"
done
