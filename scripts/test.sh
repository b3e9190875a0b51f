#!/usr/bin/env bash
# The project's test command (README "Tests"): starts the services the integration tests
# need (PostgreSQL and RabbitMQ from Debian's packages, MailDev from npm, on loopback), then
# the alert rules and the AsyncAPI document, formatting, lints and every test.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh
# The alert rules (promtool) and the AsyncAPI document (AsyncAPI's parser): seconds each.
bash scripts/check-alerts.sh
bash scripts/check-asyncapi.sh

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
# The demo end to end (README "Demo", docs/demo.md): it exits 0 only when every row of its
# table came out as expected; then stop the replicas it leaves running for a reader.
demo_out=$(mktemp)
if ! timeout 600 bash scripts/demo.sh >"$demo_out" 2>&1; then
  cat "$demo_out"
  bash scripts/demo.sh stop
  exit 1
fi
bash scripts/demo.sh stop
grep -E '^(application|DEMO-)|^demo: ' "$demo_out"
rm -f "$demo_out"

if cargo nextest --version >/dev/null 2>&1; then
  # Doc-tests first, so that the closing line is nextest's summary of every test.
  cargo test --locked --doc
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi
