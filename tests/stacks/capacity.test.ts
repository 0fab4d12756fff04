// The capacity check, on hand-worked numbers at its boundary: a node's pods may request up to its
// allocatable (capacity minus the system reserve), not up to its raw capacity. The expected figures
// are worked out here, not taken from the scheduler that validation uses.
import { systemReserve } from "../../stacks";
import { Raw, configProblems, stackRaw } from "../lib/stack-config";

/**
 * The homelab stack with every request on asuna set by hand. asuna is a k3s server with 8Gi = 8192Mi
 * and 4 CPUs. Its reserve is the larger of 10 % and the server floor (1.5Gi, 500m): 10 % would be
 * 819.2Mi and 400m, so the floor wins → allocatable 8192 - 1536 = 6656Mi and 4000 - 500 = 3500m.
 * Its pods: postgres (the settings below + the discovery sidecar's 16Mi / 10m + the postgres exporter
 * sidecar's 32Mi / 10m), qdrant (the settings below), one Traefik replica (64Mi / 100m) and the
 * monitoring's node-exporter (32Mi / 20m; the rest of the monitoring runs on pesubuntu).
 */
function homelabWith(qdrant: { cpu: string; memory: string }): Raw {
  const r = stackRaw("homelab");
  r.systemReservePercent = 10;
  r.workloads.postgres = { ...r.workloads.postgres, resources: { cpu: "500m", memory: "1Gi", memoryLimit: "1Gi" } };
  r.workloads.qdrant = { ...r.workloads.qdrant, resources: { ...qdrant, memoryLimit: qdrant.memory } };
  r.ingress.traefik = { ...r.ingress.traefik, resources: { cpu: "100m", memory: "64Mi", memoryLimit: "256Mi" } };
  // MinIO off: the figures here are about the reserve, not about which services share asuna.
  r.workloads.minio = { ...r.workloads.minio, enabled: false };
  // Only the pods counted above: Redis (asuna's other workload) is left out so the sums stay hand-worked.
  r.workloads.redis = { ...r.workloads.redis, enabled: false };
  return r;
}

const problems = (raw: Raw) => configProblems(raw);

describe("a node's pods may request its allocatable, never more", () => {
  // memory: 1024 + 16 + 32 + 64 + 32 = 1168Mi besides qdrant.
  it("6656Mi of 6656Mi allocatable fits (qdrant 5488Mi)", () => {
    expect(problems(homelabWith({ cpu: "1", memory: "5488Mi" }))).toBe("");
  });
  it("7168Mi is above the allocatable though below the 8Gi capacity and below capacity minus 10 %: rejected (qdrant 6000Mi)", () => {
    expect(problems(homelabWith({ cpu: "1", memory: "6000Mi" }))).toMatch(
      /homelab:nodes\[0\]: asuna: pod memory requests 7Gi exceed the 6\.5Gi allocatable \(8Gi minus the 1\.5Gi system reserve, the k3s server floor\)/,
    );
  });
  // CPU: 500 + 10 + 10 + 100 + 20 = 640m besides qdrant.
  it("3500m of 3500m allocatable fits (qdrant 2860m)", () => {
    expect(problems(homelabWith({ cpu: "2860m", memory: "1Gi" }))).toBe("");
  });
  it("3510m is above the 3500m allocatable though below the 4 CPUs: rejected (qdrant 2870m)", () => {
    expect(problems(homelabWith({ cpu: "2870m", memory: "1Gi" }))).toMatch(/homelab:nodes\[0\]: asuna: pod CPU requests 3510m exceed the 3500m allocatable \(4 minus the 500m system reserve, the k3s server floor\)/);
  });
  it("a share above the floor wins: 20 % of 8Gi is 1638.4Mi, leaving 6553.6Mi, so 6656Mi no longer fits", () => {
    const raw = homelabWith({ cpu: "1", memory: "5488Mi" });
    raw.systemReservePercent = 20;
    expect(problems(raw)).toMatch(/asuna: pod memory requests 6\.5Gi exceed the 6\.4Gi allocatable \(8Gi minus the 1\.6Gi system reserve, 20%\)/);
  });
});

describe("the system reserve: the larger of the share and the floor of the node's k3s role", () => {
  const Gi = 2 ** 30;
  it.each([
    // [role, cpu m, memory, percent, reserved cpu m, reserved memory, why memory]
    ["server", 4000, 8 * Gi, 10, 500, 1.5 * Gi, "the k3s server floor"],
    ["server", 2000, 2 * Gi, 10, 500, 1.5 * Gi, "the k3s server floor"],
    ["server", 16000, 64 * Gi, 10, 1600, 6.4 * Gi, "10%"],
    ["agent", 8000, 32 * Gi, 10, 800, 3.2 * Gi, "10%"],
    ["agent", 2000, 4 * Gi, 10, 250, 0.5 * Gi, "the k3s agent floor"],
  ] as const)("%s with %i m and %d bytes at %i %%: %i m and %d bytes reserved", (role, cpu, mem, pct, rCpu, rMem, why) => {
    const r = systemReserve({ cpuMillis: cpu, memoryBytes: mem }, role, pct);
    expect(r.cpuMillis).toBe(rCpu);
    expect(r.memoryBytes).toBeCloseTo(rMem, -1);
    expect(r.memoryReason).toBe(why);
  });
  it("a 2Gi k3s server leaves 512Mi for pods: the platform's own pods do not fit on it", () => {
    const raw = homelabWith({ cpu: "200m", memory: "512Mi" });
    raw.nodes[0].memory = "2Gi";
    expect(problems(raw)).toMatch(/asuna: pod memory requests [\d.]+Gi exceed the 512Mi allocatable \(2Gi minus the 1\.5Gi system reserve, the k3s server floor\)/);
  });
});
