// The scheduler stand-in behind "does this fit?" (validation) and the render's plan: where each pod
// lands, what a node has left, and why a replica cannot be placed — pinned to exact figures.
import { NodeCapacity, PodGroup, schedule } from "../../stacks";

const GiB = 1024 ** 3;

function group(workload: string, eligible: string[], over: Partial<PodGroup> = {}): PodGroup {
  return { workload, replicas: 1, eligible, spread: "none", cpuMillis: 100, memoryBytes: 1 * GiB, memoryLimitBytes: 2 * GiB, ...over };
}

/** Node name → the pods placed on it. */
const podsOf = (s: ReturnType<typeof schedule>) => Object.fromEntries(s.nodes.map((l) => [l.node, l.pods]));

describe("node capacity", () => {
  it("without an explicit reserve, a node keeps reservePercent of its CPU and memory for the system (rounded down)", () => {
    const nodes: NodeCapacity[] = [{ name: "asuna", cpuMillis: 4001, memoryBytes: 8001 }];
    expect(schedule(nodes, [], 10).nodes).toEqual([
      {
        node: "asuna",
        capacity: { cpuMillis: 4001, memoryBytes: 8001 },
        allocatable: { cpuMillis: 3600, memoryBytes: 7200 },
        requests: { cpuMillis: 0, memoryBytes: 0 },
        limits: { memoryBytes: 0 },
        pods: [],
      },
    ]);
  });

  it("an explicit reserve is taken off the capacity, and a pod's requests and memory limit count on its node", () => {
    const nodes: NodeCapacity[] = [{ name: "asuna", cpuMillis: 4000, memoryBytes: 8 * GiB, reserved: { cpuMillis: 500, memoryBytes: 1.5 * GiB } }];
    const s = schedule(nodes, [group("qdrant", ["asuna"], { cpuMillis: 250, memoryBytes: 1 * GiB, memoryLimitBytes: 3 * GiB })], 10);
    expect(s).toEqual({
      nodes: [
        {
          node: "asuna",
          capacity: { cpuMillis: 4000, memoryBytes: 8 * GiB },
          allocatable: { cpuMillis: 3500, memoryBytes: 6.5 * GiB },
          requests: { cpuMillis: 250, memoryBytes: 1 * GiB },
          limits: { memoryBytes: 3 * GiB },
          pods: ["qdrant"],
        },
      ],
      unplaced: [],
    });
  });
});

describe("placement", () => {
  it("a pod goes to the node whose allocatable memory is least used after placing it, not the first by name", () => {
    const nodes: NodeCapacity[] = [
      { name: "asuna", cpuMillis: 4000, memoryBytes: 4 * GiB, reserved: { cpuMillis: 0, memoryBytes: 0 } },
      { name: "pesubuntu", cpuMillis: 4000, memoryBytes: 32 * GiB, reserved: { cpuMillis: 0, memoryBytes: 0 } },
    ];
    expect(podsOf(schedule(nodes, [group("redis", ["asuna", "pesubuntu"])], 0))).toEqual({ asuna: [], pesubuntu: ["redis"] });
  });

  it("without a spread, every replica goes to the least-loaded node, even all on one", () => {
    const nodes: NodeCapacity[] = [
      { name: "asuna", cpuMillis: 4000, memoryBytes: 4 * GiB, reserved: { cpuMillis: 0, memoryBytes: 0 } },
      { name: "pesubuntu", cpuMillis: 4000, memoryBytes: 32 * GiB, reserved: { cpuMillis: 0, memoryBytes: 0 } },
    ];
    const s = schedule(nodes, [group("web", ["asuna", "pesubuntu"], { replicas: 2 })], 0);
    expect(podsOf(s)).toEqual({ asuna: [], pesubuntu: ["web-0", "web-1"] });
  });

  it("a preferred spread puts the next replica on a node without one, though another node has more room", () => {
    const nodes: NodeCapacity[] = [
      { name: "asuna", cpuMillis: 4000, memoryBytes: 4 * GiB, reserved: { cpuMillis: 0, memoryBytes: 0 } },
      { name: "pesubuntu", cpuMillis: 4000, memoryBytes: 32 * GiB, reserved: { cpuMillis: 0, memoryBytes: 0 } },
    ];
    const s = schedule(nodes, [group("web", ["asuna", "pesubuntu"], { replicas: 2, spread: "preferred" })], 0);
    expect(podsOf(s)).toEqual({ asuna: ["web-1"], pesubuntu: ["web-0"] });
  });

  it("a node's pods are listed by name, whatever order they were placed in", () => {
    const nodes: NodeCapacity[] = [{ name: "asuna", cpuMillis: 4000, memoryBytes: 32 * GiB, reserved: { cpuMillis: 0, memoryBytes: 0 } }];
    // zeta is placed first: it has fewer eligible nodes (the most constrained go first).
    const s = schedule(nodes, [group("alpha", ["asuna", "gone"]), group("zeta", ["asuna"])], 0);
    expect(s.nodes[0].pods).toEqual(["alpha", "zeta"]);
  });
});

describe("replicas that cannot be placed", () => {
  const nodes: NodeCapacity[] = [
    { name: "asuna", cpuMillis: 4000, memoryBytes: 8 * GiB, reserved: { cpuMillis: 0, memoryBytes: 0 } },
    { name: "pesubuntu", cpuMillis: 8000, memoryBytes: 32 * GiB, reserved: { cpuMillis: 0, memoryBytes: 0 } },
  ];

  it("a workload no node may run says there is no eligible node, for each replica", () => {
    expect(schedule(nodes, [group("ollama", [], { replicas: 2 })], 0).unplaced).toEqual([
      { workload: "ollama", replica: 0, reason: "no eligible node" },
      { workload: "ollama", replica: 1, reason: "no eligible node" },
    ]);
  });

  it("a required spread with more replicas than eligible nodes leaves the extra replica out, naming the anti-affinity", () => {
    const s = schedule(nodes, [group("traefik", ["asuna", "pesubuntu"], { replicas: 3, spread: "required" })], 0);
    expect(s.unplaced).toEqual([{ workload: "traefik", replica: 2, reason: "every eligible node already runs a replica (required anti-affinity)" }]);
    expect(podsOf(s)).toEqual({ asuna: ["traefik-1"], pesubuntu: ["traefik-0"] });
  });
});
