/**
 * K3sCluster: k3s nodes as code.
 *
 * Managed mode (args.nodes): installs, joins, labels, upgrades and removes k3s nodes over SSH with
 * @pulumi/command, reads the admin kubeconfig back from the first server and builds the
 * `k8s.Provider` every other component uses. Existing mode (args.kubeconfig): no SSH, only the
 * provider.
 *
 * Command graph of a managed cluster (each arrow is a `dependsOn`):
 *
 *   first server: install ─▶ ready ─▶ join-token (only when other nodes join)
 *   each next node, servers first then agents, one at a time:
 *     previous ready + join-token ─▶ membership ─▶ install ─▶ ready
 *   all ready ─▶ kubeconfig ─▶ provider
 *
 * - `install` (on the node): writes /etc/rancher/k3s/config.yaml and, from stdin, the mode-600
 *   secrets drop-in; installs/upgrades k3s pinned to `version` only when needed; GPU check.
 *   Delete: stop+disable k3s, or uninstall it when the node says `uninstallOnRemove`.
 * - `ready` (on the first server): waits until the node is Ready at the wanted kubelet version, then
 *   re-applies labels/taints. Its script embeds a digest of the node's version+config, so a change
 *   re-runs it right after that node's install; the next node waits for it. Delete: drain.
 * - `membership` (on the first server): create records ownership; delete removes the Node object.
 * - `join-token` (on the first server): reads the secure token (`K10<CA hash>::…`) the joining
 *   nodes get on stdin, so they verify the cluster CA before sending credentials.
 * - `kubeconfig` (on the first server): creates the admin ServiceAccount and prints its
 *   non-expiring token and the cluster CA; the provider's kubeconfig is built from them. It does not
 *   depend on the k3s version, so an upgrade leaves the kubeconfig (and the provider) unchanged.
 * Every step is bounded (see timeouts.ts): a hung node fails its step with a message, never hangs.
 * On removal Pulumi deletes dependents first: drain → stop/uninstall on the machine → delete Node.
 * Changing `version` updates every node one at a time (servers first, each waiting for Ready);
 * changing one node's config re-runs only that node's install and ready.
 */
import { createHash } from "crypto";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as random from "@pulumi/random";
import { remote } from "@pulumi/command";
import { ExistingClusterArgs, K3sClusterArgs, K3sNodesClusterArgs, SshConnectionArgs, isExistingCluster } from "./types";
import { K3sClusterArgsError, ResolvedCluster, ResolvedNode, ResolvedSsh, resolveCluster } from "./validate";
import { isDnsSubdomain, isLabelKey, isLabelValue } from "../kit/formats";
import { httpsUrl, nodeDigest, renderNodeConfig, secretsConfigYaml } from "./node-config";
import {
  asRemoteCommand, deleteNodeScript, drainScript, installScript, membershipScript,
  removalRequestScript, removeFromMachineScript, waitReadyScript,
} from "./scripts";
import { adminAccessScript, joinTokenScript, parseAdminCredentials, parseSecureToken } from "./access-scripts";
import { clusterIdentifier, serviceAccountKubeconfig } from "./kubeconfig";
import { commandTimeouts, stepBounds } from "./timeouts";

/** The commands that manage one node. */
export interface K3sNodeCommands {
  /** Install/upgrade/configure k3s on the node (delete: stop, or uninstall when asked). */
  readonly install: remote.Command;
  /** Wait for Ready + labels/taints, run on the first server (delete: drain the node). */
  readonly ready: remote.Command;
  /** Membership record on the first server (delete: delete the Node). None for the first server. */
  readonly membership?: remote.Command;
}

/** Connection + owner id of the Pulumi resources that run commands on one machine. */
interface MachineAccess {
  readonly connection: pulumi.Output<{ host: string; user: string; port: number; privateKey: string }>;
  /** "<owner id>\n": the stdin of commands that carry no secret values. */
  readonly ownerLine: pulumi.Output<string>;
  readonly owner: pulumi.Output<string>;
}

function machineAccess(ssh: SshConnectionArgs, resolved: ResolvedSsh): MachineAccess {
  const privateKey = pulumi.secret(ssh.privateKey);
  const connection = pulumi.secret(pulumi.output({
    host: resolved.host,
    user: resolved.user,
    port: resolved.port,
    privateKey,
  }));
  // Changes exactly when the connection changes, i.e. when Pulumi would replace the commands.
  const owner = pulumi.secret(privateKey.apply((key) =>
    createHash("sha256")
      .update(["k3s-pulumi-owner", resolved.host, resolved.user, String(resolved.port), key].join("\0"))
      .digest("hex")
      .slice(0, 24)));
  return { connection, owner, ownerLine: pulumi.secret(owner.apply((o) => `${o}\n`)) };
}

/**
 * Stand-ins used only when a command has no output at all, which happens under the SDK's mock
 * runtime (a real preview leaves the output unknown and never runs these).
 */
const NO_OUTPUT_CA = Buffer.from("-----BEGIN CERTIFICATE-----\nno command output\n-----END CERTIFICATE-----\n").toString("base64");
const NO_OUTPUT = "no-command-output";

/** The first server's secure join token and the command that reads it. */
interface JoinToken {
  readonly command: remote.Command;
  readonly token: pulumi.Output<string>;
}

export class K3sCluster extends pulumi.ComponentResource {
  /** "managed" (nodes over SSH) or "existing" (kubeconfig given). */
  public readonly mode: "managed" | "existing";
  /** The provider every Kubernetes resource of the platform uses. */
  public readonly provider: k8s.Provider;
  /**
   * Kubeconfig of the provider (secret): in managed mode a non-expiring ServiceAccount token with
   * cluster-admin and the cluster CA, pointing at the reachable API address.
   */
  public readonly kubeconfig: pulumi.Output<string>;
  /** The cluster's server token as given or generated (short form; secret). Managed mode only. */
  public readonly token?: pulumi.Output<string>;
  /**
   * The secure join token read from the first server (`K10<CA hash>::…`, secret): what joining
   * nodes get. Managed mode with more than one node only.
   */
  public readonly joinToken?: pulumi.Output<string>;
  /** The command that reads the secure join token. Managed mode with more than one node only. */
  public readonly joinTokenCommand?: remote.Command;
  /** Existing mode: the server-side-apply patches that label the nodes. */
  public readonly nodeLabelPatches: readonly k8s.core.v1.NodePatch[] = [];
  /** Per node name, its commands. Empty in existing mode. */
  public readonly nodeCommands: Readonly<Record<string, K3sNodeCommands>>;
  /** Marks nodes listed in uninstallRemovedNodes (on the first server); only when the list is non-empty. */
  public readonly removalRequests?: remote.Command;
  /** The command that creates the admin ServiceAccount and prints its token. Managed mode only. */
  public readonly kubeconfigCommand?: remote.Command;
  /** Per node name, the exact /etc/rancher/k3s/config.yaml text (no secrets). */
  public readonly nodeConfigs: Readonly<Record<string, string>>;
  /** Node names in install/upgrade order. */
  public readonly installOrder: readonly string[];
  /** API server URL written into the kubeconfig. Managed mode only. */
  public readonly apiServerUrl?: string;
  /** Validated, defaulted model of the cluster. Managed mode only. */
  public readonly resolved?: ResolvedCluster;

  constructor(name: string, args: K3sClusterArgs, opts?: pulumi.ComponentResourceOptions) {
    // Validate before registering anything: bad args throw with every problem listed.
    const existing = isExistingCluster(args);
    const resolved = existing ? undefined : resolveCluster(args);
    if (existing) checkExistingArgs(args);
    super("homelab:cluster:K3sCluster", name, {}, opts);

    if (existing) {
      this.mode = "existing";
      this.kubeconfig = pulumi.secret(args.kubeconfig);
      this.provider = new k8s.Provider(`${name}-provider`, {
        kubeconfig: this.kubeconfig,
        clusterIdentifier: clusterIdentifier(name, { context: args.context }),
        ...(args.context !== undefined ? { context: args.context } : {}),
      }, { parent: this });
      // The nodes exist already; the labels placement relies on are put on them here, not by hand.
      this.nodeLabelPatches = Object.entries(args.nodeLabels ?? {}).map(([node, labels]) =>
        new k8s.core.v1.NodePatch(`${name}-${node}-labels`, {
          metadata: {
            name: node,
            labels: { ...labels },
            // Take over these labels even when `kubectl label` set them before.
            annotations: { "pulumi.com/patchForce": "true" },
          },
        }, { parent: this, provider: this.provider }),
      );
      this.nodeCommands = {};
      this.nodeConfigs = {};
      this.installOrder = [];
      this.registerOutputs({ kubeconfig: this.kubeconfig });
      return;
    }

    const cluster = resolved as ResolvedCluster;
    const nodesArgs = args as K3sNodesClusterArgs;
    this.mode = "managed";
    this.resolved = cluster;
    const bounds = stepBounds(cluster);

    this.token = pulumi.secret(nodesArgs.token !== undefined
      ? pulumi.output(nodesArgs.token)
      : new random.RandomPassword(`${name}-token`, { length: 48, special: false }, { parent: this }).result);
    const s3 = nodesArgs.etcdSnapshots?.s3;
    const s3AccessKey = s3 ? pulumi.secret(s3.accessKey) : pulumi.output(undefined);
    const s3SecretKey = s3 ? pulumi.secret(s3.secretKey) : pulumi.output(undefined);

    const first = cluster.firstServer;
    const firstAccess = machineAccess(nodesArgs.nodes[first.argIndex].ssh, first.ssh);
    const commands: Record<string, K3sNodeCommands> = {};
    const configs: Record<string, string> = {};
    const ready: remote.Command[] = [];
    let join: JoinToken | undefined;

    for (const node of cluster.nodes) {
      const access = node.isFirstServer ? firstAccess : machineAccess(nodesArgs.nodes[node.argIndex].ssh, node.ssh);
      const configYaml = renderNodeConfig(node, cluster);
      configs[node.name] = configYaml;
      const previous = ready[ready.length - 1];
      if (!node.isFirstServer) join ??= this.readJoinToken(name, first.name, firstAccess, ready[0], bounds.joinToken);
      // The seed runs with the short token it was created with; every other node joins with the secure one.
      const nodeToken = join && !node.isFirstServer ? join.token : this.token;
      const after = [...(previous ? [previous] : []), ...(join && !node.isFirstServer ? [join.command] : [])];

      const membership = node.isFirstServer ? undefined : new remote.Command(`${name}-${node.name}-membership`, {
        connection: firstAccess.connection,
        create: asRemoteCommand(membershipScript({ nodeName: node.name }), `k3s-membership-${node.name}`, bounds.membership),
        delete: asRemoteCommand(deleteNodeScript({ nodeName: node.name }), `k3s-delete-node-${node.name}`, bounds.deleteNode),
        stdin: firstAccess.ownerLine,
      }, { parent: this, dependsOn: after, customTimeouts: commandTimeouts(bounds.membership, bounds.deleteNode) });

      const install = new remote.Command(`${name}-${node.name}-install`, {
        connection: access.connection,
        create: asRemoteCommand(installScript({
          nodeName: node.name,
          role: node.role,
          version: cluster.version,
          configYaml,
          gpu: node.gpu,
          gpuWaitSeconds: cluster.gpuRuntimeWaitSeconds,
          installerUrl: cluster.installerUrl,
          installerSha256: cluster.installerSha256,
          installTimeoutSeconds: cluster.installTimeoutSeconds,
        }), `k3s-install-${node.name}`, bounds.install),
        delete: asRemoteCommand(removeFromMachineScript({
          nodeName: node.name, role: node.role, uninstall: node.uninstallOnRemove,
          uninstallTimeoutSeconds: cluster.installTimeoutSeconds,
        }), `k3s-remove-${node.name}`, bounds.removeFromMachine),
        stdin: this.installStdin(node, cluster, access.owner, nodeToken, s3AccessKey, s3SecretKey),
      }, {
        parent: this, dependsOn: [...after, ...(membership ? [membership] : [])],
        customTimeouts: commandTimeouts(bounds.install, bounds.removeFromMachine),
      });

      const nodeReady = new remote.Command(`${name}-${node.name}-ready`, {
        connection: firstAccess.connection,
        create: asRemoteCommand(waitReadyScript({
          nodeName: node.name,
          version: cluster.version,
          digest: nodeDigest(node, cluster, configYaml),
          labels: node.labels,
          taints: node.taints,
          timeoutSeconds: cluster.readyTimeoutSeconds,
        }), `k3s-ready-${node.name}`, bounds.ready),
        ...(node.isFirstServer ? {} : {
          delete: asRemoteCommand(drainScript({ nodeName: node.name, drainTimeoutSeconds: cluster.drainTimeoutSeconds }), `k3s-drain-${node.name}`, bounds.drain),
        }),
        stdin: firstAccess.ownerLine,
      }, {
        parent: this, dependsOn: [install],
        customTimeouts: commandTimeouts(bounds.ready, node.isFirstServer ? undefined : bounds.drain),
      });

      ready.push(nodeReady);
      commands[node.name] = { install, ready: nodeReady, ...(membership ? { membership } : {}) };
    }

    this.joinTokenCommand = join?.command;
    this.joinToken = join?.token;

    if (cluster.uninstallRemovedNodes.length > 0) {
      // Registered (and run) during the update, before Pulumi deletes the removed nodes' commands.
      this.removalRequests = new remote.Command(`${name}-removal-requests`, {
        connection: firstAccess.connection,
        create: asRemoteCommand(removalRequestScript({ firstServer: first.name, nodeNames: cluster.uninstallRemovedNodes }), "k3s-removal-requests", bounds.removalRequests),
      }, { parent: this, dependsOn: [ready[0]], customTimeouts: commandTimeouts(bounds.removalRequests) });
    }

    this.apiServerUrl = httpsUrl(cluster.apiEndpoint);
    const apiServerUrl = this.apiServerUrl;
    // No version in its inputs: an upgrade does not re-run it, so the kubeconfig stays known and equal.
    this.kubeconfigCommand = new remote.Command(`${name}-kubeconfig`, {
      connection: firstAccess.connection,
      create: asRemoteCommand(adminAccessScript({ nodeName: first.name }), "k3s-admin-access", bounds.adminAccess),
    }, { parent: this, dependsOn: ready, additionalSecretOutputs: ["stdout"], customTimeouts: commandTimeouts(bounds.adminAccess) });
    this.kubeconfig = pulumi.secret(this.kubeconfigCommand.stdout.apply((text) => {
      const creds = text === undefined || text === null ? { caData: NO_OUTPUT_CA, token: NO_OUTPUT } : parseAdminCredentials(text);
      return serviceAccountKubeconfig({ server: apiServerUrl, name, ...creds });
    }));

    this.provider = new k8s.Provider(`${name}-provider`, {
      kubeconfig: this.kubeconfig,
      clusterIdentifier: clusterIdentifier(name, { seedServer: first.name }),
    }, { parent: this });
    this.nodeCommands = commands;
    this.nodeConfigs = configs;
    this.installOrder = cluster.nodes.map((n) => n.name);
    this.registerOutputs({ kubeconfig: this.kubeconfig, token: this.token, joinToken: this.joinToken, apiServerUrl: this.apiServerUrl });
  }

  /** The command on the first server that reads its secure token, once it is Ready. */
  private readJoinToken(name: string, firstServer: string, firstAccess: MachineAccess, firstReady: remote.Command, bound: number): JoinToken {
    const command = new remote.Command(`${name}-join-token`, {
      connection: firstAccess.connection,
      create: asRemoteCommand(joinTokenScript({ nodeName: firstServer }), "k3s-join-token", bound),
    }, { parent: this, dependsOn: [firstReady], additionalSecretOutputs: ["stdout"], customTimeouts: commandTimeouts(bound) });
    const token = pulumi.secret(command.stdout.apply((text) =>
      text === undefined || text === null ? NO_OUTPUT : parseSecureToken(text)));
    return { command, token };
  }

  /** stdin of a node's install command: owner id, then the secrets drop-in. Secret. */
  private installStdin(
    node: ResolvedNode,
    cluster: ResolvedCluster,
    owner: pulumi.Output<string>,
    joinToken: pulumi.Output<string>,
    s3AccessKey: pulumi.Output<string | undefined>,
    s3SecretKey: pulumi.Output<string | undefined>,
  ): pulumi.Output<string> {
    return pulumi.secret(pulumi.all([owner, joinToken, s3AccessKey, s3SecretKey])
      .apply(([o, token, accessKey, secretKey]) =>
        `${o}\n${secretsConfigYaml(node, cluster, { token, s3AccessKey: accessKey, s3SecretKey: secretKey })}`));
  }
}

function checkExistingArgs(args: ExistingClusterArgs): void {
  const problems: string[] = [];
  if ((args as { nodes?: unknown }).nodes !== undefined) {
    problems.push("nodes: give either nodes (managed cluster) or kubeconfig (existing cluster), not both");
  }
  if (args.context !== undefined && (typeof args.context !== "string" || args.context.length === 0)) {
    problems.push("context: must be a non-empty context name");
  }
  for (const [node, labels] of Object.entries(args.nodeLabels ?? {})) {
    if (!isDnsSubdomain(node)) problems.push(`nodeLabels["${node}"]: not a valid node name`);
    for (const [k, v] of Object.entries(labels)) {
      if (!isLabelKey(k)) problems.push(`nodeLabels["${node}"]: key "${k}" is not a valid label key`);
      if (!isLabelValue(v)) problems.push(`nodeLabels["${node}"]["${k}"]: value "${v}" is not a valid label value`);
    }
  }
  if (problems.length > 0) throw new K3sClusterArgsError(problems);
}
