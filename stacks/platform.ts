// The composition: one validated stack config → the cluster provider and every component.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Qdrant } from "../components/data/qdrant";
import type { HttpConnection, PostgresConnection } from "../components/kit";
import type { LoadedStack } from "./load";
import { minioArgs, postgresArgs, qdrantArgs } from "./plan";
import { MinioCluster } from "../components/data/minio/minio";
import { PatroniPostgres } from "../components/data/postgres/postgres";
import { K3sCluster } from "../components/cluster";
import { clusterArgs } from "./cluster";
import { CertManager, TraefikIngress } from "../components/ingress";
import { emitPlatformNamespace } from "../components/kit";
import type { RouteDefaults } from "../components/kit";
import { certManagerArgs, traefikArgs } from "./ingress";

export interface PlatformOutputs {
  readonly namespace: string;
  readonly qdrant?: HttpConnection;
  /** In-cluster host of the PostgreSQL primary. */
  readonly postgresPrimary?: string;
  /** The application databases, by name: host, port, user and the password's Secret reference. */
  readonly databases: Record<string, PostgresConnection>;
  /** The Traefik dashboard (basic auth; user and password in the Secret traefik-dashboard-credentials). */
  readonly dashboardUrl?: string;
  /** The MinIO console (root user and password in the Secret minio-root), when routed. */
  readonly minioConsoleUrl?: string;
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

    // MinIO before the services it backs up: their backups take `this.minio.connection(<consumer>)`.
    if (cfg.workloads.minio.enabled) {
      const m = cfg.workloads.minio;
      this.minio = new MinioCluster("minio", { ...minioArgs(cfg), ...(m.console.enabled ? { console: { routes: this.routes, subdomain: m.console.subdomain } } : {}) }, inNs);
    }

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

    this.outputs = { namespace: cfg.namespace, qdrant: qdrant?.connection, postgresPrimary: postgres?.primaryHost, databases, dashboardUrl: traefik.dashboard?.url, minioConsoleUrl: this.minio?.consoleUrl };
    this.registerOutputs({ ...this.outputs });
  }
}
