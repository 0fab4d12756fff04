// A deterministic stand-in for the Kubernetes scheduler, good enough to answer "does this fit?"
// before deploy: pinned pods go to their node, spread replicas to distinct nodes, the rest to the
// least-loaded eligible node. Validation feeds it the workload specs; render feeds it the rendered
// manifests, and a test checks the two agree.
import type { Spread } from "../components/kit";

export interface NodeCapacity {
  readonly name: string;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  /** Kept for the OS and k3s (stacks/reserve.ts); default: `reservePercent` of the capacity. */
  readonly reserved?: { readonly cpuMillis: number; readonly memoryBytes: number };
}

export interface PodGroup {
  readonly workload: string;
  readonly replicas: number;
  /** Node names the pods may run on. */
  readonly eligible: readonly string[];
  readonly spread: Spread;
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  readonly memoryLimitBytes: number;
}

export interface NodeLoad {
  readonly node: string;
  readonly capacity: { readonly cpuMillis: number; readonly memoryBytes: number };
  /** Capacity minus the system reserve. */
  readonly allocatable: { readonly cpuMillis: number; readonly memoryBytes: number };
  readonly requests: { cpuMillis: number; memoryBytes: number };
  readonly limits: { memoryBytes: number };
  readonly pods: string[];
}

export interface Unplaced {
  readonly workload: string;
  readonly replica: number;
  readonly reason: string;
}

export interface Schedule {
  readonly nodes: NodeLoad[];
  readonly unplaced: Unplaced[];
}

export function schedule(nodes: readonly NodeCapacity[], groups: readonly PodGroup[], reservePercent: number): Schedule {
  const keep = 1 - reservePercent / 100;
  const loads = new Map<string, NodeLoad>(
    nodes.map((n) => [
      n.name,
      {
        node: n.name,
        capacity: { cpuMillis: n.cpuMillis, memoryBytes: n.memoryBytes },
        allocatable: n.reserved
          ? { cpuMillis: n.cpuMillis - n.reserved.cpuMillis, memoryBytes: n.memoryBytes - n.reserved.memoryBytes }
          : { cpuMillis: Math.floor(n.cpuMillis * keep), memoryBytes: Math.floor(n.memoryBytes * keep) },
        requests: { cpuMillis: 0, memoryBytes: 0 },
        limits: { memoryBytes: 0 },
        pods: [],
      },
    ]),
  );
  const unplaced: Unplaced[] = [];
  // Most constrained first, then by name, so the result does not depend on declaration order.
  const ordered = [...groups].sort((a, b) => a.eligible.length - b.eligible.length || a.workload.localeCompare(b.workload));
  for (const g of ordered) {
    const used = new Set<string>();
    // Pods of this group per node: an even spread puts each next pod on a node with the fewest.
    const count = new Map<string, number>();
    for (let r = 0; r < g.replicas; r++) {
      const candidates = g.eligible.filter((n) => loads.has(n) && !(g.spread === "required" && used.has(n)));
      if (candidates.length === 0) {
        const reason = g.eligible.length === 0 ? "no eligible node" : "every eligible node already runs a replica (required anti-affinity)";
        unplaced.push({ workload: g.workload, replica: r, reason });
        continue;
      }
      const ratio = (n: string) => {
        const l = loads.get(n)!;
        return (l.requests.memoryBytes + g.memoryBytes) / Math.max(l.allocatable.memoryBytes, 1);
      };
      const fewest = Math.min(...candidates.map((n) => count.get(n) ?? 0));
      const fresh =
        g.spread === "preferred" ? candidates.filter((n) => !used.has(n)) : g.spread === "even" ? candidates.filter((n) => (count.get(n) ?? 0) === fewest) : [];
      const pool = fresh.length > 0 ? fresh : candidates;
      const node = [...pool].sort((a, b) => ratio(a) - ratio(b) || a.localeCompare(b))[0];
      const l = loads.get(node)!;
      l.requests.cpuMillis += g.cpuMillis;
      l.requests.memoryBytes += g.memoryBytes;
      l.limits.memoryBytes += g.memoryLimitBytes;
      l.pods.push(g.replicas > 1 ? `${g.workload}-${r}` : g.workload);
      used.add(node);
      count.set(node, (count.get(node) ?? 0) + 1);
    }
  }
  for (const l of loads.values()) l.pods.sort();
  return { nodes: [...loads.values()], unplaced };
}
