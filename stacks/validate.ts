// Rules that relate config fields to each other and to the workloads they produce. Everything is
// checked before any resource is created, and every problem is reported at once.
import { PodFootprint, checkWorkloadSpec, footprint, formatBytes, formatMillicores } from "../components/kit";
import type { WorkloadSpec } from "../components/kit";
import { Problems } from "../components/kit/problems";
import { isPrivateNodeAddress } from "../components/cluster/network";
import { key, setSecretCommand } from "./schema";
import { traefikPodGroup, validateIngress } from "./ingress";
import { validateAi } from "./ai";
import { checkEtcdBackup } from "./cluster";
import { minioResilience, placedNodes, validateMinioConsumers } from "./minio";
import { observabilityPodGroups, validateObservability } from "./observability";
import { NodeCapacity, PodGroup, Schedule, schedule } from "./schedule";
import { Reserve, nodeReserve } from "./reserve";
import type { StackConfig, ValidateOptions } from "./config";
import type { StackNode } from "./nodes";
import { validateApps } from "./apps";

/** A workload the stack will run, with the config path that controls it. */
export interface PlannedWorkload {
  readonly spec: WorkloadSpec;
  readonly path: string;
  /** The workload's `migrateFrom` setting, if the user declared a volume move. */
  readonly migrateFrom?: string;
  /** The workload's `acceptVolumeTemplateChange` setting. */
  readonly acceptVolumeTemplateChange?: boolean;
}

export type { ValidateOptions } from "./config";

function nodePath(cfg: StackConfig, name: string, field?: string): string {
  const i = cfg.nodes.findIndex((n) => n.name === name);
  return `${key("nodes")}[${i}]${field ? `.${field}` : ""}`;
}

function checkCluster(cfg: StackConfig, opts: ValidateOptions, problems: Problems, warnings: string[]): void {
  const c = cfg.cluster;
  const secret = c.mode === "k3s" ? "sshPrivateKey" : "kubeconfig";
  if (!cfg.secretsPresent.includes(secret)) {
    const how = setSecretCommand(secret);
    if (opts.requireSecrets) problems.add(key(secret), `is not set (cluster mode "${c.mode}" needs it)`, `run: ${how}`);
    else warnings.push(`${key(secret)} is not set: pulumi up will need it (${how})`);
  }
  if (c.mode !== "k3s") return;
  const publicNodes = cfg.nodes.filter((n) => !isPrivateNodeAddress(n.address)).map((n) => n.name);
  if (c.flannelBackend !== "wireguard-native" && c.flannelBackend !== "none" && publicNodes.length > 0 && cfg.nodes.length > 1) {
    warnings.push(`${key("cluster")}.flannelBackend is ${c.flannelBackend} while ${publicNodes.join(", ")} use public addresses: pod traffic between nodes would cross the internet unencrypted; use wireguard-native (the default)`);
  }
  const servers = cfg.nodes.filter((n) => n.k3s === "server");
  if (cfg.nodes.length > 0 && servers.length === 0) {
    problems.add(key("nodes"), "no node has k3s: server", "set k3s: server on one node (or three for HA)");
  } else if (servers.length > 1 && servers.length % 2 === 0) {
    problems.add(key("nodes"), `${servers.length} k3s servers (${servers.map((s) => s.name).join(", ")}): embedded etcd needs an odd number for quorum`, `make ${servers.length - 1} or ${servers.length + 1} nodes servers (k3s: server), the rest agents`);
  }
  c.uninstall.forEach((n, i) => {
    if (cfg.nodes.some((x) => x.name === n)) {
      problems.add(`${key("cluster")}.uninstall[${i}]`, `node "${n}" is still in the stack`, "remove the node from homelab:nodes first, or drop it from uninstall");
    }
  });
}

function eligible(spec: WorkloadSpec, nodes: readonly StackNode[]): string[] {
  const p = spec.placement;
  if (p.kind === "pinned") return nodes.some((n) => n.name === p.node) ? [p.node] : [];
  if (p.kind === "nodes") return nodes.filter((n) => p.nodes.includes(n.name)).map((n) => n.name);
  return nodes.filter((n) => n.roles.includes(p.role)).map((n) => n.name);
}

function podGroup(f: PodFootprint, eligibleNodes: string[]): PodGroup {
  return {
    workload: f.workload,
    replicas: f.replicas,
    eligible: eligibleNodes,
    spread: f.spread,
    cpuMillis: f.cpuMillis,
    memoryBytes: f.memoryBytes,
    memoryLimitBytes: f.memoryLimitBytes,
  };
}

/** Each node's capacity and the reserve kept from it (with why: the share or the role's floor). */
export function nodeCapacities(cfg: StackConfig): (NodeCapacity & { readonly reserved: Reserve })[] {
  return cfg.nodes.map((n) => {
    const { capacity, reserve } = nodeReserve(n, cfg.systemReservePercent);
    return { name: n.name, ...capacity, reserved: reserve };
  });
}

function checkWorkloads(cfg: StackConfig, planned: readonly PlannedWorkload[], problems: Problems, warnings: string[]): Schedule {
  const groups: PodGroup[] = [];
  for (const w of planned) {
    try {
      checkWorkloadSpec(w.spec);
    } catch (e) {
      problems.add(w.path, (e as Error).message, "fix the workload's settings");
      continue;
    }
    const p = w.spec.placement;
    const el = eligible(w.spec, cfg.nodes);
    if (p.kind === "pinned" && el.length === 0) {
      problems.add(`${w.path}.node`, `node "${p.node}" is not in ${key("nodes")} (nodes: ${cfg.nodes.map((n) => n.name).join(", ")})`, "name one of the stack's nodes");
      continue;
    }
    if (p.kind === "pinned" && p.role !== undefined && !cfg.nodes.find((n) => n.name === p.node)?.roles.includes(p.role)) {
      const withRole = cfg.nodes.filter((n) => n.roles.includes(p.role!)).map((n) => n.name);
      problems.add(
        `${w.path}.node`,
        `${w.spec.identity.name} runs on a node with role "${p.role}", and ${p.node} does not have it`,
        withRole.length ? `pin it to ${withRole.join(" or ")}, or add "${p.role}" to the roles of ${p.node}` : `add "${p.role}" to the roles of ${p.node}`,
      );
      continue;
    }
    if (p.kind === "nodes" && el.length < p.nodes.length) {
      const missing = p.nodes.filter((n) => !el.includes(n));
      problems.add(`${w.path}.nodes`, `${missing.map((n) => `"${n}"`).join(", ")} ${missing.length > 1 ? "are" : "is"} not in ${key("nodes")} (nodes: ${cfg.nodes.map((n) => n.name).join(", ")})`, "name the stack's nodes");
      continue;
    }
    if (p.kind === "role" && el.length === 0) {
      const gpu = p.role === "gpu";
      problems.add(w.path, `${w.spec.identity.name} needs a node with role "${p.role}"${gpu ? " (a GPU)" : ""}, and the stack has none`, gpu ? `add the gpu role to a node with an NVIDIA GPU, or set ${w.path}.enabled: false` : `add the ${p.role} role to a node`);
      continue;
    }
    const f = footprint(w.spec);
    if (p.kind === "role" && f.spread === "required" && f.replicas > el.length) {
      problems.add(`${w.path}.replicas`, `${f.replicas} replicas must each run on their own node, but only ${el.length} node(s) have role "${p.role}" (${el.join(", ")})`, `lower replicas to ${el.length} or give more nodes the ${p.role} role`);
      continue;
    }
    groups.push(podGroup(f, el));
  }
  const pathOf = new Map(planned.map((w) => [w.spec.identity.name, w.path]));
  // Traefik runs from k3s's chart, not from our specs, but its pods land on our nodes all the same.
  groups.push(traefikPodGroup(cfg));
  pathOf.set("traefik", `${key("ingress")}.traefik`);
  // The monitoring charts' pods, counted from the same list their HelmCharts carry.
  for (const { group, path } of observabilityPodGroups(cfg)) {
    groups.push(group);
    pathOf.set(group.workload, path);
  }
  const capacities = nodeCapacities(cfg);
  const result = schedule(capacities, groups, cfg.systemReservePercent);
  const reasonOf = (node: string, kind: string) => {
    const r = capacities.find((c) => c.name === node)!.reserved;
    return kind === "memory" ? r.memoryReason : r.cpuReason;
  };
  for (const l of result.nodes) {
    const owners = [...new Set(l.pods.map((p) => pathOf.get(p) ?? pathOf.get(p.replace(/-\d+$/, "")) ?? p))];
    const over = (kind: string, used: number, alloc: number, fmt: (n: number) => string, cap: number) =>
      problems.add(
        nodePath(cfg, l.node),
        `${l.node}: pod ${kind} requests ${fmt(used)} exceed the ${fmt(alloc)} allocatable (${fmt(cap)} minus the ${fmt(cap - alloc)} system reserve, ${reasonOf(l.node, kind)}); workloads there: ${owners.map((o) => `${o}.resources`).join(", ")}`,
        `lower those requests, move a workload to another node, or raise ${nodePath(cfg, l.node, kind === "memory" ? "memory" : "cpu")} if the machine really has more`,
      );
    if (l.requests.memoryBytes > l.allocatable.memoryBytes) over("memory", l.requests.memoryBytes, l.allocatable.memoryBytes, formatBytes, l.capacity.memoryBytes);
    if (l.requests.cpuMillis > l.allocatable.cpuMillis) over("CPU", l.requests.cpuMillis, l.allocatable.cpuMillis, formatMillicores, l.capacity.cpuMillis);
    if (l.limits.memoryBytes > l.capacity.memoryBytes) {
      warnings.push(`${l.node}: memory limits add up to ${formatBytes(l.limits.memoryBytes)} of ${formatBytes(l.capacity.memoryBytes)} (${formatBytes(l.limits.memoryBytes - l.capacity.memoryBytes)} over): if every pod used its limit at once the node would run out of memory`);
    } else if (l.requests.memoryBytes > 0.85 * l.allocatable.memoryBytes) {
      warnings.push(`${l.node}: memory requests are at ${Math.round((100 * l.requests.memoryBytes) / l.allocatable.memoryBytes)}% of allocatable`);
    }
  }
  return result;
}

/** A node port is open on every node: two Services (or two ports of one) cannot share one. */
function checkNodePorts(planned: readonly PlannedWorkload[], problems: Problems): void {
  const owner = new Map<number, string>();
  for (const w of planned) {
    for (const svc of [...(w.spec.service ? [w.spec.service] : []), ...(w.spec.extraServices ?? [])]) {
      const user = `Service ${svc.name ?? w.spec.identity.name} (${w.path})`;
      for (const [port, n] of Object.entries(svc.nodePorts ?? {})) {
        const other = owner.get(n);
        if (other !== undefined) {
          problems.add(`${w.path}.nodePort`, `node port ${n} of ${user}, port ${port}, is already used by ${other}`, "choose another port in 30000–32767; every node port must be unique in the cluster");
        } else owner.set(n, `${user}, port ${port}`);
      }
    }
  }
}

/** Cross-field rules. Returns the schedule the capacity check computed, and warnings that do not block. */
export function validateStack(cfg: StackConfig, planned: readonly PlannedWorkload[], opts: ValidateOptions, problems: Problems): { schedule: Schedule; warnings: string[] } {
  const warnings: string[] = [];
  checkCluster(cfg, opts, problems, warnings);
  checkEtcdBackup(cfg, opts, problems, warnings);
  const result = checkWorkloads(cfg, planned, problems, warnings);
  validateIngress(cfg, opts, problems, warnings);
  validateAi(cfg, problems);
  validateMinioConsumers(cfg, problems);
  const minio = minioResilience(cfg, placedNodes(result, "minio", cfg.workloads.minio.replicas));
  if (minio?.warning) warnings.push(minio.warning);
  validateApps(cfg, problems);
  checkNodePorts(planned, problems);
  validateObservability(cfg, problems, warnings);
  return { schedule: result, warnings };
}
