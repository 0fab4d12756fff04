// PostgreSQL HA as a pure workload spec: Spilo (Patroni) members plus the discovery sidecar.
import * as YAML from "yaml";
import { IMAGES, ResourceSpec, WorkloadSpec, onRole, selectorLabels } from "../../kit";
import { WalgArgs, walgEnv } from "../backup/walg";
import { DEFAULT_DISCOVERY_POLL_SECONDS, PatroniDcs, PatroniTiming, RestApiCredentials, patroniConfig } from "./patroni-config";

export const POSTGRES_PORT = 5432;
export const PATRONI_PORT = 8008;
/** The postgres exporter sidecar's metrics port (the exporter's default). */
export const EXPORTER_PORT = 9187;
/** Resources of the postgres exporter sidecar. */
export const EXPORTER_RESOURCES: ResourceSpec = { cpu: "10m", memory: "32Mi", memoryLimit: "128Mi" };
/** Spilo labels each member with its role; Patroni 3 says "master" where Patroni 4 says "primary". */
export const ROLE_LABEL = "spilo-role";
export const SUPERUSER_KEY = "superuser-password";
export const REPLICATION_KEY = "replication-password";
/** Key of Patroni's REST API password in the credentials Secret. */
export const RESTAPI_KEY = "restapi-password";
/** Key of the complete SPILO_CONFIGURATION (it holds the REST API password) in its Secret. */
export const SPILO_CONFIGURATION_KEY = "spilo-configuration";
/**
 * A pod label only the members carry, in Patroni's KUBERNETES_LABELS: Patroni's cluster clean-up
 * (`patronictl remove`) deletes every ConfigMap its label selector matches, and the program's own
 * ConfigMaps carry the workload's app.kubernetes.io labels too. This label keeps them out.
 */
export const PATRONI_CLUSTER_LABEL = "homelab.pesulabs.net/patroni-cluster";
/** Resources of the discovery sidecar: a shell loop around curl and kubectl. */
export const SIDECAR_RESOURCES: ResourceSpec = { cpu: "10m", memory: "16Mi", memoryLimit: "64Mi" };

export interface PostgresSpecArgs {
  /** Workload name and Patroni scope. Default "postgres". */
  readonly name?: string;
  /** Members (StatefulSet replicas), each on its own node with the role. */
  readonly members: number;
  /** Node role members run on. Default "service". */
  readonly role?: "service" | "compute";
  /** PostgreSQL major version, e.g. "17". */
  readonly version: string;
  readonly storage: string;
  readonly resources: ResourceSpec;
  readonly timing: PatroniTiming;
  readonly dcs: PatroniDcs;
  /** Discovery sidecar poll interval in seconds. */
  readonly pollSeconds?: number;
  /** Secret holding superuser and replication passwords. */
  readonly credentialsSecret: string;
  /** Secret holding SPILO_CONFIGURATION under SPILO_CONFIGURATION_KEY (see spiloConfiguration). */
  readonly spiloConfigurationSecret: string;
  /** ConfigMap holding discovery-sidecar.sh. */
  readonly scriptConfigMap: string;
  readonly serviceAccount: string;
  /** Name of the primary Service and of its EndpointSlice. */
  readonly primaryService: string;
  /** WAL-G archiving and base backups into S3 (and a clone source). Default none: no WAL archive. */
  readonly walg?: WalgArgs;
}

/** What spiloConfiguration needs of the spec's args. */
export type SpiloConfigurationArgs = Pick<PostgresSpecArgs, "members" | "timing" | "dcs">;

/**
 * Spilo's SPILO_CONFIGURATION (YAML, merged over Spilo's own template): timing, synchronous mode and
 * pg_hba from the same function the failover test feeds to real Patroni (tests/integration), so what
 * was measured is what runs, plus the REST API credentials. It holds a password, so it travels in a
 * Secret: Spilo hands Patroni no environment variable but its own few, so a PATRONI_RESTAPI_PASSWORD
 * would never arrive.
 */
export function spiloConfiguration(a: SpiloConfigurationArgs, restApi?: RestApiCredentials): string {
  const patroni = patroniConfig({ members: a.members, timing: a.timing, dcs: a.dcs, restApi });
  return YAML.stringify({
    bootstrap: patroni.bootstrap,
    postgresql: patroni.postgresql,
    ...(patroni.restapi ? { restapi: patroni.restapi } : {}),
  });
}

export function postgresSpec(a: PostgresSpecArgs): WorkloadSpec {
  const name = a.name ?? "postgres";
  const identity = { name, component: "database" };
  // Validates timing and DCS now (throws with every problem), not when the Secret's value resolves.
  patroniConfig({ members: a.members, timing: a.timing, dcs: a.dcs });
  const patroniLabels = { ...selectorLabels(identity), [PATRONI_CLUSTER_LABEL]: name };
  const dcsEnv: Record<string, string> =
    a.dcs.type === "etcd3"
      ? { ETCD3_HOSTS: a.dcs.hosts.map((h) => `'${h}'`).join(",") }
      : {
          DCS_ENABLE_KUBERNETES_API: "true",
          KUBERNETES_USE_CONFIGMAPS: "true",
          // Patroni finds its members by KUBERNETES_LABELS plus {scope label: SCOPE}; both must already
          // be on the pods: the workload's selector labels (name = SCOPE) and PATRONI_CLUSTER_LABEL.
          KUBERNETES_LABELS: JSON.stringify(patroniLabels),
          KUBERNETES_SCOPE_LABEL: "app.kubernetes.io/name",
          KUBERNETES_ROLE_LABEL: ROLE_LABEL,
        };
  return {
    identity,
    kind: "StatefulSet",
    replicas: a.members,
    // Each member owns a node; its local-path volume's node affinity keeps it there.
    placement: onRole(a.role ?? "service", "required"),
    podLabels: { [PATRONI_CLUSTER_LABEL]: name },
    fsGroup: 103,
    serviceAccountName: a.serviceAccount,
    volumeClaims: [{ name: "pgdata", size: a.storage }],
    volumes: [
      { name: "scripts", configMap: { name: a.scriptConfigMap, defaultMode: 0o555 } },
      { name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "256Mi" } },
    ],
    // Read-only clients' Service on Patroni's role label. One member is always the primary, so with
    // fewer than two there is never a replica: no Service rather than one that can never answer.
    extraServices:
      a.members >= 2
        ? [{ name: `${name}-replicas`, ports: ["postgres"], runtimeLabels: { labels: { [ROLE_LABEL]: "replica" }, minReplicas: 2 } }]
        : [],
    terminationGracePeriodSeconds: 60,
    // Replication and Patroni's REST API (members ask each other before a failover). Nothing else
    // reaches 8008: the discovery sidecar calls its own member over loopback, and kubelet probes are
    // not subject to NetworkPolicy on k3s.
    peerPorts: ["postgres", "patroni"],
    // Patroni's own /metrics (role, leader lock, replication lag; GET needs no credentials) and the
    // exporter's PostgreSQL statistics, one monitor for both (kit: scraping by construction).
    metrics: { port: "patroni", path: "/metrics", also: [{ port: "exporter", path: "/metrics" }] },
    containers: [
      {
        name: "postgres",
        image: IMAGES.spilo,
        ports: [
          { name: "postgres", containerPort: POSTGRES_PORT },
          { name: "patroni", containerPort: PATRONI_PORT },
        ],
        env: {
          SCOPE: name,
          PGVERSION: a.version,
          PGROOT: "/home/postgres/pgdata/pgroot",
          PGUSER_SUPERUSER: "postgres",
          PGPASSWORD_SUPERUSER: { secret: { secretName: a.credentialsSecret, key: SUPERUSER_KEY } },
          PGUSER_STANDBY: "standby",
          PGPASSWORD_STANDBY: { secret: { secretName: a.credentialsSecret, key: REPLICATION_KEY } },
          POD_IP: { fieldPath: "status.podIP" },
          POD_NAMESPACE: { fieldPath: "metadata.namespace" },
          SPILO_CONFIGURATION: { secret: { secretName: a.spiloConfigurationSecret, key: SPILO_CONFIGURATION_KEY } },
          ...dcsEnv,
          ...(a.walg ? walgEnv(a.walg) : {}),
        },
        mounts: [
          { volume: "pgdata", mountPath: "/home/postgres/pgdata" },
          { volume: "dshm", mountPath: "/dev/shm" },
        ],
        resources: a.resources,
        readiness: { action: { http: { path: "/readiness", port: "patroni" } }, periodSeconds: 5 },
        liveness: { action: { http: { path: "/liveness", port: "patroni" } }, periodSeconds: 10, failureThreshold: 6 },
        // Bootstrap, or a replica's base backup, can take minutes.
        startup: { action: { http: { path: "/liveness", port: "patroni" } }, periodSeconds: 5, failureThreshold: 120 },
      },
      {
        name: "discovery",
        image: IMAGES.kubectl,
        command: ["/bin/sh", "/scripts/discovery-sidecar.sh"],
        ports: [],
        env: {
          POD_IP: { fieldPath: "status.podIP" },
          POD_NAME: { fieldPath: "metadata.name" },
          NAMESPACE: { fieldPath: "metadata.namespace" },
          SLICE_NAME: a.primaryService,
          PATRONI_URL: `http://127.0.0.1:${PATRONI_PORT}`,
          POLL_INTERVAL: String(a.pollSeconds ?? DEFAULT_DISCOVERY_POLL_SECONDS),
          // The non-root user has no home; kubectl wants a writable one for its cache.
          HOME: "/tmp",
        },
        mounts: [{ volume: "scripts", mountPath: "/scripts", readOnly: true }],
        resources: SIDECAR_RESOURCES,
        // The loop has no port; it is alive and ready while its shell runs.
        readiness: { action: { exec: ["/bin/sh", "-c", "kill -0 1"] }, periodSeconds: 10 },
        liveness: { action: { exec: ["/bin/sh", "-c", "kill -0 1"] }, periodSeconds: 10 },
      },
      {
        // PostgreSQL statistics for Prometheus, from its own member over loopback (pg_hba allows
        // 127.0.0.1 with a password). It logs in as the superuser: Spilo creates no monitoring role.
        name: "exporter",
        image: IMAGES.postgresExporter,
        ports: [{ name: "exporter", containerPort: EXPORTER_PORT }],
        env: {
          DATA_SOURCE_URI: `127.0.0.1:${POSTGRES_PORT}/postgres?sslmode=disable`,
          DATA_SOURCE_USER: "postgres",
          DATA_SOURCE_PASS: { secret: { secretName: a.credentialsSecret, key: SUPERUSER_KEY } },
        },
        resources: EXPORTER_RESOURCES,
        // The exporter answers while PostgreSQL is down (pg_up 0 says so): its own health only.
        readiness: { action: { http: { path: "/", port: "exporter" } }, periodSeconds: 10 },
        liveness: { action: { http: { path: "/", port: "exporter" } }, periodSeconds: 20, failureThreshold: 6 },
      },
    ],
  };
}
