// What one pod of a workload asks of a node, computed from the same spec the workload is built
// from, so the capacity check before deploy counts exactly what will be scheduled.
import { WorkloadSpec } from "./workload";
import { Placement, placementSpread, Spread } from "./placement";
import { parseBytes, parseMillicores } from "./quantity";
import type { ResourceSpec } from "./container";

export interface PodFootprint {
  readonly workload: string;
  readonly replicas: number;
  readonly placement: Placement;
  readonly spread: Spread;
  /** Per pod. */
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly memoryLimitBytes: number;
  readonly stateful: boolean;
}

function sum(rs: readonly ResourceSpec[]) {
  return rs.reduce(
    (a, r) => ({
      cpu: a.cpu + (parseMillicores(r.cpu) ?? 0),
      mem: a.mem + (parseBytes(r.memory) ?? 0),
      lim: a.lim + (parseBytes(r.memoryLimit) ?? 0),
    }),
    { cpu: 0, mem: 0, lim: 0 },
  );
}

/** A pod's effective request: the larger of its app containers' sum and its largest init container (Kubernetes' rule). */
export function footprint(spec: WorkloadSpec): PodFootprint {
  const apps = sum(spec.containers.map((c) => c.resources));
  const inits = (spec.initContainers ?? []).map((c) => sum([c.resources]));
  const max = (k: "cpu" | "mem" | "lim") => Math.max(apps[k], ...inits.map((i) => i[k]));
  return {
    workload: spec.identity.name,
    replicas: spec.replicas,
    placement: spec.placement,
    spread: placementSpread(spec.placement),
    cpuMillis: max("cpu"),
    memoryBytes: max("mem"),
    memoryLimitBytes: max("lim"),
    stateful: (spec.volumeClaims?.length ?? 0) > 0,
  };
}

/**
 * A pod a Helm chart runs (not one of our WorkloadSpecs), as the capacity check counts it: the chart's
 * HelmChart carries the list (CHART_PODS_ANNOTATION) and render reads each pod's requests back from
 * the chart's values at `valuesPath`, so what is counted is what the chart is given.
 */
export interface ChartPod {
  readonly workload: string;
  /** A number of replicas, or one per node (a DaemonSet). */
  readonly replicas: number | "each-node";
  /** Pinned to this node (its volume lives there); default: any node. */
  readonly node?: string;
  /** Each container of the pod we set resources for: its resources and where ({requests, limits}) they sit in the chart's values, e.g. ["grafana", "resources"]. */
  readonly containers: readonly { readonly resources: ResourceSpec; readonly valuesPath: readonly string[] }[];
}

/** A chart pod's requests: the sum of its containers'. */
export function chartPodFootprint(p: ChartPod): { cpuMillis: number; memoryBytes: number; memoryLimitBytes: number } {
  const t = sum(p.containers.map((c) => c.resources));
  return { cpuMillis: t.cpu, memoryBytes: t.mem, memoryLimitBytes: t.lim };
}

/** On a HelmChart: JSON list of its pods ({workload, replicas, node, valuesPaths}). */
export const CHART_PODS_ANNOTATION = "homelab.pesulabs.net/chart-pods";

/** The chart values block of a pod's resources. */
export function chartResources(r: ResourceSpec): { requests: { cpu: string; memory: string }; limits: Record<string, string> } {
  return { requests: { cpu: r.cpu, memory: r.memory }, limits: { memory: r.memoryLimit, ...(r.cpuLimit ? { cpu: r.cpuLimit } : {}) } };
}

/** The annotation's value: what render needs to find each pod's requests in the values. */
export function chartPodsAnnotation(pods: readonly ChartPod[]): string {
  return JSON.stringify(pods.map((p) => ({ workload: p.workload, replicas: p.replicas, ...(p.node ? { node: p.node } : {}), valuesPaths: p.containers.map((c) => c.valuesPath) })));
}
