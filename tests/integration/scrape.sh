#!/usr/bin/env bash
# A real Prometheus scrapes the real Patroni cluster of the failover test through a failover
# (tests/integration/scrape-hook.sh does the Prometheus part at each phase of failover.sh). Passes
# when the failover run passes and the hook reported the "no leader" condition seen and cleared.
set -euo pipefail
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp)
trap 'rm -f "$out"' EXIT
rc=0
FAILOVER_HOOK=$ROOT/tests/integration/scrape-hook.sh timeout -k 10 240 bash "$ROOT/tests/integration/failover.sh" scrape 2>&1 | tee "$out" || rc=$?
grep -q 'SCRAPE no_leader_seen_after_s=' "$out" || { echo "scrape: the hook reported no result"; exit 1; }
exit "$rc"
