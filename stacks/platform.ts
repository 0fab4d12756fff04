// The composition: one validated stack config → the cluster provider and every component.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { Qdrant } from "../components/data/qdrant";
import type { HttpConnection } from "../components/kit";
import type { LoadedStack } from "./load";
import { postgresArgs, qdrantArgs } from "./plan";
import { PatroniPostgres } from "../components/data/postgres/postgres";

export interface PlatformOutputs {
  readonly namespace: string;
  readonly qdrant?: HttpConnection;
  /** In-cluster host of the PostgreSQL primary. */
  readonly postgresPrimary?: string;
}

export class HomelabPlatform extends pulumi.ComponentResource {
  readonly outputs: PlatformOutputs;
  readonly provider: k8s.Provider;

  constructor(name: string, stack: LoadedStack, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:platform:HomelabPlatform", name, {}, opts);
    const cfg = stack.config;
    this.provider = new k8s.Provider("cluster", { kubeconfig: stack.secrets.kubeconfig, enableServerSideApply: true }, { parent: this });
    // Components hand the provider down to their children; plain resources take it directly.
    const child = { parent: this, providers: [this.provider] };

    const ns = new k8s.core.v1.Namespace(cfg.namespace, {
      metadata: {
        name: cfg.namespace,
        // Baseline is enforced (some images still need root); restricted violations are reported.
        labels: { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted" },
      },
    }, { parent: this, provider: this.provider });
    const inNs = { ...child, dependsOn: [ns] };

    let qdrant: Qdrant | undefined;
    if (cfg.workloads.qdrant.enabled) {
      qdrant = new Qdrant("qdrant", qdrantArgs(cfg), inNs);
    }

    let postgres: PatroniPostgres | undefined;
    if (cfg.workloads.postgres.enabled) postgres = new PatroniPostgres("postgres", postgresArgs(cfg), inNs);

    this.outputs = { namespace: cfg.namespace, qdrant: qdrant?.connection, postgresPrimary: postgres?.primaryHost };
    this.registerOutputs({ ...this.outputs });
  }
}
