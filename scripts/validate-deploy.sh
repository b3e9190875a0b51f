#!/usr/bin/env bash
# Validates the Kubernetes manifests (deploy/kubernetes, a kustomize base) with real
# validators from the package registries, installed under $CARGO_TARGET_DIR (or target/):
#
#   1. kustomize: `kubectl kustomize` (or `kustomize build`) renders the base, the generated
#      ConfigMap included. When neither is installed this step says so and the resources are
#      validated file by file instead (the ConfigMap, which only kustomize makes, is then not).
#   2. the core kinds (Deployment, Service, Secret, ConfigMap, PodDisruptionBudget): the
#      `kubernetes-validate` package (PyPI), strict (unknown fields refused), against
#      Kubernetes $K8S_VERSION's OpenAPI schemas.
#   3. KEDA's ScaledObject and TriggerAuthentication: `@kubernetes-models/keda` (npm), the
#      KEDA CRDs' schemas.
#   4. what the schemas cannot know: terminationGracePeriodSeconds above shutdown.grace_s,
#      the probes on /healthz and /readyz, the KEDA trigger on the work queue, no real secret.
#
# Bounded: every install and check runs under `timeout`. Exit 0 when all pass, 1 when one
# fails or a validator cannot be installed (the message names which).
set -euo pipefail
cd "$(dirname "$0")/.."

WORK=${CARGO_TARGET_DIR:-target}/validate-deploy
K8S_VERSION=${TRP_K8S_VERSION:-1.30.0}
BASE=deploy/kubernetes
log() { printf 'validate-deploy: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
mkdir -p "$WORK"
WORK=$(cd "$WORK" && pwd)

install_python() {
  [ -x "$WORK/venv/bin/kubernetes-validate" ] && return 0
  log "installing kubernetes-validate (PyPI) into $WORK/venv"
  python3 -m venv "$WORK/venv" ||
    die "cannot make a Python venv (Debian: apt-get install python3-venv); kubernetes-validate NOT run"
  timeout 300 "$WORK/venv/bin/pip" install -q --disable-pip-version-check \
    kubernetes-validate==1.37.0 pyyaml==6.0.2 ||
    die "cannot install kubernetes-validate from PyPI; the core kinds were NOT validated"
}

install_node() {
  [ -d "$WORK/node/node_modules/@kubernetes-models/keda" ] && return 0
  command -v npm >/dev/null 2>&1 || die "npm is not installed (apt-get install npm); the KEDA kinds were NOT validated"
  log "installing @kubernetes-models/keda (npm) into $WORK/node"
  mkdir -p "$WORK/node"
  cat >"$WORK/node/package.json" <<'JSON'
{ "private": true, "type": "module",
  "dependencies": { "@kubernetes-models/keda": "2.0.0", "yaml": "2.8.1" } }
JSON
  (cd "$WORK/node" && timeout 300 npm install --no-audit --no-fund --silent) ||
    die "cannot install @kubernetes-models/keda from npm; the KEDA kinds were NOT validated"
}

# 1. The rendered base, or the files as they are.
render() {
  local out=$WORK/rendered.yaml
  if command -v kubectl >/dev/null 2>&1 && timeout 120 kubectl kustomize --load-restrictor LoadRestrictionsNone "$BASE" >"$out" 2>"$WORK/kustomize.err"; then
    log "kustomize: built by kubectl kustomize ($(kubectl version --client 2>/dev/null | sed -n 's/^Kustomize Version: //p'))"
  elif command -v kustomize >/dev/null 2>&1 && timeout 120 kustomize build --load-restrictor LoadRestrictionsNone "$BASE" >"$out" 2>"$WORK/kustomize.err"; then
    log "kustomize: built by kustomize $(kustomize version 2>/dev/null)"
  else
    [ ! -s "$WORK/kustomize.err" ] || die "kustomize refused the base: $(cat "$WORK/kustomize.err")"
    log "kustomize: NOT RUN: neither kubectl nor kustomize is installed here; validating the files one by one (the generated ConfigMap is not checked)"
    : >"$out"
    local f
    for f in "$BASE"/*.yaml; do
      [ "$(basename "$f")" = kustomization.yaml ] && continue
      { cat "$f"; echo '---'; } >>"$out"
    done
  fi
  echo "$out"
}

install_python
install_node
RENDERED=$(render)

log "core kinds: kubernetes-validate --strict against Kubernetes $K8S_VERSION"
timeout 120 "$WORK/venv/bin/kubernetes-validate" --strict --quiet -k "$K8S_VERSION" "$RENDERED" 2>&1 |
  grep -v "Couldn't find schema for kind \(ScaledObject\|TriggerAuthentication\) with api version keda.sh" || true
# The exit status of kubernetes-validate itself (the grep above only hides the two KEDA kinds
# it has no schema for; step 3 checks those).
timeout 120 "$WORK/venv/bin/kubernetes-validate" --strict --quiet --no-warn -k "$K8S_VERSION" "$RENDERED" >/dev/null ||
  die "a core kind did not validate (above)"

log "KEDA kinds: @kubernetes-models/keda"
cat >"$WORK/node/validate.mjs" <<'JS'
import { ScaledObject, TriggerAuthentication } from "@kubernetes-models/keda/keda.sh/v1alpha1";
import { parseAllDocuments } from "yaml";
import { readFileSync } from "fs";
const kinds = { ScaledObject, TriggerAuthentication };
let seen = 0;
for (const doc of parseAllDocuments(readFileSync(process.argv[2], "utf8"))) {
  const o = doc.toJS();
  if (!o || o.apiVersion !== "keda.sh/v1alpha1") continue;
  if (!kinds[o.kind]) throw new Error(`no model for ${o.kind}`);
  new kinds[o.kind](o).validate();
  console.error(`validate-deploy: ${o.kind}/${o.metadata.name} valid`);
  seen++;
}
if (seen !== 2) throw new Error(`expected a ScaledObject and a TriggerAuthentication, found ${seen}`);
JS
(cd "$WORK/node" && timeout 60 node validate.mjs "$RENDERED") || die "a KEDA kind did not validate (above)"

log "the project's own rules"
timeout 60 "$WORK/venv/bin/python" - "$RENDERED" config/default.toml <<'PY' || die "a project rule failed (above)"
import sys, tomllib, yaml
docs = [d for d in yaml.safe_load_all(open(sys.argv[1])) if d]
config = tomllib.load(open(sys.argv[2], "rb"))
by_kind = {}
for d in docs:
    by_kind.setdefault(d["kind"], []).append(d)
failures = []
def need(ok, what):
    print(("ok:   " if ok else "FAIL: ") + what, file=sys.stderr)
    if not ok:
        failures.append(what)
for kind in ["Deployment", "Service", "Secret", "PodDisruptionBudget", "ScaledObject", "TriggerAuthentication"]:
    need(kind in by_kind, f"a {kind}")
pod = by_kind["Deployment"][0]["spec"]["template"]["spec"]
grace = config["shutdown"]["grace_s"]
need(pod["terminationGracePeriodSeconds"] > grace, f"terminationGracePeriodSeconds above shutdown.grace_s ({grace})")
c = pod["containers"][0]
need(c["livenessProbe"]["httpGet"]["path"] == "/healthz", "liveness on /healthz")
need(c["readinessProbe"]["httpGet"]["path"] == "/readyz", "readiness on /readyz")
need(all(k in c["resources"].get(w, {}) for w in ("requests", "limits") for k in ("cpu", "memory")), "cpu and memory requests and limits")
need(pod["securityContext"].get("runAsNonRoot") is True, "runs as non-root")
need(c["securityContext"].get("readOnlyRootFilesystem") is True, "read-only root file system")
env = {e["name"]: e for e in c["env"]}
for key in ["TRP__DATABASE__PASSWORD", "TRP__SIGNATURE__OTP_KEY", "TRP__SMS__TOKEN", "TRP__SMTP__PASSWORD"]:
    need("secretKeyRef" in env.get(key, {}).get("valueFrom", {}), f"{key} from a Secret")
trigger = by_kind["ScaledObject"][0]["spec"]["triggers"][0]
need(trigger["type"] == "rabbitmq" and trigger["metadata"]["queueName"] == config["amqp"]["work_queue"],
     f"a rabbitmq trigger on {config['amqp']['work_queue']}")
need(trigger["metadata"].get("mode") == "QueueLength" and int(trigger["metadata"]["value"]) > 0, "QueueLength with a positive value")
need(trigger.get("authenticationRef", {}).get("name") in [t["metadata"]["name"] for t in by_kind["TriggerAuthentication"]],
     "the trigger's connection from the TriggerAuthentication")
for s in by_kind["Secret"]:
    for k, v in s.get("stringData", {}).items():
        need("REPLACE-ME" in v or v == "UkVQTEFDRS1NRQ==", f"Secret {s['metadata']['name']}/{k} is a placeholder")
sys.exit(1 if failures else 0)
PY
log "all passed"
