#!/bin/sh
# Uploads the one backup directory under $SRC_DIR to $S3_REMOTE:$S3_PATH/<its name>/, checks the
# upload, then applies retention: objects under $S3_PATH older than $RETENTION_DAYS days are deleted
# (only after a successful upload, so a failing backup never eats the old ones). The remote is
# configured entirely from RCLONE_CONFIG_<REMOTE>_* variables (keys from a Secret).
set -eu
: "${S3_REMOTE:?S3_REMOTE is not set}"
: "${S3_PATH:?S3_PATH is not set}"
: "${RETENTION_DAYS:?RETENTION_DAYS is not set}"
SRC_DIR=${SRC_DIR:-/work/out}

log() { printf '%s s3-upload: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

case $RETENTION_DAYS in
  ''|*[!0-9]*|0) log "RETENTION_DAYS must be a whole number of days >= 1, got \"$RETENTION_DAYS\""; exit 2 ;;
esac

found=""
for d in "$SRC_DIR"/*/; do
  [ -d "$d" ] || continue
  if [ -n "$found" ]; then
    log "more than one backup directory in $SRC_DIR"
    exit 1
  fi
  found=${d%/}
done
if [ -z "$found" ]; then
  log "no backup directory in $SRC_DIR: nothing was produced"
  exit 1
fi
id=${found##*/}
dest="$S3_REMOTE:$S3_PATH/$id"

rclone copy "$found" "$dest"
rclone check --one-way "$found" "$dest"
log "uploaded backup $id to $S3_PATH/$id ($(find "$found" -type f | wc -l) files, checked)"

old=$(rclone lsf -R --files-only --min-age "${RETENTION_DAYS}d" "$S3_REMOTE:$S3_PATH")
if [ -n "$old" ]; then
  n=$(printf '%s\n' "$old" | wc -l)
  rclone delete --min-age "${RETENTION_DAYS}d" "$S3_REMOTE:$S3_PATH"
  log "retention: deleted $n object(s) older than $RETENTION_DAYS days under $S3_PATH"
else
  log "retention: nothing older than $RETENTION_DAYS days under $S3_PATH"
fi
