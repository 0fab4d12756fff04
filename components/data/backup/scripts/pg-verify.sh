#!/bin/sh
# Reads a fetched dump back: the manifest's checksums, `gzip -t` on every file, and the catalogue of
# every database dump (`pg_restore --list`, which parses the whole archive's table of contents).
# Fails loudly on the first broken file.
set -eu
SRC_DIR=${SRC_DIR:-/work/in}

log() { printf '%s pg-verify: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

id=$(cat "$SRC_DIR/BACKUP_ID")
dir="$SRC_DIR/$id"
if ! (cd "$dir" && sha256sum -c SHA256SUMS > /dev/null); then
  log "backup $id: a file does not match SHA256SUMS"
  exit 1
fi
dumps=0
for f in "$dir"/*.gz; do
  [ -f "$f" ] || continue
  if ! gzip -t "$f"; then
    log "backup $id: ${f##*/} is not a valid gzip file"
    exit 1
  fi
  case $f in
    *.dump.gz)
      # Not beside the files: they belong to the user that fetched them.
      toc="${TMPDIR:-/tmp}/toc.$$"
      if ! gzip -dc "$f" | pg_restore --list > "$toc"; then
        log "backup $id: pg_restore cannot read the catalogue of ${f##*/}"
        exit 1
      fi
      tables=$(grep -c ' TABLE DATA ' "$toc" || true)
      entries=$(grep -vc '^;' "$toc" || true)
      log "backup $id: ${f##*/} reads back: $entries catalogue entries, $tables with table data"
      rm -f "$toc"
      dumps=$((dumps + 1))
      ;;
  esac
done
if [ "$dumps" -eq 0 ]; then
  log "backup $id holds no database dump"
  exit 1
fi
log "backup $id verified: $dumps database dump(s), checksums and gzip streams intact"
