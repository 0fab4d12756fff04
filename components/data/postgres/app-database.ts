// Creating an application's database and owner: the SQL and the shell command the component's Job
// runs. Pure, so the integration test runs exactly this against a real PostgreSQL.

/**
 * Creates the role and its database if missing and (re)sets the password; safe to run again. psql
 * variables: `user`, `db`; the password comes from the environment (APP_PASSWORD), never from a
 * command line. Identifiers and the password are quoted by format(%I, %L).
 */
export const CREATE_DATABASE_SQL = [
  "\\set ON_ERROR_STOP on",
  "\\getenv pw APP_PASSWORD",
  "SELECT format('CREATE ROLE %I LOGIN', :'user') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'user') \\gexec",
  "SELECT format('ALTER ROLE %I PASSWORD %L', :'user', :'pw') \\gexec",
  "SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'user') WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db') \\gexec",
  "",
].join("\n");

/** The Job's command: SQL from $SQL on stdin, names from $APP_USER/$APP_DB, connection from PG* variables. */
export const CREATE_DATABASE_COMMAND = ["/bin/sh", "-c", 'printf "%s" "$SQL" | psql -v user="$APP_USER" -v db="$APP_DB"'];
