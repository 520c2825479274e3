#!/usr/bin/env bash
# A PostgreSQL primary and its streaming hot standby, for testing the reporting replica
# (pmpp/db_routers.py, tests/pmpp/test_real_standby.py): `scripts/pg-standby.sh start DIR [DBNAME]`
# makes DIR/primary and DIR/standby the first time (initdb, then pg_basebackup -R), starts both,
# waits until the standby streams and accepts read-only connections, and prints the two URLs:
#
#   DATABASE_URL=postgres://postgres@/DBNAME?host=DIR&port=…            (the primary)
#   REPORTING_DATABASE_URL=postgres://postgres@/DBNAME?host=DIR&port=…  (the standby)
#
# `stop DIR` stops both; the data stays in DIR. Unix sockets in DIR only, no TCP port, so the
# pair never meets another cluster (CI's, the bench cluster in /var/tmp/pmpp-bench-pg) whatever
# the ports. Throwaway settings: small memory, fsync off. Runs the servers as `postgres` when
# called as root (initdb refuses root), as the caller otherwise; DIR's parent must let that
# user in. Ports: PG_STANDBY_PORT (the primary's, 54330 by default) and the next one.
set -euo pipefail
usage="usage: pg-standby.sh start|stop DIR [DBNAME]"
action=${1:?$usage}
dir=$(realpath -m "${2:?$usage}")
db=${3:-pmpp}
primary_port=${PG_STANDBY_PORT:-54330}
standby_port=$((primary_port + 1))
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
if [ -z "$pg_bin" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql, or scripts/system-deps.sh as root)." >&2
  exit 1
fi
if [ "$(id -u)" = 0 ]; then
  owner=postgres
  as_owner() { su "$owner" -s /bin/bash -c "$*"; }
else
  owner=$(id -un)
  as_owner() { bash -c "$*"; }
fi
# One query, unaligned and without headers, on the server listening on port $1.
query() { as_owner "'$pg_bin/psql' -h '$dir' -p $1 -U postgres -d postgres -XAtc \"$2\""; }
running() { as_owner "'$pg_bin/pg_ctl' -D '$dir/$1' status" >/dev/null 2>&1; }
# Waits up to 30 s for query $2 on port $1 to answer "t"; $3 names what is awaited.
await() {
  for _ in $(seq 150); do
    [ "$(query "$1" "$2" 2>/dev/null)" = t ] && return 0
    sleep 0.2
  done
  echo "pg-standby.sh: gave up waiting for $3 (logs in $dir/*.log)" >&2
  exit 1
}

case "$action" in
  start)
    mkdir -p "$dir"
    chown "$owner" "$dir"
    chmod 700 "$dir"
    if [ ! -f "$dir/primary/PG_VERSION" ]; then
      as_owner "'$pg_bin/initdb' -D '$dir/primary' -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8 --no-sync" >/dev/null
      cat >>"$dir/primary/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
port = $primary_port
wal_level = replica
max_wal_senders = 4
hot_standby = on
shared_buffers = 32MB
max_connections = 40
# Throwaway: no durability needed. synchronous_commit stays on, so that pg_current_wal_lsn()
# after a commit covers it (the scenario waits for the standby to replay up to there).
fsync = off
full_page_writes = off
jit = off
CONF
      # Local socket connections only, trusted, replication included (pg_basebackup, the standby).
      cat >"$dir/primary/pg_hba.conf" <<HBA
local all         all trust
local replication all trust
HBA
    fi
    running primary || as_owner "'$pg_bin/pg_ctl' -D '$dir/primary' -l '$dir/primary.log' -w start" >/dev/null
    if [ ! -f "$dir/standby/PG_VERSION" ]; then
      # -R writes standby.signal and primary_conninfo (the primary's socket and port); the
      # standby starts from the primary's postgresql.conf, so it takes its own port after it.
      as_owner "'$pg_bin/pg_basebackup' -h '$dir' -p $primary_port -U postgres -D '$dir/standby' -R -X stream -c fast --no-sync"
      echo "port = $standby_port" >>"$dir/standby/postgresql.conf"
    fi
    running standby || as_owner "'$pg_bin/pg_ctl' -D '$dir/standby' -l '$dir/standby.log' -w start" >/dev/null
    await "$standby_port" "select pg_is_in_recovery()" "the standby to accept read-only connections"
    await "$primary_port" "select count(*) = 1 from pg_stat_replication where state = 'streaming'" \
      "the standby to stream from the primary"
    if [ "$(query "$primary_port" "select count(*) from pg_database where datname = '$db'")" = 0 ]; then
      as_owner "'$pg_bin/createdb' -h '$dir' -p $primary_port -U postgres '$db'"
    fi
    await "$standby_port" "select count(*) = 1 from pg_database where datname = '$db'" "the database on the standby"
    echo "DATABASE_URL=postgres://postgres@/$db?host=$dir&port=$primary_port"
    echo "REPORTING_DATABASE_URL=postgres://postgres@/$db?host=$dir&port=$standby_port"
    ;;
  stop)
    # The standby first: stopped after its primary, it would only retry its connection.
    for server in standby primary; do
      as_owner "'$pg_bin/pg_ctl' -D '$dir/$server' -m fast -w stop" >/dev/null 2>&1 || true
    done
    ;;
  *)
    echo "$usage" >&2
    exit 2
    ;;
esac
