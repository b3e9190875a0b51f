#!/usr/bin/env bash
# A three-node RabbitMQ cluster on loopback, for tests/broker_cluster.rs and for trying the
# worker against a cluster by hand. Debian's rabbitmq-server, three nodes of our own beside
# the single test broker (rabbit@..., 5672), which this script never touches:
#
#   node            AMQP                  distribution
#   trp1@localhost  127.0.0.1:5681        25681
#   trp2@localhost  127.0.0.1:5682        25682
#   trp3@localhost  127.0.0.1:5683        25683
#
# Data, logs, configuration and the shared Erlang cookie live in $TRP_CLUSTER_DIR
# (default /var/tmp/trp-cluster). The nodes run as the calling user (no root needed).
# A quorum queue declared once all three are up has a member on each of them.
#
#   bash scripts/cluster.sh start [NODE...]   # start (default: all three), join, wait
#   bash scripts/cluster.sh stop [NODE...]    # stop (default: all three)
#   bash scripts/cluster.sh status            # one line per node; exit 0 when all run
#   bash scripts/cluster.sh leader QUEUE      # the node leading quorum queue QUEUE (trp1..3)
#   bash scripts/cluster.sh members QUEUE     # the nodes holding a member of it
#
# NODE is trp1, trp2 or trp3. Idempotent: a running node is left alone, a joined one is
# not joined again. Every wait is bounded ($TRP_CLUSTER_TIMEOUT_S, default 90 s) and
# names what it waited for when it gives up (exit 1).
set -euo pipefail

DIR=${TRP_CLUSTER_DIR:-/var/tmp/trp-cluster}
TIMEOUT=${TRP_CLUSTER_TIMEOUT_S:-90}
NODES=(trp1 trp2 trp3)
BIN=/usr/lib/rabbitmq/bin
log() { printf 'cluster: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

index() { case $1 in trp1) echo 1 ;; trp2) echo 2 ;; trp3) echo 3 ;; *) die "unknown node $1 (trp1, trp2, trp3)" ;; esac; }

# The environment of one node (and of the CLI that talks to it).
node_env() {
  local n=$1 i base
  i=$(index "$n")
  base=$DIR/$n
  export HOME=$DIR/home
  export RABBITMQ_NODENAME=$n@localhost RABBITMQ_USE_LONGNAME=false
  export RABBITMQ_NODE_IP_ADDRESS=127.0.0.1 RABBITMQ_NODE_PORT=$((5680 + i))
  export RABBITMQ_DIST_PORT=$((25680 + i)) ERL_EPMD_ADDRESS=127.0.0.1
  export RABBITMQ_CTL_DIST_PORT_MIN=$((35680 + i * 10)) RABBITMQ_CTL_DIST_PORT_MAX=$((35689 + i * 10))
  export RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS="-kernel inet_dist_use_interface {127,0,0,1}"
  export RABBITMQ_CONF_ENV_FILE=$base/rabbitmq-env.conf
  export RABBITMQ_CONFIG_FILE=$base/rabbitmq.conf
  export RABBITMQ_ADVANCED_CONFIG_FILE=$base/advanced.config
  export RABBITMQ_ENABLED_PLUGINS_FILE=$base/enabled_plugins
  export RABBITMQ_MNESIA_BASE=$base/mnesia RABBITMQ_LOG_BASE=$base/log
  export RABBITMQ_PID_FILE=$base/pid ERL_CRASH_DUMP=$base/log/erl_crash.dump
}

ctl() { (node_env "$1" && "$BIN/rabbitmqctl" -q -n "$1@localhost" "${@:2}"); }

prepare() {
  local n=$1 base=$DIR/$1
  mkdir -p "$DIR/home" "$base/mnesia" "$base/log"
  if [ ! -f "$DIR/home/.erlang.cookie" ]; then
    (umask 077 && head -c 30 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' >"$DIR/home/.erlang.cookie")
    chmod 400 "$DIR/home/.erlang.cookie"
  fi
  : >"$base/rabbitmq-env.conf"
  echo '[].' >"$base/enabled_plugins"
  echo '[].' >"$base/advanced.config"
  cat >"$base/rabbitmq.conf" <<CONF
listeners.tcp.1 = 127.0.0.1:$(port "$n")
loopback_users.guest = true
log.file.level = warning
log.console = false
CONF
}

# A node runs once its AMQP listener accepts (the listener opens last, when it has booted).
port() { echo $((5680 + $(index "$1"))); }
running() { (exec 3<>"/dev/tcp/127.0.0.1/$(port "$1")") 2>/dev/null; }

await_node() {
  local n=$1 deadline=$2
  until running "$n"; do
    [ "$SECONDS" -lt "$deadline" ] || die "$n@localhost did not open 127.0.0.1:$(port "$n") within ${TIMEOUT}s (log: $DIR/$n/log)"
    sleep 1
  done
}

joined() { ctl "$1" cluster_status --formatter json 2>/dev/null | grep -o '"disk_nodes":\[[^]]*\]' | grep -q '"trp1@localhost"'; }

join() {
  local n=$1
  [ "$n" != trp1 ] || return 0
  joined "$n" && return 0
  log "joining $n@localhost to trp1@localhost"
  local out=$DIR/$n/log/join.log
  { ctl "$n" stop_app && ctl "$n" reset && ctl "$n" join_cluster trp1@localhost &&
    ctl "$n" start_app; } >"$out" 2>&1 || die "$n@localhost could not join trp1@localhost ($out)"
}

start() {
  local targets=("$@") n deadline
  [ ${#targets[@]} -gt 0 ] || targets=("${NODES[@]}")
  command -v "$BIN/rabbitmq-server" >/dev/null 2>&1 || die "rabbitmq-server is not installed (bash scripts/services.sh installs it)"
  deadline=$((SECONDS + TIMEOUT))
  # Started together: a node restarted after the others stopped waits for its peers' tables.
  for n in "${targets[@]}"; do
    if running "$n"; then continue; fi
    prepare "$n"
    log "starting $n@localhost on 127.0.0.1:$(port "$n")"
    # From the node's own directory: a node whose working directory is deleted (a git
    # worktree removed, say) cannot stop cleanly.
    (cd "$DIR/$n" && node_env "$n" && "$BIN/rabbitmq-server" -detached >>"$DIR/$n/log/detached.log" 2>&1) ||
      die "$n@localhost did not start (log: $DIR/$n/log)"
  done
  for n in "${targets[@]}"; do await_node "$n" "$deadline"; done
  for n in "${targets[@]}"; do join "$n" && await_node "$n" "$deadline"; done
  log "up: ${targets[*]} (amqp://guest:guest@127.0.0.1:5681, 5682, 5683)"
}

stop() {
  local targets=("$@") n
  [ ${#targets[@]} -gt 0 ] || targets=("${NODES[@]}")
  for n in "${targets[@]}"; do
    index "$n" >/dev/null
    if running "$n"; then
      log "stopping $n@localhost"
      ctl "$n" stop --timeout "$TIMEOUT" >/dev/null || die "$n@localhost did not stop within ${TIMEOUT}s"
    fi
  done
}

status() {
  local n all=0
  for n in "${NODES[@]}"; do
    if running "$n"; then
      echo "$n@localhost running on 127.0.0.1:$(port "$n")"
    else
      echo "$n@localhost stopped"
      all=1
    fi
  done
  if running trp1; then ctl trp1 cluster_status --formatter json | grep -o '"running_nodes":\[[^]]*\]'; fi
  return $all
}

# The node (trp1, trp2 or trp3) that leads the quorum queue QUEUE, asked of any running node.
leader() {
  local queue=$1 n line
  for n in "${NODES[@]}"; do
    running "$n" || continue
    line=$(ctl "$n" list_queues name leader --no-table-headers | awk -v q="$queue" '$1 == q {print $2}')
    [ -n "$line" ] || die "no queue named $queue (asked $n@localhost)"
    echo "${line%@localhost}"
    return 0
  done
  die "no node is running"
}

# The nodes (trp1 trp2 trp3, sorted) holding a member of the quorum queue QUEUE.
members() {
  local queue=$1 n
  for n in "${NODES[@]}"; do
    running "$n" || continue
    ctl "$n" list_queues name members --no-table-headers | awk -F '\t' -v q="$queue" '$1 == q {print $2}' |
      grep -o 'trp[123]@localhost' | sed 's/@localhost//' | sort | paste -sd ' '
    return 0
  done
  die "no node is running"
}

case "${1:-status}" in
  start) shift; start "$@" ;;
  stop) shift; stop "$@" ;;
  status) status ;;
  members) [ $# -eq 2 ] || { echo "usage: $0 members QUEUE" >&2; exit 2; }; members "$2" ;;
  leader) [ $# -eq 2 ] || { echo "usage: $0 leader QUEUE" >&2; exit 2; }; leader "$2" ;;
  *) echo "usage: $0 start|stop [trp1|trp2|trp3 ...] | status | leader QUEUE" >&2; exit 2 ;;
esac
