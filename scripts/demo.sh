#!/usr/bin/env bash
# The demo in one command (README "Demo"):
#
#   bash scripts/demo.sh          # run it; the two replicas keep running for you to browse
#   bash scripts/demo.sh stop     # stop the replicas and the SMS gateway it started
#
# Starts PostgreSQL, RabbitMQ and MailDev on loopback (scripts/services.sh), makes a
# development GOST 2015-512 PKI beside the committed RSA test PKI, loads the sample
# registries (demo/), starts a small SMS gateway and two worker replicas, and publishes, as
# the portal would and submitted now: OTP, RSA EDS and GOST EDS approvals, a refusal on
# each ground (unreliable data, non-compliance, the household quota), a duplicate, a
# conflict and an envelope error (examples/demo.rs). Prints one table (application,
# method, outcome, reasons, permit, SMS and e-mails delivered) and where to read the mail,
# the metrics and the logs. Exit 0 when every application came out as expected.
set -euo pipefail
cd "$(dirname "$0")/.."
logs=${TRP_DEMO_LOGS:-/tmp/trp-demo}
ports=(8080 8081)
sms_port=8090
log() { printf 'demo: %s\n' "$*" >&2; }

stop() {
  local pid
  [ -f "$logs/pids" ] || return 0
  while read -r pid; do
    kill -TERM "$pid" 2>/dev/null || true
  done <"$logs/pids"
  while read -r pid; do
    for _ in $(seq 1 100); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.2
    done
  done <"$logs/pids"
  rm -f "$logs/pids"
}

if [ "${1:-}" = stop ]; then
  stop
  log "stopped; the services keep running (bash scripts/services.sh stop stops them)"
  exit 0
fi

mkdir -p "$logs"
stop # a previous demo's replicas
rm -f "$logs"/*.log

bash scripts/services.sh
if ! psql -h 127.0.0.1 -U postgres -tAc "SELECT 1 FROM pg_database WHERE datname = 'trp_demo'" | grep -q 1; then
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE trp_demo"
fi

log "building the worker and the demo's portal"
cargo build --quiet --locked --bin trp-worker --example demo
bin=target/debug/trp-worker
demo=target/debug/examples/demo

# Trust: the committed RSA test PKI and a development GOST PKI made now, both standing in for
# the national CA; secrets made fresh for this run, never written to a file.
mapfile -t trust < <("$demo" pki "$logs/pki")
export TRP__SIGNATURE__TRUST_ANCHORS=${trust[0]} TRP__SIGNATURE__CRLS=${trust[1]}
export TRP__DATABASE__URL=postgres://postgres@127.0.0.1:5432/trp_demo
TRP__SIGNATURE__OTP_KEY=$(openssl rand -base64 32)
TRP__SMS__TOKEN=demo-$(openssl rand -hex 8)
export TRP__SIGNATURE__OTP_KEY TRP__SMS__TOKEN
export TRP__SMS__URL=http://127.0.0.1:$sms_port/sms TRP__SMTP__PORT=1025

"$bin" migrate
for registry in biometrics mobile-citizens permits; do
  "$bin" import "$registry" "demo/$registry.csv"
done

python3 demo/sms-sink.py "$sms_port" >"$logs/sms.log" 2>&1 &
echo $! >>"$logs/pids"
for i in 0 1; do
  TRP__HTTP__PORT=${ports[$i]} "$bin" run >"$logs/worker-$((i + 1)).log" 2>&1 &
  echo $! >>"$logs/pids"
done
trap 'stop; exit 130' INT TERM
trap stop ERR
for port in "${ports[@]}"; do
  ready=
  for _ in $(seq 1 60); do
    if curl -fs -o /dev/null "http://127.0.0.1:$port/readyz"; then ready=1; break; fi
    sleep 1
  done
  if [ -z "$ready" ]; then
    log "the replica on port $port is not ready after 60 s; see $logs/worker-*.log"
    stop
    exit 1
  fi
done

log "two replicas ready; submitting"
echo
status=0
"$demo" submit "$logs/pki" "$logs/sms.log" http://127.0.0.1:1080/api \
  "http://127.0.0.1:${ports[0]}/metrics" "http://127.0.0.1:${ports[1]}/metrics" |
  tee "$logs/table.txt" || status=$?
approved=$(grep -m1 -o 'DEMO-[0-9a-f]*-01' "$logs/table.txt" || true)

cat <<EOF

The e-mails, as the applicants get them:   http://127.0.0.1:1080/
Metrics of each replica:                   http://127.0.0.1:${ports[0]}/metrics   http://127.0.0.1:${ports[1]}/metrics
Logs:                                      $logs/worker-1.log  $logs/worker-2.log  $logs/sms.log (the SMS gateway)
One decision with its checks and notifications:
  TRP__DATABASE__URL=$TRP__DATABASE__URL $bin explain ${approved:-<application>}

The two replicas and the SMS gateway keep running so that the pages above open.
Stop them with:  bash scripts/demo.sh stop     (the services: bash scripts/services.sh stop)
EOF
exit "$status"
