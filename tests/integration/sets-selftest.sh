#!/bin/sh
# Self-test of sets.sh on known sets, so the failover test's "lost" and "unacknowledged but present"
# counts are proven before they are trusted. Prints "RESULT sets ok" and exits 0 when all hold.
set -eu

SETS=${SETS:-$(dirname "$0")/sets.sh}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0

# check NAME EXPECTED ACTUAL
check() {
  if [ "$2" = "$3" ]; then
    echo "sets: ok   $1"
  else
    echo "sets: FAIL $1: expected '$2', got '$3'"
    failures=$((failures + 1))
  fi
}

# Acknowledged 998..1002; 999, the last id before the digit boundary, is missing on the new primary,
# which also holds 1003 (committed, but its acknowledgement was lost in the crash). Sorted as numbers
# and compared as text (sort -n | comm), "1000" < "999" throws every later id off: that is the bug.
printf '%s\n' 998 999 1000 1001 1002 >"$work/acked"
printf '%s\n' 998 1000 1001 1002 1003 >"$work/present"
check "lost across a digit boundary" 999 "$(sh "$SETS" minus "$work/acked" "$work/present" | tr '\n' ' ' | sed 's/ $//')"
check "lost count" 1 "$(sh "$SETS" count-minus "$work/acked" "$work/present")"
check "unacknowledged but present" 1003 "$(sh "$SETS" minus "$work/present" "$work/acked" | tr '\n' ' ' | sed 's/ $//')"
check "unacknowledged-present count" 1 "$(sh "$SETS" count-minus "$work/present" "$work/acked")"

# Numbers that sort differently as text and as numbers (9 < 10 but "10" < "9"), in both files.
printf '%s\n' 9 10 11 99 100 >"$work/a"
printf '%s\n' 100 99 11 10 9 >"$work/b"
check "equal sets in different orders" 0 "$(sh "$SETS" count-minus "$work/a" "$work/b")"
check "equal sets, the other way" 0 "$(sh "$SETS" count-minus "$work/b" "$work/a")"

# Duplicates count once; empty files are empty sets.
printf '%s\n' 5 5 6 >"$work/dup"
: >"$work/empty"
check "duplicates count once" 2 "$(sh "$SETS" count-minus "$work/dup" "$work/empty")"
check "nothing minus anything" 0 "$(sh "$SETS" count-minus "$work/empty" "$work/dup")"
# A line that is a prefix of another is a different id (a substring match would say it is present).
printf '%s\n' 1 >"$work/one"
printf '%s\n' 10 100 >"$work/tens"
check "1 is not 10" 1 "$(sh "$SETS" count-minus "$work/one" "$work/tens")"

if [ "$failures" -gt 0 ]; then
  echo "sets: $failures check(s) failed"
  exit 1
fi
echo "RESULT sets ok"
