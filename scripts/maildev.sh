#!/usr/bin/env bash
# Installs (from the npm registry) and starts MailDev, the SMTP server the e-mail tests
# deliver to: SMTP on 127.0.0.1:${TRP_MAILDEV_SMTP:-1025}, web and REST API (MailDev 3: GET /api/email) on
# 127.0.0.1:${TRP_MAILDEV_WEB:-1080}. Idempotent: installed stays installed, running keeps
# running; a new start begins with an empty mail directory. Needs Node.js 18 or later.
set -euo pipefail

SMTP_PORT=${TRP_MAILDEV_SMTP:-1025}
WEB_PORT=${TRP_MAILDEV_WEB:-1080}
DIR=${TRP_SERVICES_DIR:-/var/tmp/trp-services}/maildev
PREFIX=${TRP_MAILDEV_PREFIX:-$HOME/.local}
log() { printf 'maildev: %s\n' "$*" >&2; }
answers() { curl -fsS -o /dev/null "http://127.0.0.1:$WEB_PORT/api/email" 2>/dev/null; }

bin() {
  command -v maildev 2>/dev/null || { [ -x "$PREFIX/bin/maildev" ] && echo "$PREFIX/bin/maildev"; } || true
}

if answers; then
  exit 0
fi
if [ -z "$(bin)" ]; then
  log "installing maildev@3 into $PREFIX"
  npm install -g --prefix "$PREFIX" --no-fund --no-audit --loglevel=error maildev@3 >/dev/null
fi
# MailDev 3 reads every message left in its mail directory before it answers: 45,627 of
# them, from every test run on this machine until then, took it past the wait below, and
# CI failed. Nothing needs them once the server is down, so it starts empty.
rm -rf "$DIR/mail"
mkdir -p "$DIR"
log "starting on 127.0.0.1 (SMTP $SMTP_PORT, web $WEB_PORT)"
nohup "$(bin)" --ip 127.0.0.1 --smtp "$SMTP_PORT" --web "$WEB_PORT" \
  --web-ip 127.0.0.1 --mail-directory "$DIR/mail" >"$DIR/maildev.log" 2>&1 &
for _ in $(seq 1 120); do
  answers && exit 0
  sleep 0.5
done
log "did not answer on port $WEB_PORT; see $DIR/maildev.log"
exit 1
