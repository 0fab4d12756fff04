#!/usr/bin/env bash
# Integration tests with real PostgreSQL 15, Patroni and etcd 3.4 on 127.0.0.0/8 (entry point of
# `npm run test:integration`). Installs what is missing from Debian, then runs the Patroni failover
# test (tests/integration/failover.sh) INTEGRATION_RUNS times (default 3), prints each run's failover
# seconds and lost writes, runs the app-database Job test (tests/integration/app-database.sh) and the
# self-test of the durability count's set arithmetic (tests/integration/sets-selftest.sh) and the
# Redis config test (tests/integration/redis-config.sh, Debian's redis-server), the
# preflight-over-SSH test (tests/integration/preflight.sh, Debian's openssh-server), the backup round
# trip (tests/integration/backup-roundtrip.sh: rclone, s3rver from node_modules), all from a
# mode-700 working directory, and ends with "integration: P passed, F failed" (exit 1 if any failed).
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
RUNS=${INTEGRATION_RUNS:-3}
START=$SECONDS

log() { printf 'integration: %s\n' "$*"; }

if [[ $(id -u) -ne 0 ]]; then
  log "must run as root (PostgreSQL members are started as the postgres user through setpriv, packages come from apt)"
  echo "integration: 0 passed, 1 failed"
  exit 1
fi

# Debian package that provides each thing the test uses.
declare -A NEEDS=(
  [/usr/bin/patroni]=patroni
  [/usr/bin/etcd]=etcd-server
  [/usr/lib/postgresql/15/bin/postgres]=postgresql-15
  [/usr/bin/psql]=postgresql-client-15
  [/usr/lib/python3/dist-packages/psycopg2]=python3-psycopg2
  [/usr/bin/curl]=curl
  [/usr/bin/jq]=jq
  [/usr/bin/prometheus]=prometheus
  [/usr/bin/prometheus-postgres-exporter]=prometheus-postgres-exporter
  [/usr/bin/flock]=util-linux
  [/usr/bin/setpriv]=util-linux
  [/usr/sbin/sshd]=openssh-server
  [/usr/bin/ssh]=openssh-client
  [/usr/bin/rclone]=rclone
  [/usr/bin/redis-server]=redis-server
  [/usr/bin/redis-cli]=redis-tools
  [/usr/bin/prometheus-redis-exporter]=prometheus-redis-exporter
)
missing=()
for path in "${!NEEDS[@]}"; do
  if [[ ! -e $path && " ${missing[*]} " != *" ${NEEDS[$path]} "* ]]; then missing+=("${NEEDS[$path]}"); fi
done
if ((${#missing[@]} > 0)); then
  log "installing ${missing[*]}"
  t=$SECONDS
  apt_opts=(-o DPkg::Lock::Timeout=300 -qq)
  apt-get "${apt_opts[@]}" update >/dev/null
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y --no-install-recommends "${missing[@]}" >/dev/null
  log "installed in $((SECONDS - t))s"
fi
if [[ ! -x $ROOT/node_modules/.bin/tsx ]]; then
  log "node_modules/.bin/tsx is missing: run npm ci first"
  echo "integration: 0 passed, 1 failed"
  exit 1
fi
log "$(patroni --version 2>&1), $(etcd --version 2>&1 | head -n 1), $(/usr/lib/postgresql/15/bin/postgres --version)"

passed=0
failed=0
summary=()

# Every test runs from a private directory (mode 700, owned by root), as if the checkout lived under a
# home directory the postgres user cannot enter: whatever runs as postgres must use a directory of its
# own, or the run fails here the way it would for such a checkout.
PRIVATE=$(mktemp -d /tmp/integration-cwd.XXXXXX)
chmod 700 "$PRIVATE"
trap 'rmdir "$PRIVATE" 2>/dev/null || true' EXIT
cd "$PRIVATE"
log "working directory $PRIVATE (mode 700, not enterable by postgres)"

# The durability count's set arithmetic, on known sets, before any run relies on it.
if sh "$ROOT/tests/integration/sets-selftest.sh" >"$PRIVATE/sets.log" 2>&1; then
  passed=$((passed + 1))
  log "set arithmetic self-test: PASS"
else
  failed=$((failed + 1))
  sed 's/^/integration:   /' "$PRIVATE/sets.log"
  log "set arithmetic self-test: FAIL"
fi
rm -f "$PRIVATE/sets.log"
for run in $(seq "$RUNS"); do
  out=$(mktemp)
  t=$SECONDS
  # Bounded: a run takes ~30-40 s; on timeout the script's trap still cleans up its processes.
  if timeout -k 10 300 bash "$ROOT/tests/integration/failover.sh" "$run" 2>&1 | tee "$out"; then
    rc=0
  else
    rc=$?
  fi
  result=$(grep '^RESULT ' "$out" || true)
  rm -f "$out"
  failover=$(sed -n 's/.* failover_s=\([^ ]*\).*/\1/p' <<<"$result")
  lost=$(sed -n 's/.* lost=\([^ ]*\).*/\1/p' <<<"$result")
  if [[ $rc -eq 0 && -n $result ]]; then
    passed=$((passed + 1))
    summary+=("run $run: PASS  failover ${failover}s  lost writes ${lost}  ($((SECONDS - t))s)")
  else
    failed=$((failed + 1))
    summary+=("run $run: FAIL  failover ${failover:-?}s  lost writes ${lost:-?}  ($((SECONDS - t))s, exit $rc)")
  fi
done

log "Patroni failover (kill -9 of the leader -> discovery sidecar points postgres-primary at the new leader)"
for line in "${summary[@]}"; do log "  $line"; done

# One bounded test script, counted in the summary: run_check <label> <seconds> <script>.
run_check() {
  local label=$1 bound=$2 script=$3 t=$SECONDS
  if timeout -k 10 "$bound" bash "$ROOT/tests/integration/$script"; then
    passed=$((passed + 1))
    log "$label: PASS ($((SECONDS - t))s)"
  else
    failed=$((failed + 1))
    log "$label: FAIL ($((SECONDS - t))s)"
  fi
}
# A real Prometheus scrapes a real Patroni cluster (and a postgres exporter) through a failover.
run_check "Prometheus scrape through a failover" 300 scrape.sh
# The component's app-database Job (its exact command and SQL) against a real PostgreSQL 15.
run_check "app databases" 120 app-database.sh
# The backup CronJobs' scripts: dump, upload + retention, freshness, verify, restore (PostgreSQL 15,
# s3rver from node_modules as the S3 endpoint, Debian's rclone).
run_check "backup round trip" 420 backup-roundtrip.sh
# The Redis component's generated redis.conf and probe against a real redis-server (and the exporter).
run_check "redis config" 120 redis-config.sh
# `npm run doctor -- --preflight` against a real OpenSSH server on 127.0.0.1 with stubbed node commands.
run_check "preflight over SSH" 300 preflight.sh
log "total $((SECONDS - START))s"
echo "integration: $passed passed, $failed failed"
((failed == 0))
