// MinIO's stack-wide rules: each bucket consumer is an enabled workload of the stack, and what a node
// loss means for the placement the pods get, as a statement (render's summary) and, when one node
// loss stops reads, a warning.
import { erasureSetSize, nodeLossOutcome } from "../components/data/minio/erasure";
import type { Problems } from "../components/kit/problems";
import { enabledWorkloads } from "./config";
import type { StackConfig } from "./config";
import { key } from "./schema";

const PATH = `${key("workloads")}.minio`;

/** Consumers that are not enabled workloads of the stack: a problem each, naming the list entry. */
export function validateMinioConsumers(cfg: StackConfig, problems: Problems): void {
  const m = cfg.workloads.minio;
  if (!m.enabled) return;
  const enabled = enabledWorkloads(cfg.workloads).filter((w) => w !== "minio");
  const known = Object.keys(cfg.workloads);
  m.buckets.forEach((b, i) =>
    b.consumers.forEach((c, j) => {
      if (enabled.includes(c)) return;
      const path = `${PATH}.buckets[${i}].consumers[${j}]`;
      if (c === "minio") problems.add(path, `MinIO serves bucket "${b.name}" itself; only workloads that read or write it are consumers`, "remove minio from the bucket's consumers");
      else if (known.includes(c)) problems.add(path, `"${c}" is disabled (${key("workloads")}.${c}.enabled: false), so it cannot use bucket "${b.name}"`, `enable ${c} or remove it from the bucket's consumers`);
      else problems.add(path, `"${c}" is not a workload of the stack (enabled: ${enabled.join(", ") || "none"})`, "name an enabled workload, or remove it from the bucket's consumers");
    }),
  );
}

/** MinIO pods per node, from a placement listing one node per placed pod. */
function podsPerNode(nodes: readonly string[]): number[] {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts.values()];
}

/**
 * "minio: 4 drives on 2 nodes, EC:2: reads survive the loss of one node, writes stop (write quorum 3
 * of 4)", from where the pods are placed (`placedOn`: one node name per placed pod). Undefined when
 * MinIO is off or its layout is invalid (validation reports that).
 */
export function minioResilience(cfg: StackConfig, placedOn: readonly string[]): { statement: string; warning?: string } | undefined {
  const m = cfg.workloads.minio;
  if (!m.enabled || placedOn.length === 0) return undefined;
  const set = erasureSetSize(m.replicas, m.drivesPerPod);
  if (set === undefined) return undefined;
  const o = nodeLossOutcome(podsPerNode(placedOn), m.drivesPerPod, m.parity, set);
  const statement = `minio: ${o.statement}`;
  const nodes = new Set(placedOn).size;
  const warning = o.singleNodeStopsReads
    ? `${PATH}: losing ${nodes === 1 ? "its only node" : "one node"} stops MinIO's reads and writes, and every backup stored there with them: ${
        nodes === 1 ? "list more nodes in nodes: [...]" : "spread the drives more evenly over more nodes, or raise parity"
      }`
    : undefined;
  return { statement, warning };
}

/** The pods' nodes in a schedule's result (replica r of a multi-replica workload is named "<workload>-<r>"). */
export function placedNodes(schedule: { nodes: readonly { node: string; pods: readonly string[] }[] }, workload: string, replicas: number): string[] {
  const mine = (pod: string) => (replicas > 1 ? pod.startsWith(`${workload}-`) && /^\d+$/.test(pod.slice(workload.length + 1)) : pod === workload);
  return schedule.nodes.flatMap((l) => l.pods.filter(mine).map(() => l.node));
}
