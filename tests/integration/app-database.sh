#!/usr/bin/env bash
# The PatroniPostgres component's app-database Job, run for real: its exact shell command and SQL
# (components/data/postgres/app-database.ts) against a throwaway PostgreSQL 15 on 127.0.0.1.
# Checks: role and database created and owned, login with the generated password, a second run
# changes nothing and fails nothing, a new password replaces the old one, quotes in the password
# survive, the password is stored as a SCRAM verifier, and with statement logging on (Spilo's
# log_statement=ddl, plus every statement's text) neither the passwords nor the verifier reach the
# server log. Prints "RESULT app-database ok" on success.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/../.." && pwd)
BIN=/usr/lib/postgresql/15/bin
PORT=25433
work=$(mktemp -d /tmp/app-db.XXXXXX)
chown postgres: "$work"
chmod 700 "$work"
# In the server's own directory: the caller's working directory (a checkout under a mode-700 home)
# may be one the postgres user cannot enter.
as_pg() { (cd "$work" && setpriv --reuid=postgres --regid=postgres --init-groups "$@"); }
cleanup() {
  as_pg "$BIN/pg_ctl" -D "$work/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "app-database: FAIL: $*" >&2; exit 1; }

printf '%s' 'super-secret' >"$work/pw" && chown postgres: "$work/pw"
as_pg "$BIN/initdb" -D "$work/data" -U postgres --auth=scram-sha-256 --pwfile="$work/pw" >/dev/null
# Spilo's statement logging (log_statement=ddl), and every statement's text besides
# (log_min_duration_statement=0, stricter than Spilo's 500 ms): the Job must leave no secret in it.
as_pg "$BIN/pg_ctl" -D "$work/data" -l "$work/log" -w -t 30 \
  -o "-c listen_addresses=127.0.0.1 -c port=$PORT -c unix_socket_directories=$work -c log_statement=ddl -c log_min_duration_statement=0" start >/dev/null

# The Job's command and SQL, straight from the component's module.
eval "$(cd "$ROOT" && node_modules/.bin/tsx -e '
  const m = require("./components/data/postgres/app-database");
  const q = (s) => "\x27" + s.replace(/\x27/g, "\x27\\\x27\x27") + "\x27";
  console.log("SQL=" + q(m.CREATE_DATABASE_SQL));
  console.log("SCRAM_VERIFIER_PY=" + q(m.SCRAM_VERIFIER_PY));
  console.log("JOB=(" + m.CREATE_DATABASE_COMMAND.map(q).join(" ") + ")");
')"
export SQL SCRAM_VERIFIER_PY

job() { # job <user> <db> <password>
  env PGHOST=127.0.0.1 PGPORT=$PORT PGUSER=postgres PGDATABASE=postgres PGPASSWORD=super-secret \
    APP_USER="$1" APP_DB="$2" APP_PASSWORD="$3" "${JOB[@]}" >/dev/null
}
login() { # login <user> <db> <password> -> "user|db"
  PGPASSWORD="$3" psql -h 127.0.0.1 -p "$PORT" -U "$1" -d "$2" -Atc 'select current_user || $$|$$ || current_database()' 2>/dev/null
}
count() { PGPASSWORD=super-secret psql -h 127.0.0.1 -p "$PORT" -U postgres -d postgres -Atc "$1"; }

pw1="first 'quoted' \"pass\" \$word"
job mem0 mem0 "$pw1" || fail "first run exited non-zero"
[[ $(login mem0 mem0 "$pw1") == "mem0|mem0" ]] || fail "cannot log in as mem0 with the generated password"
[[ $(count "select pg_get_userbyid(datdba) from pg_database where datname = 'mem0'") == mem0 ]] || fail "mem0 does not own its database"

job mem0 mem0 "$pw1" || fail "second run (nothing to do) exited non-zero"
[[ $(count "select count(*) from pg_roles where rolname = 'mem0'") == 1 ]] || fail "second run duplicated the role"
[[ $(count "select count(*) from pg_database where datname = 'mem0'") == 1 ]] || fail "second run duplicated the database"

pw2="rotated-$RANDOM"
job mem0 mem0 "$pw2" || fail "password rotation run exited non-zero"
[[ $(login mem0 mem0 "$pw2") == "mem0|mem0" ]] || fail "the new password does not work"
[[ -z $(login mem0 mem0 "$pw1" || true) ]] || fail "the old password still works"

job n8n n8n_data "x" || fail "a second application failed"
[[ $(login n8n n8n_data x) == "n8n|n8n_data" ]] || fail "a second application cannot log in"

# The server log: the statements ran with logging on (the CREATE DATABASE of a run is in the log
# unless the session turned it off), yet no password and no piece of a stored verifier appears.
verifier=$(count "select rolpassword from pg_authid where rolname = 'mem0'")
case $verifier in
  "SCRAM-SHA-256\$4096:"*) ;;
  *) fail "mem0's password is not stored as a SCRAM-SHA-256 verifier" ;;
esac
rest=${verifier#*:}    # salt$StoredKey:ServerKey
keys=${rest#*\$}       # StoredKey:ServerKey
grep -q 'statement: select rolpassword' "$work/log" || fail "the server log records no statements: the leak check would prove nothing"
# pw1 appears in SQL with its quotes doubled, so look for a piece of it without quotes.
for secret in "$pw2" "\"pass\" \$word" "${rest%%\$*}" "${keys%%:*}" "${keys#*:}"; do
  if grep -qF -- "$secret" "$work/log"; then
    grep -nF -- "$secret" "$work/log" | head -n 3 >&2
    fail "a password or verifier of the Job is in the PostgreSQL log"
  fi
done

echo "RESULT app-database ok"
