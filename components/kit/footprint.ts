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
