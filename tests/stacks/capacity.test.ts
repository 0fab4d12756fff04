// The capacity check, on hand-worked numbers at its boundary: a node's pods may request up to its
// allocatable (capacity minus the system reserve), not up to its raw capacity. The expected figures
// are worked out here, not taken from the scheduler that validation uses.
import { ConfigError, splitConfig, validateRaw } from "../../stacks";
import { readStackFile } from "../../tools/lib/stack-file";

type Raw = Record<string, any>;

/**
 * The homelab stack with every request on asuna set by hand. asuna: 8Gi = 8192Mi and 4 CPUs, 10 %
 * reserved → allocatable 7372.8Mi and 3600m. Its pods: postgres (the settings below + the discovery
 * sidecar's 16Mi / 10m), qdrant (the settings below) and one Traefik replica (64Mi / 100m).
 */
function homelabWith(qdrant: { cpu: string; memory: string }): Raw {
  const { raw } = splitConfig(readStackFile("homelab").config);
  const r: Raw = JSON.parse(JSON.stringify(raw));
  r.systemReservePercent = 10;
  r.workloads.postgres = { ...r.workloads.postgres, resources: { cpu: "500m", memory: "1Gi", memoryLimit: "1Gi" } };
  r.workloads.qdrant = { ...r.workloads.qdrant, resources: { ...qdrant, memoryLimit: qdrant.memory } };
  r.ingress.traefik = { ...r.ingress.traefik, resources: { cpu: "100m", memory: "64Mi", memoryLimit: "256Mi" } };
  return r;
}

function problems(raw: Raw): string {
  try {
    validateRaw("t", { raw, secretsPresent: [] }, { requireSecrets: false });
    return "";
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
}

describe("a node's pods may request its allocatable, never more", () => {
  // memory: 1024 + 16 + 64 = 1104Mi besides qdrant.
  it("7372Mi of 7372.8Mi allocatable fits (qdrant 6268Mi)", () => {
    expect(problems(homelabWith({ cpu: "1", memory: "6268Mi" }))).toBe("");
  });
  it("7680Mi (7.5Gi) is above the allocatable though below the 8Gi capacity: rejected (qdrant 6576Mi)", () => {
    expect(problems(homelabWith({ cpu: "1", memory: "6576Mi" }))).toMatch(/homelab:nodes\[0\]: asuna: pod memory requests 7\.5Gi exceed the 7\.2Gi allocatable \(8Gi minus the 10% system reserve\)/);
  });
  // CPU: 500 + 10 + 100 = 610m besides qdrant.
  it("3600m of 3600m allocatable fits (qdrant 2990m)", () => {
    expect(problems(homelabWith({ cpu: "2990m", memory: "1Gi" }))).toBe("");
  });
  it("3610m is above the 3600m allocatable though below the 4 CPUs: rejected (qdrant 3000m)", () => {
    expect(problems(homelabWith({ cpu: "3000m", memory: "1Gi" }))).toMatch(/homelab:nodes\[0\]: asuna: pod CPU requests 3610m exceed the 3600m allocatable \(4 minus the 10% system reserve\)/);
  });
  it("a larger reserve shrinks the allocatable: 20 % of 8Gi leaves 6553.6Mi, so 7372Mi no longer fits", () => {
    const raw = homelabWith({ cpu: "1", memory: "6268Mi" });
    raw.systemReservePercent = 20;
    expect(problems(raw)).toMatch(/asuna: pod memory requests 7\.2Gi exceed the 6\.4Gi allocatable \(8Gi minus the 20% system reserve\)/);
  });
});
