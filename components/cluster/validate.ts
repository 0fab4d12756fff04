/**
 * Pure validation and defaulting of K3sNodesClusterArgs.
 *
 * `resolveCluster` checks every field, collects every problem (each message starts with the path of
 * the offending field) and throws them together, so a bad stack config fails before any resource
 * is registered. The result is a normalised, fully defaulted description that the config and
 * script generators consume.
 */
import { isCron, isDnsSubdomain, isHost, isInterfaceName, isIpAddress, isK3sComponentName, isK3sConfigKey, isK3sVersion, isLabelKey, isLabelValue, isS3Bucket, isS3Endpoint, isS3Folder, isS3Region, isSha256Hex, isSubjectAltName, isTaint, isUnixUser } from "../kit/formats";
import { DEFAULT_K3S_VERSION, K3sConfigValue, K3sNodeRole, K3sNodesClusterArgs } from "./types";
import { DEFAULT_SECRETS_ENCRYPTION, FLANNEL_BACKENDS, FlannelBackend, defaultFlannelBackend } from "./network";

export const DEFAULT_SNAPSHOT_CRON = "0 */6 * * *";
export const DEFAULT_SNAPSHOT_RETENTION = 28;
export const DEFAULT_READY_TIMEOUT_SECONDS = 600;
export const DEFAULT_DRAIN_TIMEOUT_SECONDS = 300;
export const DEFAULT_GPU_RUNTIME_WAIT_SECONDS = 120;
export const DEFAULT_INSTALL_TIMEOUT_SECONDS = 900;
export const DEFAULT_INSTALLER_URL = "https://get.k3s.io";
export const K3S_API_PORT = 6443;

/** config.yaml keys the component writes itself; `extraConfig` may not set them. */
export const MANAGED_CONFIG_KEYS: readonly string[] = [
  "server", "token", "token-file", "agent-token", "cluster-init", "node-name", "node-ip",
  "node-external-ip", "flannel-iface", "flannel-backend", "tls-san", "node-label", "node-taint",
  "disable", "secrets-encryption", "etcd-snapshot-schedule-cron", "etcd-snapshot-retention",
  "etcd-s3", "etcd-s3-endpoint", "etcd-s3-bucket", "etcd-s3-region", "etcd-s3-folder",
  "etcd-s3-access-key", "etcd-s3-secret-key", "etcd-s3-insecure", "etcd-disable-snapshots",
  "config", "data-dir",
];

/** Thrown by `resolveCluster`; `problems` lists every invalid field. */
export class K3sClusterArgsError extends Error {
  constructor(public readonly problems: readonly string[]) {
    super(`invalid K3sCluster args (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
      problems.map((p) => `  - ${p}`).join("\n"));
    this.name = "K3sClusterArgsError";
  }
}

export interface ResolvedSsh {
  readonly host: string;
  readonly user: string;
  readonly port: number;
}

export interface ResolvedNode {
  readonly name: string;
  readonly role: K3sNodeRole;
  /** Position in `args.nodes` (used to find the secret inputs again). */
  readonly argIndex: number;
  readonly isFirstServer: boolean;
  readonly ssh: ResolvedSsh;
  readonly nodeIp: string;
  readonly externalIp?: string;
  readonly flannelIface?: string;
  /** Sorted by key. */
  readonly labels: readonly (readonly [string, string])[];
  readonly taints: readonly string[];
  readonly gpu: boolean;
  readonly uninstallOnRemove: boolean;
  readonly tlsSans: readonly string[];
  readonly extraConfig: Readonly<Record<string, K3sConfigValue>>;
}

export interface ResolvedS3 {
  readonly endpoint: string;
  readonly bucket: string;
  readonly region?: string;
  readonly folder?: string;
  readonly insecure: boolean;
}

export interface ResolvedSnapshots {
  readonly scheduleCron: string;
  readonly retention: number;
  readonly s3?: ResolvedS3;
}

export interface ResolvedCluster {
  readonly version: string;
  readonly embeddedEtcd: boolean;
  readonly snapshots?: ResolvedSnapshots;
  readonly flannelIface?: string;
  readonly flannelBackend: FlannelBackend;
  readonly apiEndpoint: string;
  readonly joinAddress: string;
  readonly tlsSans: readonly string[];
  readonly disable: readonly string[];
  readonly secretsEncryption: boolean;
  readonly readyTimeoutSeconds: number;
  readonly drainTimeoutSeconds: number;
  readonly gpuRuntimeWaitSeconds: number;
  readonly installTimeoutSeconds: number;
  readonly installerUrl: string;
  readonly installerSha256?: string;
  /** Removed nodes whose delete-time commands should uninstall k3s. */
  readonly uninstallRemovedNodes: readonly string[];
  /** Install order: the first server, the other servers in args order, then the agents. */
  readonly nodes: readonly ResolvedNode[];
  readonly firstServer: ResolvedNode;
}

function isPositiveInt(n: unknown): n is number {
  return typeof n === "number" && Number.isInteger(n) && n > 0;
}

function isSafeText(s: string): boolean {
  // eslint-disable-next-line no-control-regex
  return !/[\u0000-\u001f\u007f]/.test(s);
}

function checkConfigValue(path: string, value: unknown, problems: string[]): void {
  const bad = () => problems.push(`${path}: must be a string, number, boolean or list of strings without control characters`);
  if (typeof value === "string") {
    if (!isSafeText(value)) bad();
  } else if (typeof value === "number") {
    if (!Number.isFinite(value)) bad();
  } else if (typeof value === "boolean") {
    return;
  } else if (Array.isArray(value)) {
    if (!value.every((v) => typeof v === "string" && isSafeText(v))) bad();
  } else {
    bad();
  }
}

/**
 * Validate and default the args of a managed (SSH) cluster. Throws K3sClusterArgsError listing every
 * problem; never touches Pulumi (secret inputs are not inspected).
 */
export function resolveCluster(args: K3sNodesClusterArgs): ResolvedCluster {
  const problems: string[] = [];
  const nodesIn = Array.isArray(args.nodes) ? args.nodes : [];
  if (!Array.isArray(args.nodes)) problems.push("nodes: must be a list of nodes");
  else if (nodesIn.length === 0) problems.push("nodes: at least one node is required (or pass kubeconfig for an existing cluster)");

  const version = args.version ?? DEFAULT_K3S_VERSION;
  if (!isK3sVersion(version)) {
    problems.push(`version: "${version}" is not a k3s release tag like ${DEFAULT_K3S_VERSION}`);
  }

  const seenNames = new Map<string, number>();
  const seenIps = new Map<string, number>();
  const resolved: Omit<ResolvedNode, "isFirstServer">[] = [];

  nodesIn.forEach((node, i) => {
    const at = `nodes[${i}]`;
    const name = node?.name;
    if (typeof name !== "string" || !isDnsSubdomain(name)) {
      problems.push(`${at}.name: "${String(name)}" must be a lowercase RFC 1123 subdomain (a-z, 0-9, '-', '.')`);
    } else if (seenNames.has(name)) {
      problems.push(`${at}.name: duplicate node name "${name}" (also nodes[${seenNames.get(name)}])`);
    } else {
      seenNames.set(name, i);
    }
    const role = node?.role;
    if (role !== "server" && role !== "agent") {
      problems.push(`${at}.role: "${String(role)}" must be "server" or "agent"`);
    }

    const ssh = node?.ssh;
    const sshUser = ssh?.user ?? "root";
    const sshPort = ssh?.port ?? 22;
    if (!ssh || typeof ssh.host !== "string" || !isHost(ssh.host)) {
      problems.push(`${at}.ssh.host: "${String(ssh?.host)}" must be an IP address or DNS name`);
    }
    if (typeof sshUser !== "string" || !isUnixUser(sshUser)) {
      problems.push(`${at}.ssh.user: "${String(sshUser)}" is not a valid user name`);
    }
    if (!Number.isInteger(sshPort) || sshPort < 1 || sshPort > 65535) {
      problems.push(`${at}.ssh.port: ${String(sshPort)} must be an integer from 1 to 65535`);
    }
    if (ssh && ssh.privateKey === undefined) {
      problems.push(`${at}.ssh.privateKey: required (set it as a secret: pulumi config set --secret ...)`);
    }

    const nodeIp = node?.nodeIp;
    if (typeof nodeIp !== "string" || !isIpAddress(nodeIp)) {
      problems.push(`${at}.nodeIp: "${String(nodeIp)}" must be an IPv4 or IPv6 address`);
    } else if (seenIps.has(nodeIp)) {
      problems.push(`${at}.nodeIp: ${nodeIp} is already used by nodes[${seenIps.get(nodeIp)}]`);
    } else {
      seenIps.set(nodeIp, i);
    }
    if (node?.externalIp !== undefined && !isIpAddress(node.externalIp)) {
      problems.push(`${at}.externalIp: "${node.externalIp}" must be an IPv4 or IPv6 address`);
    }
    if (node?.flannelIface !== undefined && !isInterfaceName(node.flannelIface)) {
      problems.push(`${at}.flannelIface: "${node.flannelIface}" is not a network interface name`);
    }

    const labels = Object.entries(node?.labels ?? {});
    for (const [k, v] of labels) {
      if (!isLabelKey(k)) problems.push(`${at}.labels: key "${k}" is not a valid Kubernetes label key`);
      if (typeof v !== "string" || !isLabelValue(v)) {
        problems.push(`${at}.labels["${k}"]: value "${String(v)}" is not a valid Kubernetes label value (at most 63 of A-Z a-z 0-9 - _ .)`);
      }
    }
    const taints: readonly string[] = node?.taints ?? [];
    taints.forEach((t, j) => {
      if (typeof t !== "string" || !isTaint(t)) {
        problems.push(`${at}.taints[${j}]: "${String(t)}" must look like key[=value]:NoSchedule|PreferNoSchedule|NoExecute`);
      }
    });

    const nodeSans: readonly string[] = node?.tlsSans ?? [];
    nodeSans.forEach((san, j) => {
      if (typeof san !== "string" || !isSubjectAltName(san)) {
        problems.push(`${at}.tlsSans[${j}]: "${String(san)}" must be an IP address or DNS name`);
      }
    });
    if (nodeSans.length > 0 && role === "agent") {
      problems.push(`${at}.tlsSans: only servers serve the API; remove tlsSans from this agent`);
    }

    const extra = node?.extraConfig ?? {};
    for (const [k, v] of Object.entries(extra)) {
      const bare = k.endsWith("+") ? k.slice(0, -1) : k;
      if (!isK3sConfigKey(k)) {
        problems.push(`${at}.extraConfig: "${k}" is not a k3s flag name (lowercase, digits, '-')`);
      } else if (MANAGED_CONFIG_KEYS.includes(bare)) {
        problems.push(`${at}.extraConfig: "${k}" is managed by the component; use the typed argument instead`);
      }
      checkConfigValue(`${at}.extraConfig["${k}"]`, v, problems);
    }

    resolved.push({
      name: String(name),
      role: role === "agent" ? "agent" : "server",
      argIndex: i,
      ssh: { host: String(ssh?.host), user: String(sshUser), port: Number(sshPort) },
      nodeIp: String(nodeIp),
      externalIp: node?.externalIp,
      flannelIface: node?.flannelIface,
      labels: labels.map(([k, v]) => [k, String(v)] as const).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)),
      taints: [...taints],
      gpu: node?.gpu ?? false,
      uninstallOnRemove: node?.uninstallOnRemove ?? false,
      tlsSans: [...nodeSans],
      extraConfig: { ...extra },
    });
  });

  // Nodes with an invalid role (already reported) count as neither.
  const servers = resolved.filter((n) => nodesIn[n.argIndex]?.role === "server");
  const agents = resolved.filter((n) => nodesIn[n.argIndex]?.role === "agent");
  if (nodesIn.length > 0 && servers.length === 0) {
    problems.push("nodes: no node has role \"server\"; the first server runs the control plane");
  } else if (servers.length % 2 === 0 && servers.length > 0) {
    problems.push(`nodes: ${servers.length} servers is an even number; etcd needs an odd number of servers (1, 3, 5) to keep quorum`);
  }

  const embeddedEtcd = args.embeddedEtcd ?? servers.length > 1;
  if (!embeddedEtcd && servers.length > 1) {
    problems.push("embeddedEtcd: false is only possible with one server (several servers need embedded etcd)");
  }

  let snapshots: ResolvedSnapshots | undefined;
  if (args.etcdSnapshots !== undefined && !embeddedEtcd) {
    problems.push("etcdSnapshots: etcd snapshots need embedded etcd (set embeddedEtcd: true or use more than one server)");
  }
  if (embeddedEtcd) {
    const s = args.etcdSnapshots ?? {};
    const scheduleCron = s.scheduleCron ?? DEFAULT_SNAPSHOT_CRON;
    const fields = scheduleCron.trim().split(/\s+/);
    if (!isCron(scheduleCron)) {
      problems.push(`etcdSnapshots.scheduleCron: "${scheduleCron}" must be a 5-field cron expression like "${DEFAULT_SNAPSHOT_CRON}"`);
    }
    const retention = s.retention ?? DEFAULT_SNAPSHOT_RETENTION;
    if (!isPositiveInt(retention)) problems.push(`etcdSnapshots.retention: ${String(retention)} must be a positive integer`);
    let s3: ResolvedS3 | undefined;
    if (s.s3) {
      if (typeof s.s3.endpoint !== "string" || !isS3Endpoint(s.s3.endpoint)) {
        problems.push(`etcdSnapshots.s3.endpoint: "${String(s.s3.endpoint)}" must be host[:port] without a scheme (set insecure: true for plain HTTP)`);
      }
      if (typeof s.s3.bucket !== "string" || !isS3Bucket(s.s3.bucket)) {
        problems.push(`etcdSnapshots.s3.bucket: "${String(s.s3.bucket)}" is not a valid S3 bucket name`);
      }
      if (s.s3.region !== undefined && !isS3Region(s.s3.region)) {
        problems.push(`etcdSnapshots.s3.region: "${s.s3.region}" is not a region name`);
      }
      if (s.s3.folder !== undefined && !isS3Folder(s.s3.folder)) {
        problems.push(`etcdSnapshots.s3.folder: "${s.s3.folder}" may only contain A-Z a-z 0-9 . _ / -`);
      }
      if (s.s3.accessKey === undefined) problems.push("etcdSnapshots.s3.accessKey: required");
      if (s.s3.secretKey === undefined) problems.push("etcdSnapshots.s3.secretKey: required (a secret)");
      s3 = {
        endpoint: s.s3.endpoint, bucket: s.s3.bucket, region: s.s3.region, folder: s.s3.folder,
        insecure: s.s3.insecure ?? false,
      };
    }
    snapshots = { scheduleCron: fields.join(" "), retention, s3 };
  }

  if (args.flannelIface !== undefined && !isInterfaceName(args.flannelIface)) {
    problems.push(`flannelIface: "${args.flannelIface}" is not a network interface name`);
  }
  if (args.flannelBackend !== undefined && !(FLANNEL_BACKENDS as readonly string[]).includes(args.flannelBackend)) {
    problems.push(`flannelBackend: "${String(args.flannelBackend)}" must be one of ${FLANNEL_BACKENDS.join(", ")}`);
  }
  if (args.secretsEncryption !== undefined && typeof args.secretsEncryption !== "boolean") {
    problems.push(`secretsEncryption: ${String(args.secretsEncryption)} must be true or false`);
  }

  const first = servers[0];
  const apiEndpoint = args.apiEndpoint ?? first?.ssh.host ?? "";
  if (args.apiEndpoint !== undefined && !isHost(args.apiEndpoint)) {
    problems.push(`apiEndpoint: "${args.apiEndpoint}" must be an IP address or DNS name`);
  }
  const joinAddress = args.joinAddress ?? first?.nodeIp ?? "";
  if (args.joinAddress !== undefined && !isHost(args.joinAddress)) {
    problems.push(`joinAddress: "${args.joinAddress}" must be an IP address or DNS name`);
  }
  (args.tlsSans ?? []).forEach((san, i) => {
    if (typeof san !== "string" || !isSubjectAltName(san)) {
      problems.push(`tlsSans[${i}]: "${String(san)}" must be an IP address or DNS name`);
    }
  });
  (args.disable ?? []).forEach((d, i) => {
    if (typeof d !== "string" || !isK3sComponentName(d)) problems.push(`disable[${i}]: "${String(d)}" is not a k3s component name`);
  });

  const uninstallRemovedNodes: readonly string[] = args.uninstallRemovedNodes ?? [];
  uninstallRemovedNodes.forEach((n, i) => {
    if (typeof n !== "string" || !isDnsSubdomain(n)) {
      problems.push(`uninstallRemovedNodes[${i}]: "${String(n)}" is not a node name`);
    } else if (seenNames.has(n)) {
      problems.push(`uninstallRemovedNodes[${i}]: node "${n}" is still in nodes; remove it from nodes in the same change (its delete-time commands drain it, uninstall k3s and delete it)`);
    }
  });

  const readyTimeoutSeconds = args.readyTimeoutSeconds ?? DEFAULT_READY_TIMEOUT_SECONDS;
  const drainTimeoutSeconds = args.drainTimeoutSeconds ?? DEFAULT_DRAIN_TIMEOUT_SECONDS;
  const gpuRuntimeWaitSeconds = args.gpuRuntimeWaitSeconds ?? DEFAULT_GPU_RUNTIME_WAIT_SECONDS;
  const installTimeoutSeconds = args.installTimeoutSeconds ?? DEFAULT_INSTALL_TIMEOUT_SECONDS;
  if (!isPositiveInt(readyTimeoutSeconds)) problems.push(`readyTimeoutSeconds: ${String(readyTimeoutSeconds)} must be a positive integer`);
  if (!isPositiveInt(drainTimeoutSeconds)) problems.push(`drainTimeoutSeconds: ${String(drainTimeoutSeconds)} must be a positive integer`);
  if (!isPositiveInt(gpuRuntimeWaitSeconds)) problems.push(`gpuRuntimeWaitSeconds: ${String(gpuRuntimeWaitSeconds)} must be a positive integer`);
  if (!isPositiveInt(installTimeoutSeconds)) problems.push(`installTimeoutSeconds: ${String(installTimeoutSeconds)} must be a positive integer`);

  const installerUrl = args.installerUrl ?? DEFAULT_INSTALLER_URL;
  if (!/^https:\/\/[A-Za-z0-9.:\/%+_~-]+$/.test(installerUrl)) {
    problems.push(`installerUrl: "${installerUrl}" must be an https:// URL`);
  }
  if (args.installerSha256 !== undefined && !isSha256Hex(args.installerSha256)) {
    problems.push("installerSha256: must be 64 lowercase hex digits");
  }

  if (problems.length > 0) throw new K3sClusterArgsError(problems);

  const ordered = [...servers, ...agents].map((n) => ({ ...n, isFirstServer: n === first }));
  return {
    version,
    embeddedEtcd,
    snapshots,
    flannelIface: args.flannelIface,
    flannelBackend: args.flannelBackend ?? defaultFlannelBackend(resolved.map((n) => n.nodeIp)),
    apiEndpoint,
    joinAddress,
    tlsSans: [...(args.tlsSans ?? [])],
    disable: [...(args.disable ?? [])],
    secretsEncryption: args.secretsEncryption ?? DEFAULT_SECRETS_ENCRYPTION,
    readyTimeoutSeconds,
    drainTimeoutSeconds,
    gpuRuntimeWaitSeconds,
    installTimeoutSeconds,
    installerUrl,
    installerSha256: args.installerSha256,
    uninstallRemovedNodes: [...uninstallRemovedNodes],
    nodes: ordered,
    firstServer: ordered[0],
  };
}
