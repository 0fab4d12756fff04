#!/usr/bin/env bash
# The Redis component's generated redis.conf, run for real: Debian's redis-server on 127.0.0.1 starts
# from exactly redisConf()'s text (components/data/redis/redis-conf.ts, with the test's directory as `dir`;
# port and bind are overridden on the command line), and the probe command is exactly redisPingCommand().
# Checks: a client without the password gets NOAUTH; the probe passes with REDISCLI_AUTH and fails
# without it or with a wrong one; the password is not on the server's command line; append-only
# persistence is on and a key survives a restart; maxmemory is what the file says; with
# prometheus-redis-exporter (the exporter the sidecar runs), REDIS_PASSWORD from the environment
# gives redis_up 1. Prints "RESULT redis-config ok" on success.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PORT=${REDIS_TEST_PORT:-26379}
EXPORTER_PORT=${REDIS_TEST_EXPORTER_PORT:-29121}
work=$(mktemp -d /tmp/redis-config.XXXXXX)
chmod 700 "$work"
server_pid=""
exporter_pid=""
cleanup() {
  if [[ -n $exporter_pid ]]; then kill "$exporter_pid" 2>/dev/null || true; fi
  if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; fi
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "redis-config: FAIL: $*" >&2; exit 1; }

PASSWORD=$(head -c 30 /dev/urandom | base64 | tr -dc 'A-Za-z0-9' | head -c 32)
# The file and the probe, straight from the component's module (the password travels in the environment).
(cd "$ROOT" && REDIS_TEST_PASSWORD=$PASSWORD REDIS_TEST_DIR=$work node_modules/.bin/tsx -e '
  const m = require("./components/data/redis/redis-conf");
  process.stdout.write(m.redisConf({ password: process.env.REDIS_TEST_PASSWORD, dir: process.env.REDIS_TEST_DIR, maxmemoryBytes: 402653184 }));
') >"$work/redis.conf"
chmod 600 "$work/redis.conf"
mapfile -t PROBE < <(cd "$ROOT" && node_modules/.bin/tsx -e '
  for (const a of require("./components/data/redis/redis-conf").redisPingCommand(Number(process.argv[1]))) console.log(a);
' "$PORT")
grep -qx "requirepass $PASSWORD" "$work/redis.conf" || fail "the generated file does not set requirepass"

start() {
  redis-server "$work/redis.conf" --port "$PORT" --bind 127.0.0.1 >"$work/server.log" 2>&1 &
  server_pid=$!
  for _ in $(seq 50); do
    if REDISCLI_AUTH=$PASSWORD redis-cli -p "$PORT" ping 2>/dev/null | grep -qx PONG; then return 0; fi
    sleep 0.1
  done
  cat "$work/server.log" >&2
  fail "redis-server did not answer"
}
start

out=$(redis-cli -p "$PORT" ping 2>&1 || true)
[[ $out == *NOAUTH* ]] || fail "a client without the password got \"$out\", not NOAUTH"
out=$(redis-cli -p "$PORT" set k v 2>&1 || true)
[[ $out == *NOAUTH* ]] || fail "a write without the password got \"$out\", not NOAUTH"

REDISCLI_AUTH=$PASSWORD "${PROBE[@]}" || fail "the probe fails with the right password"
if env -u REDISCLI_AUTH "${PROBE[@]}"; then fail "the probe passes without a password"; fi
if REDISCLI_AUTH=wrong-password "${PROBE[@]}" 2>/dev/null; then fail "the probe passes with a wrong password"; fi

if tr '\0' ' ' <"/proc/$server_pid/cmdline" | grep -qF "$PASSWORD"; then fail "the password is on the server's command line"; fi

cli() { REDISCLI_AUTH=$PASSWORD redis-cli -p "$PORT" "$@"; }
[[ $(cli config get appendonly | tail -n 1) == yes ]] || fail "appendonly is not on"
[[ $(cli config get maxmemory | tail -n 1) == 402653184 ]] || fail "maxmemory is not the file's"
[[ $(cli config get maxmemory-policy | tail -n 1) == noeviction ]] || fail "maxmemory-policy is not noeviction"
[[ $(cli set survivor 42) == OK ]] || fail "SET failed"
cli shutdown >/dev/null 2>&1 || true
wait "$server_pid" 2>/dev/null || true
server_pid=""
[[ -d $work/appendonlydir ]] || fail "no append-only directory was written"
start
[[ $(cli get survivor) == 42 ]] || fail "the key did not survive a restart"

if command -v prometheus-redis-exporter >/dev/null; then
  REDIS_ADDR="redis://127.0.0.1:$PORT" REDIS_PASSWORD=$PASSWORD prometheus-redis-exporter -web.listen-address "127.0.0.1:$EXPORTER_PORT" >"$work/exporter.log" 2>&1 &
  exporter_pid=$!
  up=""
  for _ in $(seq 50); do
    up=$(curl -fsS "http://127.0.0.1:$EXPORTER_PORT/metrics" 2>/dev/null | grep -E '^redis_up ' || true)
    [[ -n $up ]] && break
    sleep 0.1
  done
  [[ $up == "redis_up 1" ]] || { cat "$work/exporter.log" >&2; fail "the exporter with REDIS_PASSWORD reports \"$up\""; }
  echo "redis-config: exporter: $up"
else
  fail "prometheus-redis-exporter is missing (run.sh installs it)"
fi
echo "redis-config: $(redis-server --version | cut -d' ' -f3) accepted the generated file; AUTH required; probe ok; AOF survives a restart"
echo "RESULT redis-config ok"
