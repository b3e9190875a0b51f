#!/usr/bin/env bash
# The project's test command (README "Tests"): starts the services the integration tests
# need (PostgreSQL and RabbitMQ from Debian's packages, MailDev from npm, on loopback), then
# the cluster, the alert rules, the AsyncAPI document and the Kubernetes manifests,
# formatting, the supply chain, lints, the demo, every test, the chaos runs and a short run
# of each fuzz target.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/services.sh
# Databases that tests which failed or were killed in earlier runs left behind (about 1 s each).
bash scripts/services.sh sweep
# CI builds from a fresh clone, so incremental compilation's caches are only written, never
# read: without them this package's own targets build in 260 s instead of 388 s here. Set
# for every cargo below (a different setting would compile this package again).
export CARGO_INCREMENTAL=0
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
# The fuzz targets' CI build (scripts/fuzz --dev; docs/reliability.md, "Fuzzing"): a second
# build of every dependency, with libFuzzer's instrumentation, on the nightly toolchain. At
# the lowest priority from the start, it takes only the CPU the rest leaves idle (the
# build's serial stretches, the tests' waits); it is collected, and the targets run, last.
fuzz_log=$(mktemp)
# A process group of its own, stopped whole if this script ends early. setsid also makes
# it a session of its own, which the kernel's autogroup scheduling gives an equal share of
# the CPU whatever its processes' nice value, so the new session's group gets nice 19 too.
setsid bash -c 'echo 19 >/proc/self/autogroup 2>/dev/null; exec nice -n 19 bash scripts/fuzz --dev --build-only' \
  >"$fuzz_log" 2>&1 </dev/null &
fuzz=$!
trap 'kill -- -"$fuzz" 2>/dev/null || true' EXIT
collect() { # pid log what
  if ! wait "$1"; then
    cat "$2"
    echo "test.sh: $3 failed" >&2
    exit 1
  fi
  cat "$2"
}

cargo fmt --all -- --check
# The supply chain (deny.toml; docs/reliability.md, "Supply chain"): advisories, licences,
# bans (duplicate major versions, a second TLS or crypto stack) and sources. No machine here
# reaches the RustSec database's home, so ../shared/advisory-db holds a snapshot (its date in
# ../shared/advisory-db/SNAPSHOT) and ../shared/tools/advisory-db.sh lays it out where
# cargo-deny looks; --offline keeps cargo-deny from fetching. cargo-deny is installed once,
# pinned, when missing (about 7 CPU-minutes).
command -v cargo-deny >/dev/null 2>&1 || cargo install --locked cargo-deny@0.20.2
bash ../shared/tools/advisory-db.sh
cargo deny --offline --locked check
# Clippy's lints while building, not before: clippy-driver is rustc with the lint passes, and
# cargo runs it for this package's own crates only (RUSTC_WORKSPACE_WRAPPER, the way `cargo
# clippy` itself does), with `-D warnings` as `cargo clippy -- -D warnings` passes it. So every
# target of ours is linted exactly as `cargo clippy --all-targets --locked -- -D warnings`
# lints it, and the dependencies are compiled once, for the build, instead of once more in
# check mode for the lints (about 3 minutes of a fresh machine's 2 cores). The same
# environment stays set for the tests below, so nothing of ours is compiled twice.
export RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
RUSTC_WORKSPACE_WRAPPER="$(rustup which clippy-driver)"
CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"
# Every target (library, binaries, examples, tests, benches; benches in the dev profile, as
# `cargo build` builds them), before the demo's time bound: on a fresh machine this is the
# first build of every dependency, which is not the demo's time.
cargo build --locked --all-targets
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

collect "$checks" "$side/checks.log" "the manifests, alert rules or AsyncAPI check"
collect "$cluster" "$side/cluster.log" "starting the three-node cluster"
rm -rf "$side"

if cargo nextest --version >/dev/null 2>&1; then
  # Doc-tests first, so that nextest's summary of every test closes the tests.
  cargo test --locked --doc
  cargo nextest run --locked --no-fail-fast
else
  cargo test --locked --no-fail-fast
fi

# The chaos run's CI version (docs/reliability.md, "Chaos (item 1)"; 85 to 100 s): it restarts
# the shared RabbitMQ and PostgreSQL, so it runs after the tests, never beside or before them
# (in one run right after it, a test's replica took over 30 s to stop; never otherwise).
bash scripts/chaos --quick
# The same on the three-node cluster, stopping the node that leads the work queue, then
# restarting another.
bash scripts/chaos --quick --cluster

collect "$fuzz" "$fuzz_log" "building the fuzz targets"
rm -f "$fuzz_log"
# Each target a short while from the tests' inputs: it must run, and find nothing.
bash scripts/fuzz --dev --seconds 10
