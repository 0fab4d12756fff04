#!/bin/sh
# Set arithmetic on files of ids, one per line, for the failover test's durability count.
#
# Why not `sort | comm`: comm needs both inputs in the collation order it compares with, so a numeric
# sort makes it fail ("file 1 is not in sorted order") or miscount as soon as ids cross a digit
# boundary (998, 999, 1000). A hash set in awk has no order to get wrong.
#
# Usage: sets.sh minus A B   -> the lines of A that are not lines of B (each once, in A's order)
#        sets.sh count-minus A B -> how many that is
set -eu

minus() {
  # B fills the set, then every line of A not in it is printed once. Files are told apart by name,
  # not by NR == FNR, which breaks when B is empty.
  awk -v b="$2" 'FILENAME == b { seen[$0] = 1; next } !($0 in seen) && !($0 in printed) { printed[$0] = 1; print }' "$2" "$1"
}

case ${1:-} in
  minus) minus "$2" "$3" ;;
  count-minus) minus "$2" "$3" | wc -l | tr -d ' ' ;;
  *)
    echo "usage: $0 minus|count-minus A B" >&2
    exit 2
    ;;
esac
