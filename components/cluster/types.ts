/**
 * Typed arguments of the K3sCluster component.
 *
 * Everything that shapes the resource graph or the text of a node's config.yaml (names, roles,
 * addresses, labels, versions) is a plain value: it must be known when the program runs so that
 * validation can reject bad input before any resource exists, and so that the offline render can
 * show exactly what will be written on each node. Secrets (SSH keys, the join token, S3 keys, an
 * existing kubeconfig) are `pulumi.Input`s and are always handled as Pulumi secrets.
 */
import * as pulumi from "@pulumi/pulumi";
import type { FlannelBackend } from "./network";

/**
 * The k3s release installed when `version` is not given. Pinned (never a channel) so that a
 * `pulumi up` never upgrades a cluster by surprise; bump it deliberately (servers upgrade first, one
 * node at a time).
 *
 * v1.35.8+k3s1 (a full, non-pre-release tag): Kubernetes v1.35.8, containerd v2.2.7-k3s1,
 * etcd v3.6.14-k3s1, flannel v0.28.4, Traefik v3.7.8. Its release notes warn that it "upgrades the
 * Traefik chart to v40.x" (40.x uses the chart >= 39 key `ports.web.http.redirections.entryPoint`).
 * The exact bundled chart file was not checked here; a July-2026 k3s install showed
 * `traefik-40.1.3+up40.1.0.tgz`. Verify on a node with
 * `ls /var/lib/rancher/k3s/server/static/charts/`.
 */
export const DEFAULT_K3S_VERSION = "v1.35.8+k3s1";

/** A k3s node runs the control plane (`server`) or only workloads (`agent`). */
export type K3sNodeRole = "server" | "agent";

/** A value of a k3s config.yaml key (keys are the k3s flag names; repeatable flags are lists). */
export type K3sConfigValue = string | number | boolean | readonly string[];

/** How Pulumi's machine reaches a node over SSH. */
export interface SshConnectionArgs {
  /**
   * Address Pulumi connects to (IP or DNS name). On servers it is also added to the API server
   * certificate (`tls-san`), since the same machine later talks to the API.
   */
  readonly host: string;
  /** SSH user. Default `"root"`. A non-root user needs passwordless sudo (`sudo -n`). */
  readonly user?: string;
  /** SSH port. Default `22`. */
  readonly port?: number;
  /**
   * The private key (OpenSSH/PEM text). Always treated as a Pulumi secret (wrapped with
   * `pulumi.secret` even when a plain string is passed). Keep it out of stack files in clear text:
   * `pulumi config set --secret`.
   */
  readonly privateKey: pulumi.Input<string>;
}

/** One machine of the cluster. */
export interface K3sNodeArgs {
  /** Kubernetes node name (k3s `node-name`); a lowercase RFC 1123 label, unique in the cluster. */
  readonly name: string;
  /**
   * `server` or `agent`. The first `server` in `nodes` is the cluster's seed (`cluster-init` with
   * embedded etcd); the others join it one at a time, then the agents.
   */
  readonly role: K3sNodeRole;
  /** SSH access used to install, upgrade and remove k3s. */
  readonly ssh: SshConnectionArgs;
  /**
   * Address other nodes reach this one by (k3s `node-ip`): in the homelab the Tailscale address,
   * in prod the private or public address the servers share. Servers join the first server's
   * `nodeIp`.
   */
  readonly nodeIp: string;
  /** Public address (k3s `node-external-ip`). Default: not set. */
  readonly externalIp?: string;
  /** Overrides the cluster's `flannelIface` for this node (e.g. a different NIC name). */
  readonly flannelIface?: string;
  /**
   * Node labels, e.g. the kit's role labels (service / compute / gpu) that placement selects on.
   * Written as `node-label` (applied by k3s at registration) and re-applied with
   * `kubectl label --overwrite` after every install/upgrade, since k3s ignores `node-label`
   * changes on an already registered node. Removing a label here does not remove it from the node.
   * Default `{}`.
   */
  readonly labels?: Readonly<Record<string, string>>;
  /**
   * Taints as `key[=value]:Effect` (Effect: NoSchedule, PreferNoSchedule, NoExecute). Same
   * registration/re-apply behaviour as `labels`. Default `[]`.
   */
  readonly taints?: readonly string[];
  /**
   * The node has an NVIDIA GPU. The install step then fails with a clear message unless k3s picked
   * up the NVIDIA container runtime (the containerd config k3s generates mentions nvidia).
   * Default `false`.
   */
  readonly gpu?: boolean;
  /**
   * When this node is deleted from the stack, also run k3s's uninstall script on the machine
   * (removes k3s and its data). Without it the node is drained, k3s is stopped and disabled, and the
   * node object is deleted, but the machine keeps k3s's files. The delete-time script is the one
   * stored at the last `pulumi up`, so set this one `up` before removing the node, or instead name
   * the removed node in the cluster's `uninstallRemovedNodes` (one step). Default `false`.
   */
  readonly uninstallOnRemove?: boolean;
  /** Extra API certificate names for this server (e.g. its LAN address). Default `[]`. */
  readonly tlsSans?: readonly string[];
  /**
   * Extra k3s config.yaml keys for this node (flag names without `--`). Keys the component manages
   * (node-name, node-ip, server, token, cluster-init, tls-san, node-label, node-taint, ...) are
   * rejected. Default `{}`.
   */
  readonly extraConfig?: Readonly<Record<string, K3sConfigValue>>;
}

/** S3 target for the built-in etcd snapshots (k3s `etcd-s3*` flags). */
export interface EtcdS3Args {
  /** Host[:port] of the S3 endpoint, without scheme, e.g. `s3.us-west-1.amazonaws.com`. */
  readonly endpoint: string;
  readonly bucket: string;
  /** Default: not set (k3s uses us-east-1). */
  readonly region?: string;
  /** Folder inside the bucket. Default: not set (bucket root). */
  readonly folder?: string;
  /** Written only to the node's secrets drop-in file (mode 600), never to config.yaml. */
  readonly accessKey: pulumi.Input<string>;
  /** Written only to the node's secrets drop-in file (mode 600), never to config.yaml. */
  readonly secretKey: pulumi.Input<string>;
  /** Use plain HTTP (e.g. an in-network MinIO without TLS). Default `false`. */
  readonly insecure?: boolean;
}

/** Built-in etcd snapshots; only valid with embedded etcd. */
export interface EtcdSnapshotArgs {
  /** Cron schedule (5 fields). Default: every 6 hours at minute 0 (see DEFAULT_SNAPSHOT_CRON). */
  readonly scheduleCron?: string;
  /** Snapshots kept per server (and in S3). Default `28` (one week at the default schedule). */
  readonly retention?: number;
  /** Also upload snapshots to S3. Default: local snapshots only. */
  readonly s3?: EtcdS3Args;
}

/** A cluster whose nodes this component installs and manages over SSH. */
export interface K3sNodesClusterArgs {
  /** The machines. At least one server; an odd number of servers. Order matters (see `role`). */
  readonly nodes: readonly K3sNodeArgs[];
  /** k3s release (`INSTALL_K3S_VERSION`), e.g. `v1.35.8+k3s1`. Default {@link DEFAULT_K3S_VERSION}. */
  readonly version?: string;
  /**
   * The cluster's server token (the first server's `token`). Default: a 48-character
   * `random.RandomPassword` (a secret). Pass one to adopt an existing cluster. Joining nodes never
   * get this short form: once the first server is up, its secure token
   * (`/var/lib/rancher/k3s/server/token`, `K10<CA hash>::server:<password>`) is read back and given
   * to them, so each joining node checks the cluster CA before it sends credentials. Changing the
   * token of a running cluster is not supported by this component (k3s needs `k3s token rotate`).
   */
  readonly token?: pulumi.Input<string>;
  /**
   * Use embedded etcd (`cluster-init` on the first server). Default: `true` when there is more
   * than one server, else `false` (SQLite, the lightest single-node datastore).
   */
  readonly embeddedEtcd?: boolean;
  /**
   * etcd snapshot settings. Default with embedded etcd: every 6 hours, 28 kept, local only.
   * Invalid without embedded etcd.
   */
  readonly etcdSnapshots?: EtcdSnapshotArgs;
  /**
   * Interface flannel uses for pod traffic (k3s `flannel-iface`), e.g. `tailscale0` so pod
   * traffic follows the node IPs on the tailnet. Default: not set (k3s picks the default route's
   * interface).
   */
  readonly flannelIface?: string;
  /**
   * Flannel backend (k3s `flannel-backend`, written on every server). Default
   * {@link defaultFlannelBackend} of the nodes' `nodeIp`s: `wireguard-native` (encrypted, needs the
   * WireGuard kernel module and UDP 51820 between nodes) when two nodes talk over a public address,
   * else `vxlan` (UDP 8472, unencrypted; fine on a LAN or inside Tailscale). Choose it when the
   * cluster is created: switching the backend of a running cluster restarts every node.
   */
  readonly flannelBackend?: FlannelBackend;
  /**
   * Host the kubeconfig (and so the `k8s.Provider`) uses to reach the API server. Default: the
   * first server's `ssh.host`. Always added to every server's `tls-san`.
   */
  readonly apiEndpoint?: string;
  /**
   * Address agents and joining servers register with. Default: the first server's `nodeIp`.
   * Put a DNS name or VIP here if you have one.
   */
  readonly joinAddress?: string;
  /**
   * Names of nodes being removed from `nodes` in the same `pulumi up` whose k3s should be
   * uninstalled (not just stopped) by their delete-time commands. A command on the first server
   * annotates those Node objects (`k3s-pulumi/on-remove=uninstall`) before Pulumi runs deletions;
   * the node's delete script reads the annotation. A name still in `nodes` is an error.
   * Default `[]`.
   */
  readonly uninstallRemovedNodes?: readonly string[];
  /** Extra names/addresses for every server's API certificate. Default `[]`. */
  readonly tlsSans?: readonly string[];
  /** Packaged components to disable on servers (k3s `disable`), e.g. `["servicelb"]`. Default `[]`. */
  readonly disable?: readonly string[];
  /**
   * Encrypt Secrets at rest in the datastore and its snapshots (k3s `secrets-encryption`). Default
   * `true` ({@link DEFAULT_SECRETS_ENCRYPTION}). k3s does not support starting without encryption and
   * enabling it later, so decide at creation time.
   */
  readonly secretsEncryption?: boolean;
  /** Seconds to wait for a node to report Ready at the wanted version. Default `600`. */
  readonly readyTimeoutSeconds?: number;
  /** Seconds allowed for `kubectl drain` when a node is removed. Default `300`. */
  readonly drainTimeoutSeconds?: number;
  /** Seconds a GPU node may take to write its containerd config after a (re)start. Default `120`. */
  readonly gpuRuntimeWaitSeconds?: number;
  /**
   * Seconds the k3s installer (or a restart of k3s) may take on one node before its step fails.
   * k3s's systemd unit has no start timeout, so without this bound a node that cannot start (e.g.
   * cannot reach the join address) would hang `pulumi up` forever. Default `900`.
   */
  readonly installTimeoutSeconds?: number;
  /**
   * URL of the k3s install script. Default `"https://get.k3s.io"`. The installed k3s version is
   * pinned by `version` either way; set `installerSha256` to also pin the script itself.
   */
  readonly installerUrl?: string;
  /** Expected sha256 of the install script; the step fails when it differs. Default: not checked. */
  readonly installerSha256?: string;
  readonly kubeconfig?: never;
}

/** An already running cluster: no SSH, the component only builds the provider. */
export interface ExistingClusterArgs {
  /** Kubeconfig text (treated as a secret). */
  readonly kubeconfig: pulumi.Input<string>;
  /** Context to use. Default: the kubeconfig's current-context. */
  readonly context?: string;
  /**
   * Labels to put on the cluster's existing nodes, by node name (e.g. the role labels placement
   * selects on). Applied with server-side apply, so only these labels are owned and removing an entry
   * removes them. Default: none.
   */
  readonly nodeLabels?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  readonly nodes?: never;
}

/** Either manage k3s nodes over SSH, or use an existing cluster through its kubeconfig. */
export type K3sClusterArgs = K3sNodesClusterArgs | ExistingClusterArgs;

/** True when the args describe an existing cluster (kubeconfig given instead of nodes). */
export function isExistingCluster(args: K3sClusterArgs): args is ExistingClusterArgs {
  return (args as ExistingClusterArgs).kubeconfig !== undefined;
}
