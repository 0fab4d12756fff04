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

    this.outputs = { namespace: cfg.namespace, qdrant: qdrant?.connection, postgresPrimary: postgres?.primaryHost, databases, dashboardUrl: traefik.dashboard?.url, grafanaUrl: monitoring.grafanaUrl };
    this.registerOutputs({ ...this.outputs });
  }
}
