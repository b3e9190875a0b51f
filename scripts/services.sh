#!/usr/bin/env bash
# Installs (Debian's packages) and starts PostgreSQL and RabbitMQ on loopback, for the tests,
# the demo and CI. Idempotent: what is installed stays, what runs keeps running.
#
#   bash scripts/services.sh          # install if needed, start, wait until both answer
#   bash scripts/services.sh stop     # stop both
#   bash scripts/services.sh sweep    # drop the test databases earlier runs left behind
#
# PostgreSQL: a cluster of our own in $TRP_SERVICES_DIR/pg, 127.0.0.1:${TRP_PG_PORT:-5432},
#   trust authentication for loopback only (a development instance with no secret to keep):
#   postgres://postgres@127.0.0.1:5432/postgres
# RabbitMQ: the Debian node bound to 127.0.0.1:${TRP_AMQP_PORT:-5672} (epmd and distribution
#   too): amqp://guest:guest@127.0.0.1:5672/%2f (guest may log in from loopback only).
# MailDev (scripts/maildev.sh, from npm): SMTP 127.0.0.1:1025, REST API 127.0.0.1:1080.
set -euo pipefail

DIR=${TRP_SERVICES_DIR:-/var/tmp/trp-services}
PG_PORT=${TRP_PG_PORT:-5432}
AMQP_PORT=${TRP_AMQP_PORT:-5672}
PG_BIN=
as_root() { if [ "$(id -u)" = 0 ]; then "$@"; else sudo "$@"; fi; }
log() { printf 'services: %s\n' "$*" >&2; }

install() {
  local missing=()
  command -v rabbitmq-server >/dev/null 2>&1 || missing+=(rabbitmq-server)
  ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
  # The tests sign with an independent signer: the openssl command line.
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    as_root apt-get update -qq
    as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
  fi
  PG_BIN=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
}

pg_run() { as_root su postgres -s /bin/sh -c "$*"; }

# tests/database_tls.rs turns ssl on (ALTER SYSTEM) with a certificate it makes under
# $DIR/pg-tls-test. Should those files be gone, the server would refuse to start: start it
# without ssl (the test turns it on again when it runs).
drop_stale_tls() {
  local auto=$1/postgresql.auto.conf file
  [ -f "$auto" ] || return 0
  for file in $(sed -n "s/^ssl_\(cert\|key\)_file = '\(.*\)'\$/\2/p" "$auto"); do
    if [ ! -f "$file" ]; then
      log "$file is gone: starting PostgreSQL without ssl"
      as_root sed -i "/^ssl\(_cert_file\|_key_file\)\? = /d" "$auto"
      return 0
    fi
  done
}

start_postgres() {
  local data=$DIR/pg
  as_root mkdir -p "$DIR"
  as_root chmod 755 "$DIR"
  if [ ! -f "$data/PG_VERSION" ]; then
    log "creating the PostgreSQL cluster in $data"
    as_root mkdir -p "$data"
    as_root chown postgres:postgres "$data"
    pg_run "$PG_BIN/initdb -D '$data' -U postgres -A trust --no-instructions" >/dev/null
    cat <<CONF | as_root tee -a "$data/postgresql.conf" >/dev/null
listen_addresses = '127.0.0.1'
port = $PG_PORT
unix_socket_directories = '$data'
max_connections = 400
shared_buffers = 256MB
CONF
    printf 'local all all trust\nhost all all 127.0.0.1/32 trust\n' | as_root tee "$data/pg_hba.conf" >/dev/null
  fi
  if ! pg_run "$PG_BIN/pg_ctl -D '$data' status" >/dev/null 2>&1; then
    drop_stale_tls "$data"
    log "starting PostgreSQL on 127.0.0.1:$PG_PORT"
    pg_run "$PG_BIN/pg_ctl -D '$data' -l '$data/server.log' -w -t 60 start" >/dev/null
  fi
  pg_run "$PG_BIN/pg_isready -h 127.0.0.1 -p $PG_PORT -t 30" >/dev/null
}

start_rabbitmq() {
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$AMQP_PORT
  export ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  if ! as_root rabbitmqctl -q ping >/dev/null 2>&1; then
    log "starting RabbitMQ on 127.0.0.1:$AMQP_PORT"
    as_root env RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT="$AMQP_PORT" \
      ERL_EPMD_ADDRESS=127.0.0.1 RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="$RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS" \
      rabbitmq-server -detached
    # -detached returns before the node registers with epmd: wait for it to answer at all.
    local i
    for i in $(seq 1 120); do
      as_root rabbitmqctl -q ping >/dev/null 2>&1 && break
      sleep 1
    done
  fi
  as_root rabbitmqctl -q await_startup --timeout 120 >/dev/null
}

stop() {
  install
  pg_run "$PG_BIN/pg_ctl -D '$DIR/pg' -m fast stop" >/dev/null 2>&1 || true
  as_root rabbitmqctl -q stop >/dev/null 2>&1 || true
}

# A test drops its database (trp_test_<uuid>, tests/support/db.rs) when it ends, but not
# when it fails or is killed: every run here until then had left 129 of them, about 1 GB.
# Drops every such database, so never run it beside another test run.
sweep() {
  install
  local psql="$PG_BIN/psql -h 127.0.0.1 -p $PG_PORT -U postgres -d postgres -Atq"
  local db n=0
  for db in $(pg_run "$psql -c \"SELECT datname FROM pg_database WHERE datname ~ '^trp_test_[0-9a-f]{32}\$'\""); do
    pg_run "$psql -c 'DROP DATABASE IF EXISTS $db WITH (FORCE)'" >/dev/null
    n=$((n + 1))
  done
  [ "$n" = 0 ] || log "dropped $n test databases left by earlier runs"
}

case "${1:-start}" in
  start) install; start_postgres; start_rabbitmq; log "PostgreSQL and RabbitMQ are up"
    bash "$(dirname "$0")/maildev.sh" ;;
  stop) stop ;;
  sweep) sweep ;;
  *) echo "usage: $0 [start|stop|sweep]" >&2; exit 2 ;;
esac
