#!/usr/bin/env bash
# The backup CronJobs' own scripts (components/data/backup/scripts), run for real: a PostgreSQL 15
# on 127.0.0.1 with known rows, s3rver (npm; a real S3 API on 127.0.0.1, standing in for MinIO, of
# which no binary can be had here) and Debian's rclone as the S3 client, configured only from
# RCLONE_CONFIG_STORE_* variables as in the pods.
# Checks: pg-dump.sh + s3-upload.sh upload a dump; retention deletes only objects older than the
# cut-off (old objects are seeded through rclone with controlled modification times, which rclone
# stores as object metadata and reads back for --min-age: the same path as in the cluster);
# freshness.sh passes on a fresh backup and fails, naming the backup and its age, on a stale or
# missing one; s3-fetch.sh + pg-verify.sh read the newest dump back and reject a corrupted one;
# pg-restore.sh restores it into a fresh server with the same row count, checksum and owner.
# Qdrant's scripts run against a stub of Qdrant's snapshot API (tests/integration/fake-qdrant.js; no
# Qdrant binary here): every collection snapshotted, checked, deleted on the server, uploaded,
# fetched and uploaded back byte for byte, the API key only in a mode-600 header file.
# Prints "RESULT backup-roundtrip ok" on success.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=/usr/lib/postgresql/15/bin
PG_A=25441
PG_B=25442
S3_PORT=25443
BUCKET=postgres-backups
work=$(mktemp -d /tmp/backup-rt.XXXXXX)
chmod 711 "$work"
mkdir -p "$work/pg"
chown postgres: "$work/pg"
chmod 700 "$work/pg"
s3pid=""
qdpid=""

as_pg() { (cd "$work/pg" && setpriv --reuid=postgres --regid=postgres --init-groups "$@"); }
# Each script runs as the user its container runs as: the pg tools as postgres (Alpine's image: 70),
# rclone and curl as nobody (65534); scratch directories are world-writable like an emptyDir, and the
# scripts are a copy readable by all, like the ConfigMap mount.
as_tool() { (cd / && setpriv --reuid=postgres --regid=postgres --init-groups env "$@"); }
as_nobody() { (cd / && setpriv --reuid=65534 --regid=65534 --clear-groups env "$@"); }
scratch() { mkdir -p "$1" && chmod 777 "$1"; }
SCRIPTS=$work/scripts
mkdir -p "$SCRIPTS"
cp "$ROOT"/components/data/backup/scripts/*.sh "$SCRIPTS/"
chmod 755 "$SCRIPTS" && chmod 644 "$SCRIPTS"/*.sh
cleanup() {
  for d in a b; do as_pg "$BIN/pg_ctl" -D "$work/pg/$d" -m immediate stop >/dev/null 2>&1 || true; done
  for pid in $s3pid $qdpid; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "backup-roundtrip: FAIL: $*" >&2; exit 1; }
step() { echo "backup-roundtrip: $*"; }

# Two servers, the superuser's password from a file (never on a command line).
printf '%s' 'super-secret' >"$work/pg/pw" && chown postgres: "$work/pg/pw"
for d in a b; do
  port=$PG_A; [[ $d == b ]] && port=$PG_B
  as_pg "$BIN/initdb" -D "$work/pg/$d" -U postgres --auth=scram-sha-256 --pwfile="$work/pg/pw" >/dev/null
  as_pg "$BIN/pg_ctl" -D "$work/pg/$d" -l "$work/pg/$d.log" -w -t 30 \
    -o "-c listen_addresses=127.0.0.1 -c port=$port -c unix_socket_directories=$work/pg" start >/dev/null
done
export PGHOST=127.0.0.1 PGUSER=postgres PGPASSWORD=super-secret PGDATABASE=postgres
sql() { psql -X -A -t -v ON_ERROR_STOP=1 -p "$1" -d "$2" -c "$3"; }

# Known rows in an application database owned by its own role.
sql $PG_A postgres "CREATE ROLE app LOGIN" >/dev/null
sql $PG_A postgres "CREATE DATABASE app OWNER app" >/dev/null
sql $PG_A app "SET ROLE app; CREATE TABLE items (id int PRIMARY KEY, name text NOT NULL, price numeric(10,2)); INSERT INTO items SELECT g, 'item ' || g, g * 1.25 FROM generate_series(1, 5000) g" >/dev/null
CHECKSUM="SELECT count(*) || ':' || md5(string_agg(id || '|' || name || '|' || price, ',' ORDER BY id)) FROM items"
expected=$(sql $PG_A app "$CHECKSUM")
[[ $expected == 5000:* ]] || fail "seed rows missing: $expected"

# The S3 endpoint: s3rver from node_modules on 127.0.0.1, its default key S3RVER/S3RVER.
"$ROOT/node_modules/.bin/s3rver" -d "$work/s3" -a 127.0.0.1 -p "$S3_PORT" --silent >"$work/s3rver.log" 2>&1 &
s3pid=$!
# The pods' environment has no AWS_* variables; a CA bundle from the host's would break rclone's plain-HTTP client.
unset AWS_CA_BUNDLE AWS_PROFILE AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN
scratch "$work/home"
export RCLONE_CONFIG=$work/home/rclone.conf HOME=$work/home
export RCLONE_CONFIG_STORE_TYPE=s3 RCLONE_CONFIG_STORE_PROVIDER=Other RCLONE_CONFIG_STORE_ENDPOINT=http://127.0.0.1:$S3_PORT
export RCLONE_CONFIG_STORE_REGION=us-east-1 RCLONE_CONFIG_STORE_FORCE_PATH_STYLE=true RCLONE_CONFIG_STORE_NO_CHECK_BUCKET=true
export RCLONE_CONFIG_STORE_ACCESS_KEY_ID=S3RVER RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY=S3RVER
up=""
for _ in $(seq 40); do
  # MinIO's bucket Job creates the bucket in the cluster; here the test does (NO_CHECK_BUCKET would skip it).
  if RCLONE_CONFIG_STORE_NO_CHECK_BUCKET=false rclone mkdir "store:$BUCKET" 2>/dev/null && rclone lsd store: 2>/dev/null | grep -q "$BUCKET"; then up=1; break; fi
  sleep 0.5
done
[[ -n $up ]] || { cat "$work/s3rver.log" >&2; fail "s3rver did not come up on 127.0.0.1:$S3_PORT"; }
step "PostgreSQL 15 on :$PG_A and :$PG_B, s3rver on :$S3_PORT, $(rclone version | head -n 1)"

# Older backups, seeded with controlled modification times: 40 days (past the 30-day cut-off) and
# 10 days (inside it). Stamps older than any new one.
seed() { # seed <path in bucket> <age>
  mkdir -p "$work/seed"
  printf 'old backup %s\n' "$1" >"$work/seed/f"
  touch -d "$2" "$work/seed/f"
  rclone copyto "$work/seed/f" "store:$BUCKET/$1"
}
seed dumps/20200101T000000Z/app.dump.gz "40 days ago"
seed dumps/20200101T000000Z/SHA256SUMS "40 days ago"
seed dumps/20200201T000000Z/app.dump.gz "10 days ago"
seed stale/20200101T000000Z/app.dump.gz "30 hours ago"
seed dumps/manual-copy/app.dump.gz "1 hour ago"   # not a stamp: never taken for the newest backup
[[ $(rclone lsf -R --files-only --min-age 30d "store:$BUCKET/dumps" | wc -l) -eq 2 ]] || fail "the seeded 40-day-old objects do not read back as older than 30 days (s3rver lost rclone's mtime metadata?)"

# The dump CronJob: its first container dumps, its second uploads and applies retention.
scratch "$work/job1"
out=$work/job1/out
as_tool OUT_DIR="$out" PGPORT=$PG_A sh "$SCRIPTS/pg-dump.sh" || fail "pg-dump.sh failed"
as_nobody SRC_DIR="$out" S3_REMOTE=store S3_PATH=$BUCKET/dumps RETENTION_DAYS=30 sh "$SCRIPTS/s3-upload.sh" | tee "$work/upload.log" || fail "s3-upload.sh failed"
listing=$(rclone lsf -R --files-only "store:$BUCKET/dumps")
new_id=$(ls "$out")
grep -qx "$new_id/app.dump.gz" <<<"$listing" || fail "the new dump is not in the bucket: $listing"
grep -qx "$new_id/globals.sql.gz" <<<"$listing" || fail "the roles dump is not in the bucket"
grep -qx "$new_id/SHA256SUMS" <<<"$listing" || fail "the manifest is not in the bucket"
grep -q '^20200101T000000Z/' <<<"$listing" && fail "retention kept the 40-day-old backup"
grep -qx '20200201T000000Z/app.dump.gz' <<<"$listing" || fail "retention deleted the 10-day-old backup (inside the cut-off)"
grep -q 'retention: deleted 2 object(s) older than 30 days' "$work/upload.log" || fail "the upload log does not say what retention deleted"
[[ $(rclone lsf -R --files-only "store:$BUCKET/stale" | wc -l) -eq 1 ]] || fail "retention reached outside its path"
step "dump uploaded as $new_id; retention deleted the 40-day-old objects, kept the 10-day-old one"

# Freshness: passes on the fresh dumps, fails on a 30-hour-old backup and on an empty location.
as_nobody TARGETS="postgres-dump store:$BUCKET/dumps" MAX_AGE_HOURS=26 sh "$SCRIPTS/freshness.sh" >"$work/fresh.log" 2>&1 || { cat "$work/fresh.log" >&2; fail "freshness failed on a fresh backup"; }
grep -q 'ok postgres-dump: newest backup is 0h' "$work/fresh.log" || fail "freshness did not report the fresh backup's age: $(cat "$work/fresh.log")"
if as_nobody TARGETS="postgres-dump store:$BUCKET/dumps
postgres-walg store:$BUCKET/stale
qdrant-snapshot store:$BUCKET/nothing-here" MAX_AGE_HOURS=26 sh "$SCRIPTS/freshness.sh" >"$work/stale.log" 2>&1; then
  fail "freshness passed with a 30-hour-old backup"
fi
grep -q 'STALE postgres-walg: newest backup is 30h0m old' "$work/stale.log" || grep -q 'STALE postgres-walg: newest backup is 29h59m old' "$work/stale.log" || fail "freshness did not name the stale backup and its age: $(cat "$work/stale.log")"
grep -q 'STALE qdrant-snapshot: no backup at all' "$work/stale.log" || fail "freshness did not name the missing backup"
grep -q 'ok postgres-dump' "$work/stale.log" || fail "freshness stopped at the first stale backup"
step "freshness: passes on a fresh dump; fails naming 'postgres-walg' (30 h old) and 'qdrant-snapshot' (none)"

# Verify: the newest dump is fetched and read back; a corrupted copy is refused.
scratch "$work/job2"
in=$work/job2/in
as_nobody S3_REMOTE=store S3_PATH=$BUCKET/dumps DEST_DIR="$in" sh "$SCRIPTS/s3-fetch.sh" || fail "s3-fetch.sh failed"
[[ $(cat "$in/BACKUP_ID") == "$new_id" ]] || fail "s3-fetch.sh did not pick the newest backup ($new_id): $(cat "$in/BACKUP_ID")"
as_tool SRC_DIR="$in" sh "$SCRIPTS/pg-verify.sh" >"$work/verify.log" || { cat "$work/verify.log" >&2; fail "pg-verify.sh refused a good dump"; }
grep -q 'app.dump.gz reads back: .* 1 with table data' "$work/verify.log" || fail "verify did not read the catalogue: $(cat "$work/verify.log")"
bad=$work/bad
cp -r "$in" "$bad"
head -c 2000 "$in/$new_id/app.dump.gz" >"$bad/$new_id/app.dump.gz"
(cd "$bad/$new_id" && sha256sum -- *.gz >SHA256SUMS)   # a truncated file with a matching manifest: only gzip/pg_restore can tell
if as_tool SRC_DIR="$bad" sh "$SCRIPTS/pg-verify.sh" >"$work/bad.log" 2>&1; then fail "pg-verify.sh accepted a truncated dump"; fi
grep -q 'is not a valid gzip file' "$work/bad.log" || fail "verify did not say what is wrong with the truncated dump: $(cat "$work/bad.log")"
step "verify: the newest dump reads back (gzip -t, pg_restore --list); a truncated one is refused"

# Restore into the fresh server: roles first, then the database, same rows and owner.
as_tool SRC_DIR="$in" PGPORT=$PG_B RESTORE_SUFFIX="" sh "$SCRIPTS/pg-restore.sh" >"$work/restore.log" 2>&1 || { cat "$work/restore.log" >&2; fail "pg-restore.sh failed"; }
got=$(sql $PG_B app "$CHECKSUM")
[[ $got == "$expected" ]] || fail "restored rows differ: expected $expected, got $got"
[[ $(sql $PG_B app "SELECT tableowner FROM pg_tables WHERE tablename = 'items'") == app ]] || fail "the restored table lost its owner"
# A second restore into the same name is refused, not merged.
if as_tool SRC_DIR="$in" PGPORT=$PG_B RESTORE_SUFFIX="" sh "$SCRIPTS/pg-restore.sh" >"$work/again.log" 2>&1; then fail "a restore over an existing database was not refused"; fi
grep -q 'database app already exists on the target' "$work/again.log" || fail "the refusal does not say why: $(cat "$work/again.log")"
step "restore: 5000 rows, checksum ${expected#*:} and owner match on a fresh server; a second restore over it is refused"

# Qdrant: the snapshot and restore scripts against the stub API, through the same S3 leg.
QD_PORT=25444
QKEY="qdrant-key-$RANDOM$RANDOM"
QDRANT_API_KEY=$QKEY node "$ROOT/tests/integration/fake-qdrant.js" "$QD_PORT" memories "docs two" >"$work/fake-qdrant.log" 2>&1 &
qdpid=$!
qstate() { curl -fsS -H "api-key: $QKEY" "http://127.0.0.1:$QD_PORT/__state"; }
for _ in $(seq 40); do qstate >/dev/null 2>&1 && break; sleep 0.25; done
qstate >/dev/null || { cat "$work/fake-qdrant.log" >&2; fail "the Qdrant stub did not come up"; }
RCLONE_CONFIG_STORE_NO_CHECK_BUCKET=false rclone mkdir store:qdrant-snapshots
export QDRANT_URL=http://127.0.0.1:$QD_PORT
scratch "$work/job3"
if as_nobody QDRANT_API_KEY=wrong OUT_DIR="$work/job3/wrong" HEADER_FILE="$work/job3/qh0" sh "$SCRIPTS/qdrant-snapshot.sh" >/dev/null 2>&1; then fail "qdrant-snapshot.sh succeeded with a wrong API key"; fi
as_nobody QDRANT_API_KEY="$QKEY" OUT_DIR="$work/job3/out" HEADER_FILE="$work/job3/qh" sh "$SCRIPTS/qdrant-snapshot.sh" || fail "qdrant-snapshot.sh failed"
[[ $(stat -c %a "$work/job3/qh") == 600 ]] || fail "the API key header file is not mode 600"
as_nobody SRC_DIR="$work/job3/out" S3_REMOTE=store S3_PATH=qdrant-snapshots/snapshots RETENTION_DAYS=30 sh "$SCRIPTS/s3-upload.sh" || fail "s3-upload.sh failed for the snapshots"
qid=$(ls "$work/job3/out")
[[ $(rclone lsf -R --files-only "store:qdrant-snapshots/snapshots/$qid" | grep -c '\.snapshot$') -eq 2 ]] || fail "not every collection's snapshot is in the bucket"
as_nobody TARGETS="qdrant-snapshot store:qdrant-snapshots/snapshots" sh "$SCRIPTS/freshness.sh" >/dev/null || fail "freshness failed on fresh snapshots"
scratch "$work/job4"
as_nobody S3_REMOTE=store S3_PATH=qdrant-snapshots/snapshots DEST_DIR="$work/job4/in" sh "$SCRIPTS/s3-fetch.sh" || fail "s3-fetch.sh failed for the snapshots"
as_nobody QDRANT_API_KEY="$QKEY" SRC_DIR="$work/job4/in" HEADER_FILE="$work/job4/qh" sh "$SCRIPTS/qdrant-restore.sh" || fail "qdrant-restore.sh failed"
st=$(qstate)
[[ $(jq '.created | length' <<<"$st") -eq 2 && $(jq '.deleted | length' <<<"$st") -eq 2 ]] || fail "snapshots were not created and then deleted on the server: $st"
for c in memories "docs two"; do
  made=$(jq -r --arg c "$c" '.created[] | select(.collection == $c) | .sha256' <<<"$st")
  back=$(jq -r --arg c "$c" '.uploads[$c] // empty' <<<"$st")
  [[ -n $made && $made == "$back" ]] || fail "collection \"$c\": the restored snapshot differs from the one taken ($made vs $back)"
done
[[ $(jq '.unauthorized' <<<"$st") -eq 1 ]] || fail "a call went out without the API key (or the wrong-key run made none): $st"
step "qdrant: 2 collections snapshotted, uploaded, fetched and restored byte for byte (stub API); a wrong key fails"

echo "RESULT backup-roundtrip ok"
