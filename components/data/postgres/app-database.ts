// Creating an application's database and owner: the SQL and the shell command the component's Job
// runs. Pure, so the integration test runs exactly this against a real PostgreSQL.

/**
 * Computes the SCRAM-SHA-256 verifier of $APP_PASSWORD (RFC 5802/7677, PostgreSQL's stored form
 * `SCRAM-SHA-256$<iterations>:<salt>$<StoredKey>:<ServerKey>`) in the Job's container, so the password
 * itself never reaches the server: not in a statement, not in a log line, not in pg_stat_statements.
 * Python's standard library only (Spilo ships python3 for Patroni). Refuses non-ASCII passwords, for
 * which PostgreSQL would first apply SASLprep (generated passwords are ASCII letters and digits).
 */
export const SCRAM_VERIFIER_PY = [
  "import base64, hashlib, hmac, os, sys",
  "pw = os.environ['APP_PASSWORD']",
  "if not pw or not pw.isascii(): sys.exit('APP_PASSWORD must be non-empty ASCII')",
  "salt, rounds = os.urandom(16), 4096",
  "salted = hashlib.pbkdf2_hmac('sha256', pw.encode(), salt, rounds)",
  "client_key = hmac.new(salted, b'Client Key', 'sha256').digest()",
  "server_key = hmac.new(salted, b'Server Key', 'sha256').digest()",
  "b64 = lambda b: base64.b64encode(b).decode()",
  "print('SCRAM-SHA-256$%d:%s$%s:%s' % (rounds, b64(salt), b64(hashlib.sha256(client_key).digest()), b64(server_key)))",
  "",
].join("\n");

/**
 * Creates the role and its database if missing and (re)sets the password; safe to run again. psql
 * variables: `user`, `db`; the password arrives as its SCRAM verifier (APP_PASSWORD_VERIFIER, see
 * SCRAM_VERIFIER_PY), never from a command line. Identifiers and the verifier are quoted by
 * format(%I, %L).
 *
 * Spilo logs every DDL statement (log_statement: ddl), slow statements (log_min_duration_statement:
 * 500) and failed ones, into files of mode 0644. This session turns all three off first (superuser
 * settings: the Job connects as the superuser, and ON_ERROR_STOP ends it if that ever changes), so
 * not even the verifier is written to the log.
 */
export const CREATE_DATABASE_SQL = [
  "\\set ON_ERROR_STOP on",
  "SET log_statement = 'none';",
  "SET log_min_duration_statement = -1;",
  "SET log_min_error_statement = 'panic';",
  "\\getenv verifier APP_PASSWORD_VERIFIER",
  "SELECT format('CREATE ROLE %I LOGIN', :'user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \\gexec",
  "SELECT format('ALTER ROLE %I PASSWORD %L', :'user', :'verifier') \\gexec",
  "SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \\gexec",
  "",
].join("\n");

/**
 * The Job's command: the verifier from $SCRAM_VERIFIER_PY (checked for its form, so an empty or
 * plain value can never become the password), then the SQL from $SQL on stdin, names from
 * $APP_USER/$APP_DB, connection from PG* variables.
 */
export const CREATE_DATABASE_COMMAND = [
  "/bin/sh",
  "-c",
  [
    'APP_PASSWORD_VERIFIER=$(python3 -c "$SCRAM_VERIFIER_PY") || exit 1',
    'case $APP_PASSWORD_VERIFIER in SCRAM-SHA-256\\$4096:*) ;; *) echo "no SCRAM verifier computed" >&2; exit 1 ;; esac',
    "export APP_PASSWORD_VERIFIER",
    'printf "%s" "$SQL" | psql -v user="$APP_USER" -v db="$APP_DB"',
  ].join("\n"),
];
