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
 *   first server: install ─▶ ready
 *   each next node, servers first then agents, one at a time:
 *     previous ready ─▶ membership ─▶ install ─▶ ready
 *   all ready ─▶ kubeconfig ─▶ provider
 *
 * - `install` (on the node): writes /etc/rancher/k3s/config.yaml and, from stdin, the mode-600
 *   secrets drop-in; installs/upgrades k3s pinned to `version` only when needed; GPU check.
 *   Delete: stop+disable k3s, or uninstall it when the node says `uninstallOnRemove`.
 * - `ready` (on the first server): waits until the node is Ready at the wanted kubelet version, then
 *   re-applies labels/taints. Its script embeds a digest of the node's version+config, so a change
 *   re-runs it right after that node's install; the next node waits for it. Delete: drain.
 * - `membership` (on the first server): create records ownership; delete removes the Node object.
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
import { httpsUrl, nodeDigest, renderNodeConfig, secretsConfigYaml } from "./node-config";
import {
  asRemoteCommand, deleteNodeScript, drainScript, installScript, membershipScript,
  readKubeconfigScript, removalRequestScript, removeFromMachineScript, waitReadyScript,
} from "./scripts";
import { rewriteKubeconfig } from "./kubeconfig";

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

/** Minimal kubeconfig used only when no command output exists (SDK mocks). */
function placeholderKubeconfig(server: string, name: string): string {
  return rewriteKubeconfig(
    `apiVersion: v1\nkind: Config\nclusters:\n- name: default\n  cluster:\n    server: https://127.0.0.1:6443\n` +
    `users:\n- name: default\n  user: {}\ncontexts:\n- name: default\n  context:\n    cluster: default\n    user: default\n` +
    `current-context: default\n`,
    { server, name });
}

export class K3sCluster extends pulumi.ComponentResource {
  /** "managed" (nodes over SSH) or "existing" (kubeconfig given). */
  public readonly mode: "managed" | "existing";
  /** The provider every Kubernetes resource of the platform uses. */
  public readonly provider: k8s.Provider;
  /** Admin kubeconfig pointing at the reachable API address (secret). */
  public readonly kubeconfig: pulumi.Output<string>;
  /** Cluster join token (secret). Managed mode only. */
  public readonly token?: pulumi.Output<string>;
  /** Existing mode: the server-side-apply patches that label the nodes. */
  public readonly nodeLabelPatches: readonly k8s.core.v1.NodePatch[] = [];
  /** Per node name, its commands. Empty in existing mode. */
  public readonly nodeCommands: Readonly<Record<string, K3sNodeCommands>>;
  /** Marks nodes listed in uninstallRemovedNodes (on the first server); only when the list is non-empty. */
  public readonly removalRequests?: remote.Command;
  /** The command that reads k3s.yaml from the first server. Managed mode only. */
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

    for (const node of cluster.nodes) {
      const access = node.isFirstServer ? firstAccess : machineAccess(nodesArgs.nodes[node.argIndex].ssh, node.ssh);
      const configYaml = renderNodeConfig(node, cluster);
      configs[node.name] = configYaml;
      const previous = ready[ready.length - 1];

      const membership = node.isFirstServer ? undefined : new remote.Command(`${name}-${node.name}-membership`, {
        connection: firstAccess.connection,
        create: asRemoteCommand(membershipScript({ nodeName: node.name }), `k3s-membership-${node.name}`),
        delete: asRemoteCommand(deleteNodeScript({ nodeName: node.name }), `k3s-delete-node-${node.name}`),
        stdin: firstAccess.ownerLine,
      }, { parent: this, dependsOn: previous ? [previous] : [] });

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
        }), `k3s-install-${node.name}`),
        delete: asRemoteCommand(removeFromMachineScript({
          nodeName: node.name, role: node.role, uninstall: node.uninstallOnRemove,
        }), `k3s-remove-${node.name}`),
        stdin: this.installStdin(node, cluster, access.owner, s3AccessKey, s3SecretKey),
      }, { parent: this, dependsOn: [...(previous ? [previous] : []), ...(membership ? [membership] : [])] });

      const nodeReady = new remote.Command(`${name}-${node.name}-ready`, {
        connection: firstAccess.connection,
        create: asRemoteCommand(waitReadyScript({
          nodeName: node.name,
          version: cluster.version,
          digest: nodeDigest(node, cluster),
          labels: node.labels,
          taints: node.taints,
          timeoutSeconds: cluster.readyTimeoutSeconds,
        }), `k3s-ready-${node.name}`),
        ...(node.isFirstServer ? {} : {
          delete: asRemoteCommand(drainScript({ nodeName: node.name, drainTimeoutSeconds: cluster.drainTimeoutSeconds }), `k3s-drain-${node.name}`),
        }),
        stdin: firstAccess.ownerLine,
      }, { parent: this, dependsOn: [install] });

      ready.push(nodeReady);
      commands[node.name] = { install, ready: nodeReady, ...(membership ? { membership } : {}) };
    }

    if (cluster.uninstallRemovedNodes.length > 0) {
      // Registered (and run) during the update, before Pulumi deletes the removed nodes' commands.
      this.removalRequests = new remote.Command(`${name}-removal-requests`, {
        connection: firstAccess.connection,
        create: asRemoteCommand(removalRequestScript({ firstServer: first.name, nodeNames: cluster.uninstallRemovedNodes }), "k3s-removal-requests"),
      }, { parent: this, dependsOn: [ready[0]] });
    }

    this.apiServerUrl = httpsUrl(cluster.apiEndpoint);
    const apiServerUrl = this.apiServerUrl;
    this.kubeconfigCommand = new remote.Command(`${name}-kubeconfig`, {
      connection: firstAccess.connection,
      create: asRemoteCommand(readKubeconfigScript({ nodeName: first.name, version: cluster.version }), "k3s-kubeconfig"),
    }, { parent: this, dependsOn: ready, additionalSecretOutputs: ["stdout"] });
    this.kubeconfig = pulumi.secret(this.kubeconfigCommand.stdout.apply((text) =>
      text === undefined || text === null
        ? placeholderKubeconfig(apiServerUrl, name)
        : rewriteKubeconfig(text, { server: apiServerUrl, name })));

    this.provider = new k8s.Provider(`${name}-provider`, { kubeconfig: this.kubeconfig }, { parent: this });
    this.nodeCommands = commands;
    this.nodeConfigs = configs;
    this.installOrder = cluster.nodes.map((n) => n.name);
    this.registerOutputs({ kubeconfig: this.kubeconfig, token: this.token, apiServerUrl: this.apiServerUrl });
  }

  /** stdin of a node's install command: owner id, then the secrets drop-in. Secret. */
  private installStdin(
    node: ResolvedNode,
    cluster: ResolvedCluster,
    owner: pulumi.Output<string>,
    s3AccessKey: pulumi.Output<string | undefined>,
    s3SecretKey: pulumi.Output<string | undefined>,
  ): pulumi.Output<string> {
    return pulumi.secret(pulumi.all([owner, this.token as pulumi.Output<string>, s3AccessKey, s3SecretKey])
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
    if (!/^[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?$/.test(node)) problems.push(`nodeLabels["${node}"]: not a valid node name`);
    for (const [k, v] of Object.entries(labels)) {
      if (!/^([a-z0-9]([-a-z0-9.]*[a-z0-9])?\/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/.test(k)) problems.push(`nodeLabels["${node}"]: key "${k}" is not a valid label key`);
      if (!/^(([A-Za-z0-9][-A-Za-z0-9_.]{0,61})?[A-Za-z0-9])?$/.test(v)) problems.push(`nodeLabels["${node}"]["${k}"]: value "${v}" is not a valid label value`);
    }
  }
  if (problems.length > 0) throw new K3sClusterArgsError(problems);
}
