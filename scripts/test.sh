#!/usr/bin/env bash
# The project's test command (README "Tests"): formatting, lints, then every test.
# Later issues add the services the integration tests need (RabbitMQ, PostgreSQL, a mail
# server), installed and started on loopback by scripts under scripts/.
set -euo pipefail
cd "$(dirname "$0")/.."

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
if cargo nextest --version >/dev/null 2>&1; then
  # Doc-tests first, so that the closing line is nextest's summary of every test.
  cargo test --locked --doc
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi
