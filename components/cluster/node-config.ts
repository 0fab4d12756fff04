/**
 * Pure: a resolved node + cluster → the k3s config.yaml that runs on that node.
 *
 * Keys are k3s flag names; repeatable flags are lists (k3s reads /etc/rancher/k3s/config.yaml and
 * then /etc/rancher/k3s/config.yaml.d/*.yaml). config.yaml never holds a secret, so it can be
 * shown in previews, rendered offline and diffed against the node. The token and S3 keys go to a
 * separate drop-in file written with mode 600 from the command's stdin (see `secretsConfigYaml`).
 */
import { createHash } from "crypto";
import { stringify } from "yaml";
import { K3sConfigValue } from "./types";
import { K3S_API_PORT, ResolvedCluster, ResolvedNode } from "./validate";

/** Where the files live on a node (the scripts prefix them with $NODE_ROOT for tests). */
export const K3S_CONFIG_FILE = "/etc/rancher/k3s/config.yaml";
export const K3S_SECRETS_FILE = "/etc/rancher/k3s/config.yaml.d/90-pulumi-secrets.yaml";

export type K3sNodeConfig = Readonly<Record<string, K3sConfigValue>>;

/** `https://host:port`, with brackets for IPv6 literals. */
export function httpsUrl(host: string, port: number = K3S_API_PORT): string {
  const h = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  return `https://${h}:${port}`;
}

function uniqueSorted(values: readonly (string | undefined)[]): string[] {
  return [...new Set(values.filter((v): v is string => typeof v === "string" && v.length > 0))].sort();
}

/** Every address a client may use to reach this server's API: shared ones plus its own. */
export function serverTlsSans(node: ResolvedNode, cluster: ResolvedCluster): string[] {
  return uniqueSorted([cluster.apiEndpoint, ...cluster.tlsSans, ...node.tlsSans, node.ssh.host, node.nodeIp, node.externalIp]);
}

/** The config.yaml content of one node, as an ordered object. */
export function nodeConfig(node: ResolvedNode, cluster: ResolvedCluster): K3sNodeConfig {
  const c: Record<string, K3sConfigValue> = {};
  c["node-name"] = node.name;
  c["node-ip"] = node.nodeIp;
  if (node.externalIp) c["node-external-ip"] = node.externalIp;
  const iface = node.flannelIface ?? cluster.flannelIface;
  if (iface) c["flannel-iface"] = iface;

  if (node.role === "server") {
    if (node.isFirstServer) {
      if (cluster.embeddedEtcd) c["cluster-init"] = true;
    } else {
      c["server"] = httpsUrl(cluster.joinAddress);
    }
    c["tls-san"] = serverTlsSans(node, cluster);
    // Always written, so the config.yaml on a server says which backend carries pod traffic.
    c["flannel-backend"] = cluster.flannelBackend;
    if (cluster.disable.length > 0) c["disable"] = [...cluster.disable];
    if (cluster.secretsEncryption) c["secrets-encryption"] = true;
    const snap = cluster.snapshots;
    if (snap) {
      c["etcd-snapshot-schedule-cron"] = snap.scheduleCron;
      c["etcd-snapshot-retention"] = snap.retention;
      if (snap.s3) {
        c["etcd-s3"] = true;
        c["etcd-s3-endpoint"] = snap.s3.endpoint;
        c["etcd-s3-bucket"] = snap.s3.bucket;
        if (snap.s3.region) c["etcd-s3-region"] = snap.s3.region;
        if (snap.s3.folder) c["etcd-s3-folder"] = snap.s3.folder;
        if (snap.s3.insecure) c["etcd-s3-insecure"] = true;
      }
    }
  } else {
    c["server"] = httpsUrl(cluster.joinAddress);
  }

  if (node.labels.length > 0) c["node-label"] = node.labels.map(([k, v]) => `${k}=${v}`);
  if (node.taints.length > 0) c["node-taint"] = [...node.taints];
  for (const key of Object.keys(node.extraConfig).sort()) c[key] = node.extraConfig[key];
  return c;
}

// No anchors: a value shared by two keys is written out twice, as k3s's own examples are, and the
// writer skips its search for shared objects (a k3s node's config is written on every render).
const YAML_OPTIONS = { lineWidth: 0, aliasDuplicateObjects: false } as const;

const HEADER = (node: ResolvedNode) =>
  `# k3s ${node.role} "${node.name}" - managed by Pulumi (K3sCluster). Local edits are overwritten.\n` +
  `# Secrets (token, S3 keys) are in ${K3S_SECRETS_FILE} (mode 600).\n`;

/** config.yaml text (deterministic: same inputs → same bytes, so the node can compare it). */
export function renderNodeConfig(node: ResolvedNode, cluster: ResolvedCluster): string {
  return HEADER(node) + stringify(nodeConfig(node, cluster), YAML_OPTIONS);
}

/** Plain secret values, only ever handled inside `apply` and sent over stdin. */
export interface NodeSecretValues {
  readonly token: string;
  readonly s3AccessKey?: string;
  readonly s3SecretKey?: string;
}

/** Text of the secrets drop-in (token for every node; S3 keys for servers with an S3 target). */
export function secretsConfigYaml(node: ResolvedNode, cluster: ResolvedCluster, values: NodeSecretValues): string {
  const c: Record<string, string> = { token: values.token };
  if (node.role === "server" && cluster.snapshots?.s3) {
    if (values.s3AccessKey !== undefined) c["etcd-s3-access-key"] = values.s3AccessKey;
    if (values.s3SecretKey !== undefined) c["etcd-s3-secret-key"] = values.s3SecretKey;
  }
  return "# Managed by Pulumi (K3sCluster). Secret: keep mode 600.\n" + stringify(c, YAML_OPTIONS);
}

/** Short digest of what a node should run; changes whenever its version or config.yaml changes. */
export function nodeDigest(node: ResolvedNode, cluster: ResolvedCluster, configYaml = renderNodeConfig(node, cluster)): string {
  return createHash("sha256").update(cluster.version).update("\0").update(configYaml).digest("hex").slice(0, 16);
}
