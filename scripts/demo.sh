#!/usr/bin/env bash
# The demo in one command: PostgreSQL, RabbitMQ, MailDev and an SMS sink on loopback, the
# sample registries, one worker, and N sample applications (default 10) signed by OTP.
# Prints each decision, the SMS the gateway took, and one application's `explain`;
# the e-mails are in MailDev at http://127.0.0.1:1080. Ctrl-C or the end stops the worker
# the way SIGTERM does.
set -euo pipefail
cd "$(dirname "$0")/.."
count=${1:-10}
logs=${TRP_DEMO_LOGS:-/tmp/trp-demo}
mkdir -p "$logs"

bash scripts/services.sh
if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'trp_demo'" | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE trp_demo"
fi

export TRP__DATABASE__URL=postgres://postgres@127.0.0.1:5432/trp_demo
# The tests' PKI stands in for the national CA; the demo signs by OTP with a fresh key.
export TRP__SIGNATURE__TRUST_ANCHORS=tests/fixtures/pki/root.pem,tests/fixtures/pki/intermediate.pem
export TRP__SIGNATURE__CRLS=tests/fixtures/pki/intermediate.crl,tests/fixtures/pki/root.crl
TRP__SIGNATURE__OTP_KEY=$(openssl rand -base64 32)
TRP__SMS__TOKEN=demo-$(openssl rand -hex 8)
export TRP__SIGNATURE__OTP_KEY TRP__SMS__TOKEN
export TRP__SMS__URL=http://127.0.0.1:8090/sms TRP__SMTP__PORT=1025 TRP__HTTP__PORT=8080

cargo build --quiet --bin trp-worker --example submit
bin=target/debug/trp-worker
$bin migrate
for registry in biometrics mobile-citizens permits; do
  $bin import "$registry" "demo/$registry.csv"
done

python3 demo/sms-sink.py 8090 >"$logs/sms.log" 2>&1 &
sink=$!
$bin run >"$logs/worker.log" 2>&1 &
worker=$!
stop() {
  kill -TERM "$worker" 2>/dev/null && wait "$worker" || true
  kill "$sink" 2>/dev/null || true
}
trap stop EXIT
for _ in $(seq 1 60); do
  curl -fs -o /dev/null http://127.0.0.1:8080/readyz && break
  sleep 1
done

target/debug/examples/submit "$count" | tee "$logs/decisions.log"
sleep 3
echo
echo "SMS the gateway took (first 5 of $(wc -l <"$logs/sms.log")):"
head -n 5 "$logs/sms.log"
first=$(grep -m1 -o 'DEMO-[A-Za-z0-9-]*' "$logs/decisions.log" || true)
if [ -n "$first" ]; then
  echo
  $bin explain "$first"
fi
echo
echo "E-mails: http://127.0.0.1:1080   metrics: http://127.0.0.1:8080/metrics   logs: $logs"
