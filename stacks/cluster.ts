// Config → K3sCluster args: the nodes with their role labels (the keys the kit's placement selects
// on), the Tailscale/LAN addresses, SSH access and the secrets; or an existing cluster's kubeconfig.
import * as pulumi from "@pulumi/pulumi";
import type { K3sClusterArgs } from "../components/cluster";
import { nodeRoleLabels } from "../components/kit";
import type { StackConfig } from "./config";

/** In a render or a preview without the secret set, a placeholder keeps the program whole. */
const UNSET = pulumi.secret("<not set>");

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
    etcdSnapshots: servers > 1 ? { scheduleCron: cfg.cluster.etcdSnapshots.schedule, retention: cfg.cluster.etcdSnapshots.retention } : undefined,
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
