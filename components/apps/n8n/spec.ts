// n8n as a pure workload spec: the main instance on PostgreSQL, with the task runners as a sidecar
// in external mode (n8n 2.x's recommendation for production: user code runs outside n8n's process).
import { IMAGES, PostgresConnection, ResourceSpec, WorkloadSpec, pinned } from "../../kit";

export const N8N_PORT = 5678;
/** The task broker inside n8n; the runners sidecar reaches it on loopback. */
export const N8N_BROKER_PORT = 5679;
/** The task-runner launcher's health server (its default port). */
export const N8N_RUNNER_HEALTH_PORT = 5680;
export const N8N_ENCRYPTION_KEY = "encryption-key";
export const N8N_RUNNERS_TOKEN = "runners-auth-token";
export const N8N_DATA_DIR = "/home/node/.n8n";

export interface N8nSpecArgs {
  /** Workload and Service name. Default "n8n". */
  readonly name?: string;
  /** The compute node holding the data volume. */
  readonly node: string;
  readonly storage: string;
  readonly resources: ResourceSpec;
  readonly runners: ResourceSpec;
  /** Public host, e.g. n8n.homelab.example.net: editor and webhook URLs. */
  readonly host: string;
  /** Its own database and owner. */
  readonly database: PostgresConnection;
  /** Secret with N8N_ENCRYPTION_KEY and N8N_RUNNERS_TOKEN. */
  readonly secret: string;
}

export function n8nSpec(a: N8nSpecArgs): WorkloadSpec {
  const key = (k: string) => ({ secret: { secretName: a.secret, key: k } });
  const db = a.database;
  return {
    identity: { name: a.name ?? "n8n", component: "automation" },
    kind: "StatefulSet",
    replicas: 1,
    placement: pinned(a.node, "compute"),
    fsGroup: IMAGES.n8n.gid,
    volumeClaims: [{ name: "data", size: a.storage }],
    service: { ports: ["http"] },
    // N8N_METRICS=true serves Prometheus metrics on the main port.
    metrics: { port: "http", path: "/metrics" },
    containers: [
      {
        name: "n8n",
        image: IMAGES.n8n,
        ports: [{ name: "http", containerPort: N8N_PORT }],
        env: {
          DB_TYPE: "postgresdb",
          DB_POSTGRESDB_HOST: db.host,
          DB_POSTGRESDB_PORT: String(db.port),
          DB_POSTGRESDB_DATABASE: db.database,
          DB_POSTGRESDB_USER: db.user,
          DB_POSTGRESDB_PASSWORD: { secret: db.password },
          // Encrypts the credentials stored in the database: generated once, stable across deploys.
          N8N_ENCRYPTION_KEY: key(N8N_ENCRYPTION_KEY),
          N8N_PORT: String(N8N_PORT),
          N8N_HOST: a.host,
          N8N_PROTOCOL: "https",
          WEBHOOK_URL: `https://${a.host}/`,
          // Traefik is the one proxy in front: trust its X-Forwarded-* headers.
          N8N_PROXY_HOPS: "1",
          N8N_METRICS: "true",
          N8N_DIAGNOSTICS_ENABLED: "false",
          N8N_ENFORCE_SETTINGS_FILE_PERMISSIONS: "true",
          // External task runners: the sidecar below connects to the broker on loopback.
          N8N_RUNNERS_MODE: "external",
          N8N_RUNNERS_AUTH_TOKEN: key(N8N_RUNNERS_TOKEN),
          N8N_RUNNERS_BROKER_LISTEN_ADDRESS: "127.0.0.1",
          N8N_RUNNERS_BROKER_PORT: String(N8N_BROKER_PORT),
        },
        mounts: [{ volume: "data", mountPath: N8N_DATA_DIR }],
        resources: a.resources,
        // /healthz: the process is up; /healthz/readiness: the database is connected and migrated.
        readiness: { action: { http: { path: "/healthz/readiness", port: "http" } }, periodSeconds: 10 },
        liveness: { action: { http: { path: "/healthz", port: "http" } }, periodSeconds: 20, failureThreshold: 6 },
        // Database migrations on a first start or an upgrade run before /healthz answers.
        startup: { action: { http: { path: "/healthz", port: "http" } }, periodSeconds: 5, failureThreshold: 120 },
      },
      {
        name: "runners",
        image: IMAGES.n8nRunners,
        ports: [{ name: "runner-health", containerPort: N8N_RUNNER_HEALTH_PORT }],
        env: {
          N8N_RUNNERS_TASK_BROKER_URI: `http://127.0.0.1:${N8N_BROKER_PORT}`,
          N8N_RUNNERS_AUTH_TOKEN: key(N8N_RUNNERS_TOKEN),
        },
        resources: a.runners,
        readiness: { action: { http: { path: "/healthz", port: "runner-health" } }, periodSeconds: 10 },
        liveness: { action: { http: { path: "/healthz", port: "runner-health" } }, periodSeconds: 20, failureThreshold: 6 },
        startup: { action: { http: { path: "/healthz", port: "runner-health" } }, periodSeconds: 5, failureThreshold: 120 },
      },
    ],
  };
}
