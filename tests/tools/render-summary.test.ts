// The render summary says how many replicas each workload runs and where: a change in the node
// list that changes a replica count (a third service node → a second Postgres member) is visible.
import { schedule } from "../../stacks/schedule";
import { Plan, summary, workloadPlacement } from "../../tools/render";
import { rendered } from "../harness";

const group = (workload: string, replicas: number, eligible: string[], spread: "required" | "preferred" | "none" = "required") => ({
  workload,
  replicas,
  eligible,
  spread,
  cpuMillis: 100,
  memoryBytes: 256 * 1024 ** 2,
  memoryLimitBytes: 512 * 1024 ** 2,
});

describe("per-workload replicas and nodes", () => {
  it("the homelab render lists each workload with its replica count and nodes", () => {
    // The monitoring charts' pods: on pesubuntu (the compute node), node-exporter on every node.
    const pesubuntu = (workload: string) => ({ workload, replicas: 1, nodes: ["pesubuntu"], unplaced: 0 });
    expect(rendered("homelab").plan.workloads).toEqual([
      pesubuntu("alertmanager"),
      pesubuntu("alloy"),
      { workload: "family-assistant", replicas: 1, nodes: ["pesubuntu"], unplaced: 0 },
      { workload: "family-assistant-frontend", replicas: 1, nodes: ["pesubuntu"], unplaced: 0 },
      pesubuntu("grafana"),
      pesubuntu("kube-state-metrics"),
      pesubuntu("loki"),
      { workload: "mem0", replicas: 1, nodes: ["pesubuntu"], unplaced: 0 },
      { workload: "minio", replicas: 4, nodes: ["asuna", "asuna", "pesubuntu", "pesubuntu"], unplaced: 0 },
      { workload: "n8n", replicas: 1, nodes: ["pesubuntu"], unplaced: 0 },
      { workload: "node-exporter", replicas: 2, nodes: ["asuna", "pesubuntu"], unplaced: 0 },
      { workload: "nvidia-device-plugin", replicas: 1, nodes: ["pesubuntu"], unplaced: 0 },
      { workload: "ollama", replicas: 1, nodes: ["pesubuntu"], unplaced: 0 },
      { workload: "postgres", replicas: 1, nodes: ["asuna"], unplaced: 0 },
      pesubuntu("prometheus"),
      pesubuntu("prometheus-operator"),
      { workload: "qdrant", replicas: 1, nodes: ["asuna"], unplaced: 0 },
      { workload: "redis", replicas: 1, nodes: ["asuna"], unplaced: 0 },
      { workload: "traefik", replicas: 2, nodes: ["asuna", "pesubuntu"], unplaced: 0 },
    ]);
  });

  it("counts replicas per node, tells similarly named workloads apart, and counts what could not be placed", () => {
    const nodes = ["a", "b", "c"].map((name) => ({ name, cpuMillis: 4000, memoryBytes: 8 * 1024 ** 3 }));
    const groups = [group("postgres", 2, ["a", "b", "c"]), group("postgres-discovery", 1, ["a"]), group("web", 3, ["a"], "none"), group("cache", 2, ["c"])];
    const placed = workloadPlacement(groups, schedule(nodes, groups, 10));
    expect(placed.map((w) => [w.workload, w.replicas, [...w.nodes].sort(), w.unplaced])).toEqual([
      ["cache", 2, ["c"], 1],
      ["postgres", 2, ["b", "c"], 0],
      ["postgres-discovery", 1, ["a"], 0],
      ["web", 3, ["a", "a", "a"], 0],
    ]);
    const plan: Plan = { stack: "x", resources: [], nodes: [], workloads: placed, hosts: [], warnings: [] };
    const text = summary(plan, "out", 0);
    expect(text).toMatch(/^workload +replicas +nodes$/m);
    expect(text).toMatch(/^postgres +2 +b, c$/m);
    expect(text).toMatch(/^web +3 +a ×3$/m);
    expect(text).toMatch(/^cache +2 +c, 1 not placed$/m);
  });
});
