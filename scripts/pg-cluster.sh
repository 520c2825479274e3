#!/usr/bin/env bash
# A local PostgreSQL cluster for benchmarks: `scripts/pg-cluster.sh start DIR` prints the
# DATABASE_URL to use; `stop DIR` stops it. The data stays in DIR between runs, so a
# generated data set is made once. Runs the server as `postgres` when called as root
# (initdb refuses root), as the caller otherwise. Unix socket only, no TCP port.
set -euo pipefail
action=${1:?usage: pg-cluster.sh start|stop DIR [DBNAME]}
dir=$(realpath -m "${2:?usage: pg-cluster.sh start|stop DIR [DBNAME]}")
db=${3:-pmpp_bench}
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
case "$action" in
  start)
    mkdir -p "$dir"
    chown "$owner" "$dir"
    chmod 700 "$dir"
    if [ ! -f "$dir/data/PG_VERSION" ]; then
      as_owner "'$pg_bin/initdb' -D '$dir/data' -A trust -U postgres --encoding=UTF8 --locale=C.UTF-8" >/dev/null
      # Sized for the 2-core, ~24 GB benchmark machine; see bench/README.md.
      cat >>"$dir/data/postgresql.conf" <<CONF
listen_addresses = ''
unix_socket_directories = '$dir'
shared_buffers = 2GB
effective_cache_size = 12GB
work_mem = 64MB
maintenance_work_mem = 1GB
max_wal_size = 8GB
jit = off
CONF
    fi
    if ! as_owner "'$pg_bin/pg_ctl' -D '$dir/data' status" >/dev/null 2>&1; then
      as_owner "'$pg_bin/pg_ctl' -D '$dir/data' -l '$dir/server.log' -w start" >/dev/null
    fi
    if ! as_owner "'$pg_bin/psql' -h '$dir' -U postgres -Atc \"select 1 from pg_database where datname='$db'\"" | grep -q 1; then
      as_owner "'$pg_bin/createdb' -h '$dir' -U postgres '$db'"
    fi
    echo "postgres://postgres@/$db?host=$dir"
    ;;
  stop)
    as_owner "'$pg_bin/pg_ctl' -D '$dir/data' -m fast stop" >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: pg-cluster.sh start|stop DIR [DBNAME]" >&2
    exit 2
    ;;
esac
