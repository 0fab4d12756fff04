#!/bin/sh
# Downloads one backup from $S3_REMOTE:$S3_PATH into $DEST_DIR/<id>/: $BACKUP_ID, or the newest
# (backup directories are UTC stamps, so the last in sort order is the newest). Writes the id to
# $DEST_DIR/BACKUP_ID for the next container.
set -eu
: "${S3_REMOTE:?S3_REMOTE is not set}"
: "${S3_PATH:?S3_PATH is not set}"
DEST_DIR=${DEST_DIR:-/work/in}
BACKUP_ID=${BACKUP_ID:-latest}

log() { printf '%s s3-fetch: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

if [ "$BACKUP_ID" = latest ]; then
  dirs=$(rclone lsf --dirs-only "$S3_REMOTE:$S3_PATH" | sort)
  BACKUP_ID=""
  # Only stamp directories (20261202T023000Z/) count: anything else put there by hand is not a backup.
  for d in $dirs; do
    case $d in
      [0-9][0-9][0-9][0-9][0-9][0-9][0-9][0-9]T[0-9][0-9][0-9][0-9][0-9][0-9]Z/) BACKUP_ID=${d%/} ;;
    esac
  done
  if [ -z "$BACKUP_ID" ]; then
    log "no backup under $S3_PATH"
    exit 1
  fi
fi
case $BACKUP_ID in
  *[!A-Za-z0-9_.-]*) log "BACKUP_ID \"$BACKUP_ID\" is not a backup directory name"; exit 2 ;;
esac

mkdir -p "$DEST_DIR/$BACKUP_ID"
rclone copy "$S3_REMOTE:$S3_PATH/$BACKUP_ID" "$DEST_DIR/$BACKUP_ID"
files=$(find "$DEST_DIR/$BACKUP_ID" -type f | wc -l)
if [ "$files" -eq 0 ]; then
  log "backup $BACKUP_ID under $S3_PATH is empty or does not exist"
  exit 1
fi
printf '%s\n' "$BACKUP_ID" > "$DEST_DIR/BACKUP_ID"
log "fetched backup $BACKUP_ID from $S3_PATH ($files files)"
