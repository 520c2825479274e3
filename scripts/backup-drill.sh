#!/usr/bin/env bash
# Backup and restore drill (issue 9): prove that last night's kind of backup can be restored.
#
#   scripts/backup-drill.sh [DATABASE_URL]        (default: $DATABASE_URL)
#
# 1. pg_dump the database in custom format, inside a REPEATABLE READ snapshot that is also
#    used to count the rows of every table: the counts are those of the dump, even while
#    the application keeps writing.
# 2. pg_restore the dump into a scratch database on the same server (dropped at the end).
# 3. Compare the row counts of every table, source snapshot against restored copy.
# 4. Run `manage.py verify_audit` against the restored copy: the audit hash chain must be
#    intact after the round trip.
# Prints a summary; exits 0 only when every count matches and the chain verifies.
#
# Environment: PG_BIN (folder of pg_dump/pg_restore/psql; default the newest
# /usr/lib/postgresql/*/bin, else PATH), PYTHON (default .venv/bin/python), BACKUP_DIR (keep
# the dump there; default a temporary folder, deleted), KEEP_SCRATCH=1 (keep the restored
# database for inspection). The role needs CREATEDB. The manage.py environment (SECRET_KEY…)
# is inherited.
set -euo pipefail
cd "$(dirname "$0")/.."

source_url=${1:-${DATABASE_URL:-}}
if [[ ! $source_url =~ ^postgres(ql)?:// ]]; then
  echo "usage: scripts/backup-drill.sh postgres://… (or DATABASE_URL=postgres://…)" >&2
  exit 2
fi
pg_bin=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}
tool() { if [ -n "$pg_bin" ] && [ -x "$pg_bin/$1" ]; then echo "$pg_bin/$1"; else command -v "$1"; fi; }
PG_DUMP=${PG_DUMP:-$(tool pg_dump)}
PG_RESTORE=${PG_RESTORE:-$(tool pg_restore)}
PSQL=${PSQL:-$(tool psql)}
PYTHON=${PYTHON:-.venv/bin/python}

# The same URL with another database name (user, host, socket folder and options kept).
url_with_db() {
  "$PYTHON" -c 'import sys; from urllib.parse import quote, urlsplit, urlunsplit
p = urlsplit(sys.argv[1]); print(urlunsplit(p._replace(path="/" + quote(sys.argv[2]))))' "$1" "$2"
}
source_db=$("$PYTHON" -c 'import sys; from urllib.parse import unquote, urlsplit
print(unquote(urlsplit(sys.argv[1]).path.lstrip("/")))' "$source_url")
scratch_db="${source_db:0:40}_drill_$(date +%Y%m%d%H%M%S)_$$"
scratch_url=$(url_with_db "$source_url" "$scratch_db")

work=$(mktemp -d)
dump="${BACKUP_DIR:-$work}/${source_db}-$(date +%Y%m%d-%H%M%S).dump"
mkdir -p "$(dirname "$dump")"
cleanup() {
  if [ "${KEEP_SCRATCH:-0}" != 1 ]; then
    "$PSQL" -X -q --dbname="$source_url" -c "DROP DATABASE IF EXISTS \"$scratch_db\" WITH (FORCE)" >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

# One line per table: "schema.table count", exact counts (not the planner's estimates).
count_sql="SELECT table_schema || '.' || table_name || ' ' || (xpath('/row/c/text()', query_to_xml(
  format('SELECT count(*) AS c FROM %I.%I', table_schema, table_name), false, true, '')))[1]::text
FROM information_schema.tables
WHERE table_type = 'BASE TABLE' AND table_schema NOT IN ('pg_catalog', 'information_schema')
ORDER BY 1;"
end_marker="-- end of counts --"

echo "== Sauvegarde / backup: $source_db → $dump"
# A session holds the snapshot: pg_dump reads it (--snapshot), then the same session counts.
coproc SNAPSHOT { "$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 --dbname="$source_url"; }
# Bash unsets SNAPSHOT_PID as soon as the coprocess exits, which may be before the `wait`
# below on a busy machine (`set -u` then stops the drill): keep the pid now.
snapshot_pid=$SNAPSHOT_PID
printf '%s\n' "BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY;" "SELECT pg_export_snapshot();" >&"${SNAPSHOT[1]}"
IFS= read -r -t 60 snapshot <&"${SNAPSHOT[0]}" || { echo "ÉCHEC : connexion à la base source impossible." >&2; exit 1; }
"$PG_DUMP" --format=custom --snapshot="$snapshot" --file="$dump" --dbname="$source_url"
printf '%s\n' "$count_sql" "SELECT '$end_marker';" "COMMIT;" >&"${SNAPSHOT[1]}"
while IFS= read -r -t 600 line <&"${SNAPSHOT[0]}"; do
  [ "$line" = "$end_marker" ] && break
  echo "$line"
done >"$work/source.unsorted" # (no pipe here: a subshell cannot read the coprocess)
exec {SNAPSHOT[1]}>&-
wait "$snapshot_pid" 2>/dev/null || true
LC_ALL=C sort "$work/source.unsorted" >"$work/source.counts"
echo "   $(du -h "$dump" | cut -f1), $(wc -l <"$work/source.counts") tables"

echo "== Restauration / restore into scratch database $scratch_db"
"$PSQL" -X -q -v ON_ERROR_STOP=1 --dbname="$source_url" -c "CREATE DATABASE \"$scratch_db\""
"$PG_RESTORE" --no-owner --no-privileges --exit-on-error --dbname="$scratch_url" "$dump"

"$PSQL" -X -q -A -t -v ON_ERROR_STOP=1 --dbname="$scratch_url" -c "$count_sql" |
  LC_ALL=C sort >"$work/restored.counts"

echo "== Comparaison des lignes / row counts"
differences=$(LC_ALL=C join -a1 -a2 -e absente -o 0,1.2,2.2 "$work/source.counts" "$work/restored.counts" |
  awk '$2 != $3 { printf "   %-60s source %s, restaurée / restored %s\n", $1, $2, $3 }')
tables=$(wc -l <"$work/source.counts")
rows=$(awk '{ s += $2 } END { print s + 0 }' "$work/source.counts")
if [ -n "$differences" ]; then
  counts_ok=0
  echo "$differences"
else
  counts_ok=1
  echo "   $tables tables, $rows lignes / rows : identiques / identical"
fi

echo "== Chaîne d'audit / audit chain (manage.py verify_audit on the restored copy)"
audit_ok=1
if "$PYTHON" manage.py help verify_audit >/dev/null 2>&1; then
  if DATABASE_URL="$scratch_url" REPORTING_DATABASE_URL="" "$PYTHON" manage.py verify_audit; then
    audit="OK"
  else
    audit_ok=0
    audit="BROKEN"
  fi
else
  audit="not checked (this version has no manage.py verify_audit)"
  echo "   manage.py verify_audit n'existe pas : chaîne d'audit non vérifiée / not checked"
fi

echo "== Bilan / summary"
echo "   dump          : $([ -n "${BACKUP_DIR:-}" ] && echo "$dump (kept)" || echo "deleted after the drill")"
echo "   row counts    : $([ $counts_ok = 1 ] && echo "OK ($tables tables, $rows rows)" || echo "DIFFERENT")"
echo "   audit chain   : $audit"
if [ $counts_ok = 1 ] && [ $audit_ok = 1 ]; then
  echo "RÉUSSI / PASSED: the backup restores completely."
  exit 0
fi
echo "ÉCHEC / FAILED: the restored copy differs from the source." >&2
exit 1
