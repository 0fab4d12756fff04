#!/bin/sh
# Logical dump of a PostgreSQL server: every database that accepts connections (or those in
# $DATABASES), each as `pg_dump -Fc` gzipped, plus the roles (`pg_dumpall --globals-only`, without
# password hashes), into $OUT_DIR/<UTC stamp>/ with a SHA256SUMS manifest written last.
# Connection from the PG* variables (PGPASSWORD from a Secret); nothing secret on a command line.
set -eu
: "${PGHOST:?PGHOST is not set}"
: "${PGUSER:?PGUSER is not set}"
OUT_DIR=${OUT_DIR:-/work/out}
export PGDATABASE="${PGDATABASE:-postgres}"

log() { printf '%s pg-dump: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
dir="$OUT_DIR/$stamp"
mkdir -p "$dir"
log "dumping ${PGHOST}:${PGPORT:-5432} into $dir"

if [ -n "${DATABASES:-}" ]; then
  dbs=$DATABASES
else
  dbs=$(psql -X -A -t -v ON_ERROR_STOP=1 -c "SELECT datname FROM pg_database WHERE datallowconn AND NOT datistemplate ORDER BY 1")
fi

count=0
for db in $dbs; do
  case $db in
    *[!A-Za-z0-9_-]*) log "skipping database \"$db\": its name is not a safe file name"; continue ;;
  esac
  # pg_dump writes a file (not a pipe): its own exit status decides, and gzip only runs on a whole dump.
  pg_dump -Fc -Z 0 -d "$db" -f "$dir/$db.dump"
  gzip -6 "$dir/$db.dump"
  log "dumped database $db ($(wc -c < "$dir/$db.dump.gz") bytes gzipped)"
  count=$((count + 1))
done
if [ "$count" -eq 0 ]; then
  log "no database was dumped"
  exit 1
fi

pg_dumpall --globals-only --no-role-passwords -f "$dir/globals.sql"
gzip -6 "$dir/globals.sql"
log "dumped roles and tablespaces (no password hashes)"

(cd "$dir" && sha256sum -- *.gz > SHA256SUMS)
log "done: $count database(s) in backup $stamp"
