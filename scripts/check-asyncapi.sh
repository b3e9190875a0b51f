#!/usr/bin/env bash
# Validates docs/asyncapi.yaml (and the payload schemas it references in docs/asyncapi/)
# with AsyncAPI's own parser, @asyncapi/parser from the npm registry (the library behind
# `asyncapi validate`), installed once into $TRP_SERVICES_DIR/asyncapi. Needs Node.js 18+.
# Exit 0 valid, 1 not.
set -euo pipefail
cd "$(dirname "$0")/.."

PARSER_VERSION=3.6.6
export TRP_ASYNCAPI_PREFIX=${TRP_ASYNCAPI_PREFIX:-${TRP_SERVICES_DIR:-/var/tmp/trp-services}/asyncapi}

if [ ! -f "$TRP_ASYNCAPI_PREFIX/node_modules/@asyncapi/parser/package.json" ] ||
  ! grep -q "\"version\": \"$PARSER_VERSION\"" \
    "$TRP_ASYNCAPI_PREFIX/node_modules/@asyncapi/parser/package.json"; then
  echo "check-asyncapi: installing @asyncapi/parser@$PARSER_VERSION into $TRP_ASYNCAPI_PREFIX" >&2
  mkdir -p "$TRP_ASYNCAPI_PREFIX"
  timeout 300 npm install --prefix "$TRP_ASYNCAPI_PREFIX" --no-fund --no-audit \
    --loglevel=error "@asyncapi/parser@$PARSER_VERSION" >/dev/null
fi

timeout 60 node scripts/asyncapi-validate.mjs docs/asyncapi.yaml
