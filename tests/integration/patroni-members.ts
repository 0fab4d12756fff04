/**
 * Writes one Patroni configuration file per loopback member for the failover test. Everything that
 * decides failover and durability (ttl, loop_wait, retry_timeout, synchronous mode, pg_hba, DCS
 * section) comes from patroniConfig(), the function the Kubernetes component feeds to Spilo; this
 * script only adds what a pod gets from its environment: names, addresses, data directories and the
 * passwords (read from the environment, never from the command line).
 *
 * Env: OUT_DIR, MEMBER_IPS (comma-separated), ETCD_HOST (host:port), PG_PORT, API_PORT, SCOPE,
 *      SUPERUSER_PASSWORD, REPLICATION_PASSWORD, RESTAPI_PASSWORD.
 * Writes: $OUT_DIR/m<i>/patroni.yml and $OUT_DIR/timing.env (shell variables for the test).
 */
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import {
  DEFAULT_DISCOVERY_POLL_SECONDS,
  DEFAULT_PATRONI_TIMING,
  DEFAULT_REPLICATION_USER,
  failoverWindowSeconds,
  patroniConfig,
  RESTAPI_USER,
} from "../../components/data/postgres/patroni-config";

function env(name: string): string {
  const v = process.env[name];
  if (!v) throw new Error(`${name} must be set`);
  return v;
}

const outDir = env("OUT_DIR");
const ips = env("MEMBER_IPS").split(",");
const pgPort = Number(env("PG_PORT"));
const apiPort = Number(env("API_PORT"));

const config = patroniConfig({
  members: ips.length,
  dcs: { type: "etcd3", hosts: [env("ETCD_HOST")] },
  // The members and the writer all live on 127.0.0.0/8 here, as they live on the pod network in k3s.
  pgHba: { clientCidrs: ["127.0.0.0/8"] },
  // The REST API behind the component's basic-auth user, as in Spilo's SPILO_CONFIGURATION.
  restApi: { username: RESTAPI_USER, password: env("RESTAPI_PASSWORD") },
});

ips.forEach((ip, i) => {
  const name = `m${i + 1}`;
  const dir = path.join(outDir, name);
  fs.mkdirSync(path.join(dir, "sock"), { recursive: true });
  const member = {
    scope: env("SCOPE"),
    namespace: "/integration/",
    name,
    log: { level: "INFO" },
    restapi: { listen: `${ip}:${apiPort}`, connect_address: `${ip}:${apiPort}`, ...config.restapi },
    etcd3: config.etcd3,
    bootstrap: {
      dcs: config.bootstrap.dcs,
      initdb: [{ encoding: "UTF8" }, { locale: "C" }, "data-checksums"],
    },
    postgresql: {
      listen: `${ip}:${pgPort}`,
      connect_address: `${ip}:${pgPort}`,
      data_dir: path.join(dir, "data"),
      bin_dir: "/usr/lib/postgresql/15/bin",
      pgpass: path.join(dir, "pgpass"),
      // As Spilo: Patroni's own connections, replication ones included, go over the local socket.
      use_unix_socket: true,
      use_unix_socket_repl: true,
      authentication: {
        superuser: { username: "postgres", password: env("SUPERUSER_PASSWORD") },
        replication: { username: DEFAULT_REPLICATION_USER, password: env("REPLICATION_PASSWORD") },
      },
      parameters: { unix_socket_directories: path.join(dir, "sock") },
      pg_hba: config.postgresql.pg_hba,
    },
  };
  fs.writeFileSync(path.join(dir, "patroni.yml"), YAML.stringify(member), { mode: 0o600 });
});

// No timing was passed above, so the members run the component's default timing.
const budget = failoverWindowSeconds(DEFAULT_PATRONI_TIMING, DEFAULT_DISCOVERY_POLL_SECONDS);
fs.writeFileSync(
  path.join(outDir, "timing.env"),
  [
    `TTL=${config.bootstrap.dcs.ttl}`,
    `LOOP_WAIT=${config.bootstrap.dcs.loop_wait}`,
    `RETRY_TIMEOUT=${config.bootstrap.dcs.retry_timeout}`,
    `SYNCHRONOUS_MODE=${config.bootstrap.dcs.synchronous_mode}`,
    `POLL_INTERVAL=${DEFAULT_DISCOVERY_POLL_SECONDS}`,
    `FAILOVER_MIN=${budget.min}`,
    `FAILOVER_MAX=${budget.max}`,
    "",
  ].join("\n"),
);
