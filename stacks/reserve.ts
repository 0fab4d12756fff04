// What each node keeps for the OS, k3s itself and the system pods k3s runs (CoreDNS, metrics-server,
// local-path provisioner; cert-manager on a server), before any of our pods: the larger of a share of
// the node and a floor by k3s role.
//
// The floors come from k3s's own resource profiling (docs.k3s.io/reference/resource-profiling): a
// server with its packaged components and a workload needed about 1.6 GB of RAM (embedded etcd) and
// 6–30 % of a core; an agent about 275 MB and 3–10 % of a core. Ubuntu itself, sshd and tailscaled
// add a few hundred MB on every node. A share alone (10 %) would leave an 8 GiB server 0.8 GiB for
// all of that, and let a 2 GiB node run our pods at 60 %.
import { parseBytes, parseMillicores } from "../components/kit";

export const RESERVE_FLOORS = {
  server: { cpuMillis: 500, memoryBytes: 1.5 * 2 ** 30 },
  agent: { cpuMillis: 250, memoryBytes: 0.5 * 2 ** 30 },
} as const;

export interface Reserve {
  readonly cpuMillis: number;
  readonly memoryBytes: number;
  /** Why each figure: "10%" or "the k3s server floor". */
  readonly cpuReason: string;
  readonly memoryReason: string;
}

/** The reserve of a node with `capacity`, k3s role `role`, under a `percent` share. */
export function systemReserve(capacity: { cpuMillis: number; memoryBytes: number }, role: "server" | "agent", percent: number): Reserve {
  const floor = RESERVE_FLOORS[role];
  const share = (n: number) => Math.floor((n * percent) / 100);
  const pick = (n: number, f: number) => (share(n) >= f ? { v: share(n), why: `${percent}%` } : { v: f, why: `the k3s ${role} floor` });
  const cpu = pick(capacity.cpuMillis, floor.cpuMillis);
  const mem = pick(capacity.memoryBytes, floor.memoryBytes);
  return { cpuMillis: cpu.v, memoryBytes: mem.v, cpuReason: cpu.why, memoryReason: mem.why };
}

/** A node's capacity from its settings, with its reserve. */
export function nodeReserve(n: { cpu: string; memory: string; k3s: "server" | "agent" }, percent: number): { capacity: { cpuMillis: number; memoryBytes: number }; reserve: Reserve } {
  const capacity = { cpuMillis: parseMillicores(n.cpu) ?? 0, memoryBytes: parseBytes(n.memory) ?? 0 };
  return { capacity, reserve: systemReserve(capacity, n.k3s, percent) };
}
