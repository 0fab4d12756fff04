// Config → K3sCluster args: the nodes with their role labels (the keys the kit's placement selects
// on), the Tailscale/LAN addresses, SSH access and the secrets; or an existing cluster's kubeconfig.
import * as pulumi from "@pulumi/pulumi";
import type { EtcdS3Args, K3sClusterArgs } from "../components/cluster";
import type { Problems } from "../components/kit/problems";
import { key, setSecretCommand } from "./schema";
import { nodeRoleLabels } from "../components/kit";
import type { StackConfig } from "./config";

/** In a render or a preview without the secret set, a placeholder keeps the program whole. */
const UNSET = pulumi.secret("<not set>");

/** The etcd snapshots' S3 target with its keys from the stack secrets (placeholders in a render). */
export function etcdS3Args(cfg: StackConfig, secrets: Readonly<Record<string, pulumi.Output<string>>>): EtcdS3Args | undefined {
  const s3 = cfg.cluster.etcdSnapshots.s3;
  if (!s3) return undefined;
  return {
    endpoint: s3.endpoint,
    bucket: s3.bucket,
    region: s3.region,
    folder: s3.folder ?? cfg.stack,
    insecure: s3.insecure,
    accessKey: secrets.etcdS3AccessKey ?? UNSET,
    secretKey: secrets.etcdS3SecretKey ?? UNSET,
  };
}

/**
 * Rules of the etcd snapshots' S3 target: its keys must be set for a deploy, and a target inside the
 * cluster (the in-cluster MinIO) is warned about: restoring a lost cluster would need that cluster.
 */
export function checkEtcdBackup(cfg: StackConfig, opts: { readonly requireSecrets: boolean }, problems: Problems, warnings: string[]): void {
  const servers = cfg.nodes.filter((n) => n.k3s === "server").length;
  const s3 = cfg.cluster.etcdSnapshots.s3;
  const path = `${key("cluster")}.etcdSnapshots.s3`;
  if (!s3) return;
  if (cfg.cluster.mode !== "k3s" || servers < 2) {
    warnings.push(`${path} is set but the stack has no embedded etcd (k3s mode with several servers): it is not used`);
    return;
  }
  for (const k of ["etcdS3AccessKey", "etcdS3SecretKey"] as const) {
    if (cfg.secretsPresent.includes(k)) continue;
    const how = setSecretCommand(k);
    if (opts.requireSecrets) problems.add(key(k), `is not set (${path} needs it)`, `run: ${how}`);
    else warnings.push(`${key(k)} is not set: pulumi up will need it for ${path} (${how})`);
  }
  const host = s3.endpoint.replace(/:\d+$/, "");
  const nodeAddresses = new Set(cfg.nodes.flatMap((n) => [n.address, n.lanAddress, n.externalAddress]).filter(Boolean));
  if (/\.svc(\.cluster\.local)?$/.test(host) || /^minio(\.|$)/.test(host) || nodeAddresses.has(host)) {
    warnings.push(
      `${path}.endpoint ${s3.endpoint} is served by this cluster (the in-cluster MinIO): restoring a lost cluster from its etcd snapshots would need the cluster itself. ` +
        `Set ${path}.endpoint (and bucket, keys) to an S3 endpoint outside the cluster (a NAS, Backblaze B2, AWS S3), or copy the snapshots off the servers (/var/lib/rancher/k3s/server/db/snapshots) yourself`,
    );
  }
}

export function clusterArgs(cfg: StackConfig, secrets: Readonly<Record<string, pulumi.Output<string>>>): K3sClusterArgs {
  if (cfg.cluster.mode === "existing") {
    return { kubeconfig: secrets.kubeconfig ?? UNSET, nodeLabels: Object.fromEntries(cfg.nodes.map((n) => [n.name, nodeRoleLabels(n.roles)])) };
  }
  const key = secrets.sshPrivateKey ?? UNSET;
  const servers = cfg.nodes.filter((n) => n.k3s === "server").length;
  return {
    version: cfg.cluster.version,
    flannelIface: cfg.cluster.flannelIface,
    flannelBackend: cfg.cluster.flannelBackend,
    secretsEncryption: cfg.cluster.secretsEncryption,
    embeddedEtcd: servers > 1,
    etcdSnapshots: servers > 1 ? { scheduleCron: cfg.cluster.etcdSnapshots.schedule, retention: cfg.cluster.etcdSnapshots.retention, s3: etcdS3Args(cfg, secrets) } : undefined,
    uninstallRemovedNodes: cfg.cluster.uninstall,
    nodes: cfg.nodes.map((n) => ({
      name: n.name,
      role: n.k3s,
      ssh: { host: n.ssh.host, user: n.ssh.user, port: n.ssh.port, privateKey: key },
      nodeIp: n.address,
      externalIp: n.externalAddress,
      labels: nodeRoleLabels(n.roles),
      taints: n.taints,
      gpu: n.gpu,
      // A server's API certificate must name every address a client may use: Tailscale, LAN and public.
      tlsSans: n.k3s === "server" ? [n.address, n.lanAddress, n.externalAddress].filter((a): a is string => !!a) : undefined,
    })),
  };
}
