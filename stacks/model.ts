// The typed stack model: what a validated Pulumi.<stack>.yaml means. Only stacks/ reads config;
// components take these values (or parts of them) as typed args.
import type { NodeRole, ResourceSpec } from "../components/kit";
import type { PatroniDcs, PatroniTiming } from "../components/data/postgres/patroni-config";
import type { IngressConfig } from "./ingress";

export const PROJECT = "homelab";

export interface SshConfig {
  /** Default: the node's address. */
  readonly host: string;
  /** Default "root"; a sudo-capable user works too. */
  readonly user: string;
  /** Default 22. */
  readonly port: number;
}

export interface NodeConfig {
  /** The Kubernetes node name (k3s `node-name`). */
  readonly name: string;
  readonly roles: readonly NodeRole[];
  /** k3s role. */
  readonly k3s: "server" | "agent";
  /** CPU capacity, a Kubernetes quantity ("4"). */
  readonly cpu: string;
  /** Memory capacity ("8Gi"). */
  readonly memory: string;
  /** The address cluster traffic uses (the Tailscale address in the homelab stack): k3s node-ip. */
  readonly address: string;
  /** The node's LAN address, if any (added to the API certificate and to trusted proxy ranges). */
  readonly lanAddress?: string;
  /** A public address, if any: k3s node-external-ip. */
  readonly externalAddress?: string;
  readonly ssh: SshConfig;
  /** Extra taints, "key=value:Effect". */
  readonly taints: readonly string[];
  readonly gpu: boolean;
}

export interface EtcdSnapshotConfig {
  /** Cron schedule. Default: every 6 hours. */
  readonly schedule: string;
  /** Snapshots kept. Default 12. */
  readonly retention: number;
}

export interface ClusterConfig {
  /** `k3s`: the program installs k3s over SSH. `existing`: use the kubeconfig in the `kubeconfig` secret. */
  readonly mode: "k3s" | "existing";
  /** Pinned k3s version, e.g. v1.33.5+k3s1. */
  readonly version?: string;
  /** Network interface flannel uses, e.g. tailscale0 when node addresses are Tailscale ones. */
  readonly flannelIface?: string;
  readonly etcdSnapshots: EtcdSnapshotConfig;
  /** Nodes to remove (drain + delete) and, only when listed here, uninstall k3s from. */
  readonly uninstall: readonly string[];
}

/** The settings every platform workload shares. */
export interface WorkloadSettings {
  readonly enabled: boolean;
  readonly replicas: number;
  /** The node a pinned workload runs on; required (with a default) for local-path storage. */
  readonly node?: string;
  readonly resources: ResourceSpec;
  /** Per-replica volume size, for workloads with storage. */
  readonly storage?: string;
  /** Set after copying a local volume's data to a new node: the node it was on. */
  readonly migrateFrom?: string;
  /** The config path of this workload, for messages. */
  readonly path: string;
}

export interface QdrantSettings extends WorkloadSettings {
  readonly node: string;
  readonly storage: string;
}

export interface PostgresSettings extends WorkloadSettings {
  readonly storage: string;
  /** PostgreSQL major version. Default "17". */
  readonly version: string;
  readonly timing: PatroniTiming;
  readonly dcs: PatroniDcs;
  /** Discovery sidecar poll interval, seconds. Default 2. */
  readonly pollSeconds: number;
  /** Application databases (each with an owner of the same name and a connection Secret). Default none. */
  readonly databases: readonly string[];
}

export interface Workloads {
  readonly qdrant: QdrantSettings;
  readonly postgres: PostgresSettings;
}

export interface StackConfig {
  readonly stack: string;
  readonly domain: string;
  /** Namespace for the platform's workloads. Default "homelab". */
  readonly namespace: string;
  /** Share of each node's CPU and memory kept free for the OS, k3s and system pods. Default 10. */
  readonly systemReservePercent: number;
  readonly cluster: ClusterConfig;
  readonly nodes: readonly NodeConfig[];
  readonly workloads: Workloads;
  /** Traefik, security headers, the dashboard and certificates (`homelab:ingress`, stacks/ingress.ts). */
  readonly ingress: IngressConfig;
  /** Names of secret config keys that are set (their values never enter the model). */
  readonly secretsPresent: readonly string[];
}
