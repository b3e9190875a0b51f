#!/usr/bin/env bash
# Checks the Prometheus alert rules (deploy/prometheus/alerts.yml) and runs their unit tests
# (alerts_test.yml) with promtool, from Debian's `prometheus` package (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/../deploy/prometheus"

as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }

if ! command -v promtool >/dev/null 2>&1; then
  echo "check-alerts: installing Debian's prometheus package for promtool" >&2
  as_root apt-get update -qq
  # The package would start a Prometheus server where systemd runs: promtool is all we use.
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    prometheus >/dev/null
fi

timeout 60 promtool check rules alerts.yml
timeout 120 promtool test rules alerts_test.yml
