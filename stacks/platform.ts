// The composition: one validated stack config → the cluster provider and every component.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Qdrant } from "../components/data/qdrant";
import type { HttpConnection, PostgresConnection, RedisConnection } from "../components/kit";
import type { LoadedStack } from "./load";
import { NvidiaDevicePlugin, Ollama } from "../components/ai/ollama";
import { Mem0 } from "../components/ai/mem0";
import { BackupBuckets, familyAssistantArgs, gpuNodes, mem0Args, minioArgs, n8nArgs, ollamaArgs, postgresArgs, postgresBackupArgs, qdrantArgs, qdrantBackupArgs, redisArgs } from "./plan";
import { BackupFreshness } from "../components/data/backup";
import { MinioCluster } from "../components/data/minio/minio";
import { minioConsumers } from "../components/data/minio/settings";
import { PatroniPostgres } from "../components/data/postgres/postgres";
import { K3sCluster } from "../components/cluster";
import { clusterArgs } from "./cluster";
import { CertManager, TraefikIngress } from "../components/ingress";
import { emitPlatformNamespace } from "../components/kit";
import type { RouteDefaults } from "../components/kit";
import { certManagerArgs, traefikArgs } from "./ingress";
import { Redis } from "../components/data/redis";
import { N8n } from "../components/apps/n8n";
import { FamilyAssistant } from "../components/apps/family-assistant";
import { Observability } from "../components/observability";
import { observabilityArgs } from "./observability";

export interface PlatformOutputs {
  readonly namespace: string;
  readonly qdrant?: HttpConnection;
  /** In-cluster host of the PostgreSQL primary. */
  readonly postgresPrimary?: string;
  /** The application databases, by name: host, port, user and the password's Secret reference. */
  readonly databases: Record<string, PostgresConnection>;
  /** The Traefik dashboard (basic auth; user and password in the Secret traefik-dashboard-credentials). */
  readonly dashboardUrl?: string;
  /** Ollama's API (OpenAI-compatible under /v1), when enabled. */
  readonly ollama?: HttpConnection;
  /** Mem0's API, its admin key as `apiKey` (send it as X-API-Key), when enabled. */
  readonly mem0?: HttpConnection;
  /** The MinIO console (root user and password in the Secret minio-root), when routed. */
  readonly minioConsoleUrl?: string;
  readonly redis?: RedisConnection;
  readonly n8nUrl?: string;
  readonly familyAssistantUrl?: string;
  /** Grafana (user admin; password in the Secret monitoring/grafana-admin). */
  readonly grafanaUrl?: string;
}

export class HomelabPlatform extends pulumi.ComponentResource {
  readonly outputs: PlatformOutputs;
  readonly provider: k8s.Provider;
  /** Admin kubeconfig of the cluster (a secret). */
  readonly kubeconfig: pulumi.Output<string>;
  /** Give this to the kit's emitRoute: every app route gets HTTPS, the headers and the issuer. */
  readonly routes: RouteDefaults;
  /** The generated dashboard password, a Pulumi secret. */
  readonly dashboardPassword?: pulumi.Output<string>;
  /** MinIO, when enabled: consumers (backups) take `minio.connection(<consumer>)`. */
  readonly minio?: MinioCluster;
  /** Grafana's generated admin password, a Pulumi secret. */
  readonly grafanaPassword?: pulumi.Output<string>;

  constructor(name: string, stack: LoadedStack, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:platform:HomelabPlatform", name, {}, opts);
    const cfg = stack.config;
    // The cluster: k3s installed over SSH (or an existing one); its provider carries every Kubernetes resource.
    const cluster = new K3sCluster("cluster", clusterArgs(cfg, stack.secrets), { parent: this });
    this.provider = cluster.provider;
    this.kubeconfig = cluster.kubeconfig;
    // Components hand the provider down to their children; plain resources take it directly.
    const child = { parent: this, providers: [this.provider] };

    // Pod Security labels, protected, default-deny ingress before any pod can start in it.
    const ns = emitPlatformNamespace(this, cfg.namespace, { provider: this.provider });

    // Ingress first: app routes take its route defaults (headers Middleware, issuer).
    const certs = new CertManager("cert-manager", certManagerArgs(cfg, stack.secrets), child);
    // Workloads wait for the monitoring CRDs too (cert-manager's readiness Job waits for them): the kit
    // emits each one's monitor with it.
    const inNs = { ...child, dependsOn: [...ns.ready, certs.readyJob] };
    const traefik = new TraefikIngress("traefik", traefikArgs(cfg, certs.issuer, certs.ready), { ...child, dependsOn: ns.ready });
    this.routes = traefik.routeDefaults;
    this.dashboardPassword = traefik.dashboard?.password;
    // Monitoring: Prometheus & co, the alerts, Grafana at grafana.<domain>, logs.
    const monitoring = new Observability("observability", observabilityArgs(cfg, stack.secrets, this.routes, [certs.readyJob]), child);
    this.grafanaPassword = monitoring.grafanaPassword;

    // MinIO before the services it backs up: each backup takes its consumer's connection (own key, own bucket).
    let buckets: BackupBuckets = {};
    if (cfg.workloads.minio.enabled) {
      const m = cfg.workloads.minio;
      const minio = new MinioCluster("minio", { ...minioArgs(cfg), ...(m.console.enabled ? { console: { routes: this.routes, subdomain: m.console.subdomain } } : {}) }, inNs);
      this.minio = minio;
      const consumers = minioConsumers(m.buckets);
      const bucketOf = (consumer: string) => (consumers.includes(consumer) ? minio.connection(consumer) : undefined);
      buckets = { postgres: bucketOf("postgres"), qdrant: bucketOf("qdrant") };
    }

    let qdrant: Qdrant | undefined;
    if (cfg.workloads.qdrant.enabled) {
      qdrant = new Qdrant("qdrant", { ...qdrantArgs(cfg), backup: qdrantBackupArgs(cfg, buckets.qdrant) }, inNs);
    }

    let postgres: PatroniPostgres | undefined;
    const databases: Record<string, PostgresConnection> = {};
    if (cfg.workloads.postgres.enabled) {
      postgres = new PatroniPostgres("postgres", { ...postgresArgs(cfg), backup: postgresBackupArgs(cfg, buckets.postgres) }, inNs);
      for (const db of cfg.workloads.postgres.databases) databases[db] = postgres.database(db);
    }

    // The GPU nodes advertise their GPUs (nvidia.com/gpu) through the device plugin.
    const devicePlugin = gpuNodes(cfg) > 0 ? new NvidiaDevicePlugin("nvidia-device-plugin", { gpuNodes: gpuNodes(cfg) }, child) : undefined;

    let ollama: Ollama | undefined;
    if (cfg.workloads.ollama.enabled) {
      const gpu = cfg.workloads.ollama.mode === "gpu" && devicePlugin ? [devicePlugin.daemonSet] : [];
      ollama = new Ollama("ollama", { ...ollamaArgs(cfg), dependsOn: gpu }, inNs);
    }

    let mem0: Mem0 | undefined;
    // Validation guarantees Ollama, Qdrant and the database exist when Mem0 is enabled (stacks/ai.ts).
    if (cfg.workloads.mem0.enabled && ollama && qdrant && databases[cfg.workloads.mem0.database]) {
      const connections = { postgres: databases[cfg.workloads.mem0.database], qdrant: qdrant.connection, ollama: ollama.connection };
      mem0 = new Mem0("mem0", { ...mem0Args(cfg, connections), dependsOn: ollama.ready }, inNs);
    }

    // One check over every backup: fails visibly when any is older than backups.freshness.maxAgeHours.
    const backupTargets = [...(postgres?.backupTargets ?? []), ...(qdrant?.backupTargets ?? [])];
    if (backupTargets.length > 0) {
      new BackupFreshness("backup-freshness", { namespace: cfg.namespace, targets: backupTargets, ...cfg.backups.freshness }, inNs);
    }

    let redis: Redis | undefined;
    if (cfg.workloads.redis.enabled) {
      redis = new Redis("redis", redisArgs(cfg), inNs);
    }

    // Validation guarantees the databases they need exist (stacks/apps.ts).
    let n8n: N8n | undefined;
    if (cfg.workloads.n8n.enabled && databases.n8n) {
      n8n = new N8n("n8n", { ...n8nArgs(cfg), database: databases.n8n, routes: this.routes }, inNs);
    }

    let familyAssistant: FamilyAssistant | undefined;
    const fa = familyAssistantArgs(cfg);
    if (cfg.workloads.familyAssistant.enabled && fa && databases.family_assistant) {
      const connections = { redis: redis?.connection, qdrant: qdrant?.connection, mem0: mem0?.connection, ollama: ollama?.connection };
      familyAssistant = new FamilyAssistant("family-assistant", { ...fa, database: databases.family_assistant, ...connections, routes: this.routes }, inNs);
    }

    this.outputs = {
      namespace: cfg.namespace,
      qdrant: qdrant?.connection,
      postgresPrimary: postgres?.primaryHost,
      databases,
      dashboardUrl: traefik.dashboard?.url,
      ollama: ollama?.connection,
      mem0: mem0?.connection,
      minioConsoleUrl: this.minio?.consoleUrl,
      redis: redis?.connection,
      n8nUrl: n8n?.url,
      familyAssistantUrl: familyAssistant?.url,
      grafanaUrl: monitoring.grafanaUrl,
    };
    this.registerOutputs({ ...this.outputs });
  }
}
