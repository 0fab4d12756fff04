#!/bin/sh
# Snapshots every Qdrant collection (POST /collections/<c>/snapshots), downloads each into
# $OUT_DIR/<UTC stamp>/<collection>/, checks its sha256 when Qdrant reports one, and deletes it on
# the server (the copy lives in S3 from the next container on). The API key goes to curl in a
# header file (mode 600), never on a command line. A run with no collection still writes its
# manifest, so the freshness check sees that the job ran.
set -eu
: "${QDRANT_URL:?QDRANT_URL is not set}"
: "${QDRANT_API_KEY:?QDRANT_API_KEY is not set}"
OUT_DIR=${OUT_DIR:-/work/out}
HEADER_FILE=${HEADER_FILE:-/tmp/qdrant-api-key.header}

log() { printf '%s qdrant-snapshot: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

umask 077
printf 'api-key: %s\n' "$QDRANT_API_KEY" > "$HEADER_FILE"
umask 022
q() { curl -fsS --retry 3 --max-time 1800 -H "@$HEADER_FILE" "$@"; }

stamp=$(date -u +%Y%m%dT%H%M%SZ)
dir="$OUT_DIR/$stamp"
mkdir -p "$dir"
# Two steps, not a pipe: sh has no pipefail, and a failed request must fail the run.
listing=$(q "$QDRANT_URL/collections")
collections=$(printf '%s' "$listing" | jq -r '.result.collections[].name | @uri')
count=0
for c in $collections; do
  mkdir -p "$dir/$c"
  created=$(q -X POST "$QDRANT_URL/collections/$c/snapshots?wait=true")
  snap=$(printf '%s' "$created" | jq -r '.result.name')
  # Qdrant names a snapshot after its collection: encoded for the URL like the collection.
  snap_uri=$(printf '%s' "$created" | jq -r '.result.name | @uri')
  sum=$(printf '%s' "$created" | jq -r '.result.checksum // empty')
  case $snap in
    ''|null|*/*) log "collection $c: Qdrant returned no snapshot name"; exit 1 ;;
  esac
  q -o "$dir/$c/$snap" "$QDRANT_URL/collections/$c/snapshots/$snap_uri"
  if [ -n "$sum" ] && ! printf '%s  %s\n' "$sum" "$dir/$c/$snap" | sha256sum -c > /dev/null; then
    log "collection $c: snapshot $snap does not match the checksum Qdrant reported"
    exit 1
  fi
  q -X DELETE "$QDRANT_URL/collections/$c/snapshots/$snap_uri?wait=true" > /dev/null
  log "collection $c: snapshot $snap ($(wc -c < "$dir/$c/$snap") bytes) downloaded, removed from the server"
  count=$((count + 1))
done
printf 'collections: %s\n' "$count" > "$dir/MANIFEST"
log "done: $count collection(s) in backup $stamp"
