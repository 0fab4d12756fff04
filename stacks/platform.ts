// The composition: one validated stack config → the cluster provider and every component.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Qdrant } from "../components/data/qdrant";
import type { HttpConnection, PostgresConnection } from "../components/kit";
import type { LoadedStack } from "./load";
import { postgresArgs, qdrantArgs } from "./plan";
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
import type { RedisConnection } from "../components/kit";
import { familyAssistantArgs, n8nArgs, redisArgs } from "./plan";

export interface PlatformOutputs {
  readonly namespace: string;
  readonly qdrant?: HttpConnection;
  /** In-cluster host of the PostgreSQL primary. */
  readonly postgresPrimary?: string;
  /** The application databases, by name: host, port, user and the password's Secret reference. */
  readonly databases: Record<string, PostgresConnection>;
  /** The Traefik dashboard (basic auth; user and password in the Secret traefik-dashboard-credentials). */
  readonly dashboardUrl?: string;
  readonly redis?: RedisConnection;
  readonly n8nUrl?: string;
  readonly familyAssistantUrl?: string;
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
    const inNs = { ...child, dependsOn: ns.ready };

    // Ingress first: app routes take its route defaults (headers Middleware, issuer).
    const certs = new CertManager("cert-manager", certManagerArgs(cfg, stack.secrets), child);
    const traefik = new TraefikIngress("traefik", traefikArgs(cfg, certs.issuer, certs.ready), inNs);
    this.routes = traefik.routeDefaults;
    this.dashboardPassword = traefik.dashboard?.password;

    let qdrant: Qdrant | undefined;
    if (cfg.workloads.qdrant.enabled) {
      qdrant = new Qdrant("qdrant", qdrantArgs(cfg), inNs);
    }

    let postgres: PatroniPostgres | undefined;
    const databases: Record<string, PostgresConnection> = {};
    if (cfg.workloads.postgres.enabled) {
      postgres = new PatroniPostgres("postgres", postgresArgs(cfg), inNs);
      for (const db of cfg.workloads.postgres.databases) databases[db] = postgres.database(db);
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
      // Mem0 and Ollama (components/ai) join here as `mem0` and `ollama` connections once they exist.
      familyAssistant = new FamilyAssistant("family-assistant", { ...fa, database: databases.family_assistant, redis: redis?.connection, qdrant: qdrant?.connection, routes: this.routes }, inNs);
    }

    this.outputs = {
      namespace: cfg.namespace,
      qdrant: qdrant?.connection,
      postgresPrimary: postgres?.primaryHost,
      databases,
      dashboardUrl: traefik.dashboard?.url,
      redis: redis?.connection,
      n8nUrl: n8n?.url,
      familyAssistantUrl: familyAssistant?.url,
    };
    this.registerOutputs({ ...this.outputs });
  }
}
