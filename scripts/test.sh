#!/usr/bin/env bash
# The project's test command (README "Tests"): starts the services the integration tests
# need (PostgreSQL and RabbitMQ from Debian's packages, MailDev from npm, on loopback), then
# the cluster, the alert rules, the AsyncAPI document and the Kubernetes manifests,
# formatting, lints, the demo and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh
# Slow to set up but hardly using the CPU (an Erlang cluster booting, tools downloaded): run
# beside the formatting, lints and demo, and collected before the tests.
side=$(mktemp -d)
# The three-node RabbitMQ cluster tests/broker_cluster.rs needs (beside the single broker).
bash scripts/cluster.sh start >"$side/cluster.log" 2>&1 &
cluster=$!
# deploy/kubernetes against kubernetes-validate (PyPI), KEDA's models (npm) and kustomize;
# the alert rules (promtool) and the AsyncAPI document (AsyncAPI's parser).
(bash scripts/validate-deploy.sh && bash scripts/check-alerts.sh && bash scripts/check-asyncapi.sh) \
  >"$side/checks.log" 2>&1 &
checks=$!
collect() { # pid log what
  if ! wait "$1"; then
    cat "$2"
    echo "test.sh: $3 failed" >&2
    exit 1
  fi
  cat "$2"
}

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
# The demo end to end (README "Demo", docs/demo.md): it exits 0 only when every row of its
# table came out as expected; then stop the replicas it leaves running for a reader.
# Built first, outside the demo's time bound: on a fresh machine this is the first build of
# every dependency (the lints above only check them), which is not the demo's time.
cargo build --locked --bin trp-worker --example demo
demo_out=$(mktemp)
if ! timeout 600 bash scripts/demo.sh >"$demo_out" 2>&1; then
  cat "$demo_out"
  bash scripts/demo.sh stop
  exit 1
fi
bash scripts/demo.sh stop
grep -E '^(application|DEMO-)|^demo: ' "$demo_out"
rm -f "$demo_out"

collect "$checks" "$side/checks.log" "the manifests, alert rules or AsyncAPI check"
collect "$cluster" "$side/cluster.log" "starting the three-node cluster"
rm -rf "$side"

if cargo nextest --version >/dev/null 2>&1; then
  # Doc-tests first, so that the closing line is nextest's summary of every test.
  cargo test --locked --doc
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi
