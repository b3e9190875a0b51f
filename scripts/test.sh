#!/usr/bin/env bash
# The project's test command (README "Tests"): starts the services the integration tests
# need (PostgreSQL and RabbitMQ from Debian's packages, MailDev from npm, on loopback), then
# formatting, lints and every test; then the Kubernetes manifests' validation.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh
# The three-node RabbitMQ cluster tests/broker_cluster.rs needs (beside the single broker).
bash scripts/cluster.sh start
# deploy/kubernetes against kubernetes-validate (PyPI), KEDA's models (npm) and kustomize.
bash scripts/validate-deploy.sh

cargo fmt --all -- --check
cargo clippy --all-targets --locked -- -D warnings
if cargo nextest --version >/dev/null 2>&1; then
  # Doc-tests first, so that the closing line is nextest's summary of every test.
  cargo test --locked --doc
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi
