#!/bin/sh
# Creates MinIO's buckets, their lifecycle expiry, and one user per consumer with a policy limited
# to its buckets. Safe to run again: every step sets the declared state instead of adding to it.
#   MINIO_ENDPOINT                         host:port of the MinIO API
#   MINIO_ROOT_USER, MINIO_ROOT_PASSWORD   root credentials (from a Secret, never a command line)
#   CONFIG_DIR (/config)   buckets: "<bucket> <days|->" per line; users: one consumer per line;
#                          lifecycle-<bucket>.json, policy-<consumer>.json
#   USERS_DIR (/users)     <consumer>/access-key-id and <consumer>/secret-access-key (mounted Secrets)
#   WAIT_TRIES (60), WAIT_SECONDS (5)      how long to wait for MinIO to answer
set -eu

: "${MINIO_ENDPOINT:?MINIO_ENDPOINT is required}"
: "${MINIO_ROOT_USER:?MINIO_ROOT_USER is required}"
: "${MINIO_ROOT_PASSWORD:?MINIO_ROOT_PASSWORD is required}"
CONFIG_DIR=${CONFIG_DIR:-/config}
USERS_DIR=${USERS_DIR:-/users}
WAIT_TRIES=${WAIT_TRIES:-60}
WAIT_SECONDS=${WAIT_SECONDS:-5}

# mc reads the alias, credentials included, from the environment: nothing secret on a command line.
# The generated credentials are letters and digits, so they need no URL escaping.
MC_HOST_minio="http://${MINIO_ROOT_USER}:${MINIO_ROOT_PASSWORD}@${MINIO_ENDPOINT}"
export MC_HOST_minio

tries=0
until mc admin info minio >/dev/null 2>&1; do
  tries=$((tries + 1))
  if [ "$tries" -ge "$WAIT_TRIES" ]; then
    echo "minio-buckets: MinIO at $MINIO_ENDPOINT did not answer after $tries tries" >&2
    exit 1
  fi
  sleep "$WAIT_SECONDS"
done

# Buckets and expiry. `mc ilm rule add` would append another rule on every run; importing the whole
# lifecycle configuration replaces it, so a rerun leaves exactly the declared rule.
while read -r bucket days <&3; do
  [ -n "$bucket" ] || continue
  mc mb --ignore-existing "minio/$bucket"
  if [ "$days" = "-" ]; then
    # No expiry declared: remove a lifecycle left from an earlier config (export fails when none is set).
    if mc ilm rule export "minio/$bucket" >/dev/null 2>&1; then
      mc ilm rule rm --all --force "minio/$bucket"
    fi
  else
    mc ilm rule import "minio/$bucket" <"$CONFIG_DIR/lifecycle-$bucket.json"
  fi
done 3<"$CONFIG_DIR/buckets"

# One user per consumer. `policy create` replaces a policy of that name, `user add` sets the secret
# key (read from stdin, off the command line), and attaching an attached policy changes nothing.
while read -r consumer <&3; do
  [ -n "$consumer" ] || continue
  access_key=$(cat "$USERS_DIR/$consumer/access-key-id")
  mc admin policy create minio "consumer-$consumer" "$CONFIG_DIR/policy-$consumer.json"
  mc admin user add minio "$access_key" <"$USERS_DIR/$consumer/secret-access-key"
  mc admin policy attach minio "consumer-$consumer" --user "$access_key"
done 3<"$CONFIG_DIR/users"

echo "minio-buckets: done"
