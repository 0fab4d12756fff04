#!/bin/sh
# Restores a fetched dump into the server the PG* variables name: first the roles (globals.sql; roles
# that already exist are reported and kept), then each database in $DATABASES (default: every dump
# in the backup but the maintenance database "postgres") into a database named
# <name>$RESTORE_SUFFIX. A target database that already exists is refused unless RESTORE_CLEAN=true
# (then pg_restore drops and recreates its objects).
set -eu
: "${PGHOST:?PGHOST is not set}"
: "${PGUSER:?PGUSER is not set}"
SRC_DIR=${SRC_DIR:-/work/in}
RESTORE_SUFFIX=${RESTORE_SUFFIX:-}
RESTORE_CLEAN=${RESTORE_CLEAN:-false}
RESTORE_GLOBALS=${RESTORE_GLOBALS:-true}
export PGDATABASE="${PGDATABASE:-postgres}"

log() { printf '%s pg-restore: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

id=$(cat "$SRC_DIR/BACKUP_ID")
dir="$SRC_DIR/$id"
(cd "$dir" && sha256sum -c SHA256SUMS > /dev/null) || { log "backup $id: a file does not match SHA256SUMS"; exit 1; }
log "restoring backup $id into ${PGHOST}:${PGPORT:-5432}"

if [ "$RESTORE_GLOBALS" = true ] && [ -f "$dir/globals.sql.gz" ]; then
  # Without ON_ERROR_STOP: a role that already exists is an error line, not a reason to stop.
  gzip -dc "$dir/globals.sql.gz" | psql -X -q -o /dev/null 2>&1 | while IFS= read -r line; do log "roles: $line"; done
  log "roles restored (passwords are not in the dump: the app-database Jobs set them again)"
fi

dbs=${DATABASES:-}
if [ -z "$dbs" ]; then
  for f in "$dir"/*.dump.gz; do
    [ -f "$f" ] || continue
    n=${f##*/}
    n=${n%.dump.gz}
    # The maintenance database holds Spilo's own helpers: restored only when DATABASES names it.
    if [ "$n" = postgres ]; then
      log "skipping database postgres (the maintenance database; name it in DATABASES to restore it)"
      continue
    fi
    dbs="$dbs $n"
  done
fi
restored=0
for db in $dbs; do
  f="$dir/$db.dump.gz"
  [ -f "$f" ] || { log "backup $id has no dump of database $db"; exit 1; }
  target="$db$RESTORE_SUFFIX"
  # psql -c does not interpolate variables: the query goes through stdin.
  exists=$(printf "SELECT count(*) FROM pg_database WHERE datname = :'name';\n" | psql -X -A -t -v ON_ERROR_STOP=1 -v name="$target")
  if [ "$exists" != 0 ]; then
    if [ "$RESTORE_CLEAN" != true ]; then
      log "database $target already exists on the target: set RESTORE_SUFFIX (e.g. _restored) or RESTORE_CLEAN=true to overwrite its objects"
      exit 1
    fi
    gzip -dc "$f" | pg_restore --exit-on-error --clean --if-exists -d "$target"
  else
    createdb "$target"
    gzip -dc "$f" | pg_restore --exit-on-error -d "$target"
  fi
  log "restored database $db as $target"
  restored=$((restored + 1))
done
log "done: $restored database(s) restored from backup $id"
