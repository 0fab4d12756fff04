#!/usr/bin/env bash
# The failover test's hook for the scrape test (tests/integration/scrape.sh): failover.sh calls it at
# each phase with FAILOVER_HOOK set. A real Prometheus (Debian's 2.42) on 127.0.0.1 scrapes the real
# Patroni members and a real postgres exporter with the scrape settings the component generates
# (scrape-config.ts), and the "no leader" condition (the PatroniNoLeader rule's expression) is
# queried: absent while a leader exists, present after the leader is killed, absent again after the
# failover. Everything is bounded; processes are ended by their PIDs at cleanup.
#   settled: start the exporter and Prometheus; wait until every target is up and a leader is seen.
#   killed:  start a poller that records when the condition is first seen.
#   claimed: wait until the condition was seen and has cleared; print the SCRAPE result line.
#   cleanup: stop what settled started.
# Env from failover.sh: WORK, MEMBER_IPS, API_PORT, PG_PORT, SUPERUSER_PASSWORD, HOOK_ROOT.
set -euo pipefail

EVENT=$1
D=$WORK/scrape
PROM_PORT=29090
EXPORTER_PORT=29187
PROM=http://127.0.0.1:$PROM_PORT

say() { printf '%s [scrape] %s\n' "$(date +%H:%M:%S.%3N)" "$*"; }
# query EXPR: the number of series the instant query returns ("" when Prometheus does not answer).
query() { curl --silent --fail --max-time 2 --get --data-urlencode "query=$1" "$PROM/api/v1/query" 2>/dev/null | jq -r '.data.result | length' 2>/dev/null || true; }
# bounded SECONDS DESCRIPTION COMMAND...: polls COMMAND every 0.25 s.
bounded() {
  local deadline=$((SECONDS + $1)) what=$2
  shift 2
  until "$@"; do
    if ((SECONDS >= deadline)); then
      say "FAIL: not within the bound: $what"
      [[ -f $D/prometheus.log ]] && tail -n 20 "$D/prometheus.log"
      return 1
    fi
    sleep 0.25
  done
}
no_leader() { [[ $(query "$(cat "$D/noleader.promql")") -gt 0 ]]; }
has_leader() { [[ $(query 'patroni_primary == 1') == 1 && $(query "$(cat "$D/noleader.promql")") == 0 ]]; }
all_up() { [[ $(query 'up == 1') == 4 ]]; }
pg_up() { [[ $(query 'pg_up == 1') == 1 ]]; }

case $EVENT in
settled)
  mkdir -p "$D/data"
  EXPORTER_ADDR=127.0.0.1:$EXPORTER_PORT OUT_DIR=$D \
    timeout 60 "$HOOK_ROOT/node_modules/.bin/tsx" "$HOOK_ROOT/tests/integration/scrape-config.ts"
  IFS=, read -r -a ips <<<"$MEMBER_IPS"
  # The component's environment names (DATA_SOURCE_URI/USER/PASS), against the first member.
  DATA_SOURCE_URI="${ips[0]}:$PG_PORT/postgres?sslmode=disable" DATA_SOURCE_USER=postgres DATA_SOURCE_PASS=$SUPERUSER_PASSWORD \
    prometheus-postgres-exporter --web.listen-address="127.0.0.1:$EXPORTER_PORT" >"$D/exporter.log" 2>&1 &
  echo $! >"$D/exporter.pid"
  prometheus --config.file="$D/prometheus.yml" --storage.tsdb.path="$D/data" --web.listen-address="127.0.0.1:$PROM_PORT" \
    --log.level=warn >"$D/prometheus.log" 2>&1 &
  echo $! >"$D/prometheus.pid"
  bounded 40 "Prometheus scrapes the three Patroni members and the exporter" all_up
  bounded 15 "the exporter reaches PostgreSQL (pg_up 1)" pg_up
  bounded 15 "one leader and no 'no leader' condition" has_leader
  say "Prometheus scrapes 3 Patroni members + the exporter; leader present, PatroniNoLeader condition absent"
  ;;
killed)
  date +%s.%N >"$D/killed"
  (
    deadline=$((SECONDS + 60))
    while [[ ! -f $D/stop ]] && ((SECONDS < deadline)); do
      if no_leader; then
        date +%s.%N >"$D/seen"
        break
      fi
      sleep 0.25
    done
  ) &
  echo $! >"$D/poller.pid"
  ;;
claimed)
  bounded 30 "the 'no leader' condition visible after the kill" test -f "$D/seen"
  bounded 30 "the condition cleared after the failover" has_leader
  seen=$(awk -v a="$(cat "$D/killed")" -v b="$(cat "$D/seen")" 'BEGIN { printf "%.1f", b - a }')
  cleared=$(awk -v a="$(cat "$D/killed")" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
  say "SCRAPE no_leader_seen_after_s=$seen cleared_by_s=$cleared"
  ;;
cleanup)
  touch "$D/stop" 2>/dev/null || true
  for f in poller exporter prometheus; do
    if [[ -f $D/$f.pid ]]; then
      pid=$(cat "$D/$f.pid")
      kill "$pid" 2>/dev/null || true
      for _ in 1 2 3 4 5 6 7 8 9 10; do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
  ;;
*)
  echo "scrape-hook: unknown event $EVENT" >&2
  exit 2
  ;;
esac
