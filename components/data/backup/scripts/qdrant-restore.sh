#!/bin/sh
# Restores collections of a fetched Qdrant backup: each snapshot is uploaded to
# POST /collections/<c>/snapshots/upload?priority=snapshot, which (re)creates the collection from it.
# $COLLECTIONS picks some (default: every collection in the backup). API key as in qdrant-snapshot.sh.
set -eu
: "${QDRANT_URL:?QDRANT_URL is not set}"
: "${QDRANT_API_KEY:?QDRANT_API_KEY is not set}"
SRC_DIR=${SRC_DIR:-/work/in}
HEADER_FILE=${HEADER_FILE:-/tmp/qdrant-api-key.header}

log() { printf '%s qdrant-restore: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

umask 077
printf 'api-key: %s\n' "$QDRANT_API_KEY" > "$HEADER_FILE"
umask 022

id=$(cat "$SRC_DIR/BACKUP_ID")
dir="$SRC_DIR/$id"
names=${COLLECTIONS:-}
if [ -z "$names" ]; then
  for d in "$dir"/*/; do
    [ -d "$d" ] || continue
    d=${d%/}
    names="$names ${d##*/}"
  done
fi
restored=0
for c in $names; do
  snap=""
  for f in "$dir/$c"/*; do
    [ -f "$f" ] && snap=$f
  done
  [ -n "$snap" ] || { log "backup $id has no snapshot of collection $c"; exit 1; }
  curl -fsS --max-time 3600 -H "@$HEADER_FILE" -X POST -F "snapshot=@$snap" \
    "$QDRANT_URL/collections/$c/snapshots/upload?priority=snapshot&wait=true" > /dev/null
  log "collection $c restored from ${snap##*/}"
  restored=$((restored + 1))
done
log "done: $restored collection(s) restored from backup $id"
