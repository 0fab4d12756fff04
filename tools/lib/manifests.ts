// Turns recorded resources into Kubernetes manifests (stable order, Secret values redacted) and
// derives what the scheduler will see from them.
import YAML from "yaml";
import { CHART_PODS_ANNOTATION, HOSTNAME_LABEL, NODE_ROLES, parseBytes, parseMillicores, roleLabel } from "../../components/kit";
import type { Spread } from "../../components/kit";
import type { PodGroup } from "../../stacks/schedule";
import type { StackConfig } from "../../stacks/config";
import { traefikNodes } from "../../components/ingress/settings";
import type { RecordedResource } from "./mock-runtime";
import { blockYaml } from "./block-yaml";

export type Manifest = Record<string, any>;

/** Apply order for humans: cluster-scoped first, then config, then workloads, then exposure. */
const KIND_ORDER = [
  "Namespace", "Node", "CustomResourceDefinition", "ClusterRole", "ClusterRoleBinding", "HelmChart", "HelmChartConfig",
  "ServiceAccount", "Role", "RoleBinding", "Secret", "ConfigMap", "PersistentVolumeClaim",
  "StatefulSet", "Deployment", "DaemonSet", "Job", "CronJob", "Service", "EndpointSlice", "Endpoints",
  "PodDisruptionBudget", "NetworkPolicy", "Middleware", "IngressRoute", "Ingress", "Certificate", "ClusterIssuer", "Issuer",
];

export function isKubernetes(r: Pick<RecordedResource, "type" | "inputs">): boolean {
  return r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && r.type !== "pulumi:providers:kubernetes" && r.inputs?.kind !== undefined;
}

function rank(kind: string): number {
  const i = KIND_ORDER.indexOf(kind);
  return i === -1 ? KIND_ORDER.length : i;
}

export function redact(m: Manifest): Manifest {
  if (m.kind !== "Secret") return m;
  const hide = (o?: Record<string, unknown>) => (o ? Object.fromEntries(Object.keys(o).sort().map((k) => [k, "<redacted>"])) : undefined);
  const out: Manifest = { ...m, data: hide(m.data), stringData: hide(m.stringData) };
  for (const k of ["data", "stringData"]) if (out[k] === undefined) delete out[k];
  return out;
}

export function sortManifests(ms: Manifest[]): Manifest[] {
  const key = (m: Manifest) => [m.metadata?.namespace ?? "", m.metadata?.name ?? ""].join("/");
  return [...ms].sort((a, b) => rank(a.kind) - rank(b.kind) || String(a.kind).localeCompare(b.kind) || key(a).localeCompare(key(b)));
}

export function manifestsOf(resources: readonly Pick<RecordedResource, "type" | "inputs">[]): Manifest[] {
  return sortManifests(resources.filter(isKubernetes).map((r) => redact(r.inputs)));
}

export function toYaml(ms: readonly Manifest[]): string {
  return ms.map(blockYaml).join("---\n");
}

const WORKLOAD_KINDS = ["Deployment", "StatefulSet", "DaemonSet"];

export function workloadsOf(ms: readonly Manifest[]): Manifest[] {
  return ms.filter((m) => WORKLOAD_KINDS.includes(m.kind));
}

function sumContainers(cs: any[] | undefined) {
  let cpu = 0, mem = 0, lim = 0;
  for (const c of cs ?? []) {
    cpu += parseMillicores(c.resources?.requests?.cpu ?? "0") ?? 0;
    mem += parseBytes(c.resources?.requests?.memory ?? "0") ?? 0;
    lim += parseBytes(c.resources?.limits?.memory ?? "0") ?? 0;
  }
  return { cpu, mem, lim };
}

/** How a pod spec (or chart values) spreads its replicas, read from its pod anti-affinity (or an even topology spread over hosts). */
function spreadOf(affinity: any, topologySpread?: any[]): Spread {
  if ((topologySpread ?? []).some((t) => t?.topologyKey === HOSTNAME_LABEL && t?.whenUnsatisfiable === "DoNotSchedule" && t?.maxSkew === 1)) return "even";
  const anti = affinity?.podAntiAffinity;
  if (anti?.requiredDuringSchedulingIgnoredDuringExecution?.length) return "required";
  return anti?.preferredDuringSchedulingIgnoredDuringExecution?.length ? "preferred" : "none";
}

/** k3s's Traefik as rendered: the HelmChartConfig's replicas, requests and anti-affinity. */
export function traefikGroupOf(ms: readonly Manifest[], cfg: StackConfig): PodGroup | undefined {
  const hcc = ms.find((m) => m.kind === "HelmChartConfig" && m.metadata?.name === "traefik");
  if (!hcc) return undefined;
  const v = YAML.parse(hcc.spec?.valuesContent ?? "") ?? {};
  // The chart's values carry one container's resources, in the same shape as a container's.
  const r = sumContainers([{ resources: v.resources }]);
  return {
    workload: "traefik",
    replicas: v.deployment?.replicas ?? 1,
    eligible: traefikNodes(cfg.nodes).map((n) => n.name),
    spread: spreadOf(v.affinity),
    cpuMillis: r.cpu,
    memoryBytes: r.mem,
    memoryLimitBytes: r.lim,
  };
}

/** What the scheduler sees of a rendered workload: replicas, eligible nodes, spread and per-pod requests. */
export function podGroupOf(w: Manifest, cfg: StackConfig): PodGroup {
  const pod = w.spec.template.spec ?? {};
  const sel: Record<string, string> = pod.nodeSelector ?? {};
  let eligible = cfg.nodes.map((n) => n.name);
  if (sel[HOSTNAME_LABEL]) eligible = eligible.filter((n) => n === sel[HOSTNAME_LABEL]);
  for (const role of NODE_ROLES) {
    if (sel[roleLabel(role)] === "true") eligible = eligible.filter((n) => cfg.nodes.find((x) => x.name === n)!.roles.includes(role));
  }
  // A DaemonSet runs one pod on every node its selector allows.
  const daemon = w.kind === "DaemonSet";
  // Required node affinity on host names (a spread over named nodes): only those nodes.
  for (const term of pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []) {
    for (const e of term.matchExpressions ?? []) {
      if (e.key === HOSTNAME_LABEL && e.operator === "In") eligible = eligible.filter((n) => (e.values ?? []).includes(n));
    }
  }
  const spread = daemon ? "required" : spreadOf(pod.affinity, pod.topologySpreadConstraints);
  const apps = sumContainers(pod.containers);
  const inits = (pod.initContainers ?? []).map((c: any) => sumContainers([c]));
  const max = (k: "cpu" | "mem" | "lim") => Math.max(apps[k], ...inits.map((i: any) => i[k]));
  return {
    workload: w.metadata.name,
    replicas: daemon ? eligible.length : (w.spec.replicas ?? 1),
    eligible,
    spread,
    cpuMillis: max("cpu"),
    memoryBytes: max("mem"),
    memoryLimitBytes: max("lim"),
  };
}

/**
 * The pods of every HelmChart that lists them (CHART_PODS_ANNOTATION), each pod's requests read back
 * from the chart's values at the listed paths: what the capacity check counts is what the chart gets.
 */
export function chartGroupsOf(ms: readonly Manifest[], cfg: StackConfig): PodGroup[] {
  const out: PodGroup[] = [];
  const nodes = cfg.nodes.map((n) => n.name);
  for (const hc of ms.filter((m) => m.kind === "HelmChart" && m.metadata?.annotations?.[CHART_PODS_ANNOTATION])) {
    const values = YAML.parse(hc.spec?.valuesContent ?? "") ?? {};
    const pods = JSON.parse(hc.metadata.annotations[CHART_PODS_ANNOTATION]) as { workload: string; replicas: number | "each-node"; node?: string; valuesPaths: string[][] }[];
    for (const p of pods) {
      const r = sumContainers(p.valuesPaths.map((vp) => ({ resources: vp.reduce((o: any, k) => o?.[k], values) })));
      const each = p.replicas === "each-node";
      out.push({
        workload: p.workload,
        replicas: each ? nodes.length : (p.replicas as number),
        eligible: p.node ? [p.node] : nodes,
        spread: each ? "required" : "none",
        cpuMillis: r.cpu,
        memoryBytes: r.mem,
        memoryLimitBytes: r.lim,
      });
    }
  }
  return out;
}
