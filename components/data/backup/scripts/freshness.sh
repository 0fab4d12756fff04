#!/bin/sh
# Fails (exit 1) when the newest object of any backup in $TARGETS is older than $MAX_AGE_HOURS, or
# when a backup location is empty or cannot be listed; one log line per backup says how old its
# newest object is. $TARGETS: one "<name> <remote>:<path>" per line. Times are the objects'
# modification times as rclone reads them (its mtime metadata, else Last-Modified).
set -eu
: "${TARGETS:?TARGETS is not set}"
MAX_AGE_HOURS=${MAX_AGE_HOURS:-26}
export TZ=UTC

log() { printf '%s freshness: %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*"; }

case $MAX_AGE_HOURS in
  ''|*[!0-9]*|0) log "MAX_AGE_HOURS must be a whole number of hours >= 1, got \"$MAX_AGE_HOURS\""; exit 2 ;;
esac

now=$(date -u +%s)
status=0
checked=0
while read -r name where; do
  [ -n "$name" ] || continue
  checked=$((checked + 1))
  if ! listing=$(rclone lsf -R --files-only --format tp --separator '|' "$where"); then
    log "FAILED $name: cannot list $where"
    status=1
    continue
  fi
  newest=$(printf '%s\n' "$listing" | sort | tail -n 1)
  if [ -z "$newest" ]; then
    log "STALE $name: no backup at all under $where"
    status=1
    continue
  fi
  stamp=${newest%%|*}
  if ! then=$(date -u -d "$stamp" +%s 2>/dev/null); then
    log "FAILED $name: cannot read the time \"$stamp\" of ${newest#*|}"
    status=1
    continue
  fi
  age=$(( (now - then) / 60 ))
  shown="$((age / 60))h$((age % 60))m"
  if [ "$age" -gt $((MAX_AGE_HOURS * 60)) ]; then
    log "STALE $name: newest backup is $shown old ($stamp UTC, ${newest#*|}), limit ${MAX_AGE_HOURS}h"
    status=1
  else
    log "ok $name: newest backup is $shown old ($stamp UTC, ${newest#*|})"
  fi
done <<EOT
$TARGETS
EOT
if [ "$checked" -eq 0 ]; then
  log "TARGETS names no backup"
  exit 2
fi
if [ "$status" -ne 0 ]; then
  log "at least one backup is missing or older than ${MAX_AGE_HOURS}h"
fi
exit "$status"
