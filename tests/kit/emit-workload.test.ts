// What emitWorkload writes, under the SDK's mock runtime: the promises a Service, a PDB, a
// StatefulSet's volumes and the pod's security context make to the cluster.
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadSpec } from "../../components/kit";

const inputs = new Map<string, Record<string, any>>();
pulumi.runtime.setMocks({
  newResource: (a) => {
    inputs.set(`${a.type.split(":").pop()}/${a.name}`, a.inputs);
    return { id: `${a.name}-id`, state: a.inputs };
  },
  call: (a) => a.inputs,
}, "homelab", "unit", false);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kit = require("../../components/kit") as typeof import("../../components/kit");

const probe = { action: { http: { path: "/healthz", port: "http" } } };
/** Two containers, three ports; the grpc port is deliberately neither the first nor the last. */
const spec: WorkloadSpec = {
  identity: { name: "vec", component: "vector-store" },
  kind: "StatefulSet",
  replicas: 1,
  placement: kit.pinned("asuna"),
  containers: [
    {
      name: "vec",
      image: kit.IMAGES.kubectl,
      ports: [{ name: "http", containerPort: 6333 }, { name: "grpc", containerPort: 6334 }],
      resources: { cpu: "100m", memory: "128Mi", memoryLimit: "256Mi" },
      readiness: probe,
      liveness: probe,
    },
    {
      name: "exporter",
      image: kit.IMAGES.kubectl,
      ports: [{ name: "metrics", containerPort: 9100 }],
      resources: { cpu: "10m", memory: "16Mi", memoryLimit: "32Mi" },
      readiness: { action: { http: { path: "/", port: "metrics" } } },
      liveness: { action: { http: { path: "/", port: "metrics" } } },
    },
  ],
  volumeClaims: [{ name: "data", size: "1Gi" }],
  service: { ports: ["grpc", "http"] },
  extraServices: [{ name: "vec-metrics", ports: ["metrics"] }],
};

beforeAll(async () => {
  const parent = new pulumi.ComponentResource("test:unit:Parent", "p", {});
  const e = kit.emitWorkload(parent, spec, { namespace: "ns" });
  // A resource's URN resolves once the mock runtime has registered it (and recorded its inputs).
  const all = [e.workload, e.pdb, e.service, e.headless, ...e.extraServices].filter((r): r is NonNullable<typeof r> => !!r);
  await Promise.all(all.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
});

const containerPorts = new Map(spec.containers.flatMap((c) => c.ports.map((p) => [p.name, p.containerPort] as const)));

describe("emitWorkload", () => {
  it.each(["vec", "vec-headless", "vec-metrics"])("each port of Service %s targets the container port of the same name, on the same number", (svc) => {
    const ports: { name: string; port: number; targetPort: string | number }[] = inputs.get(`Service/${svc}`)!.spec.ports;
    expect(ports.length).toBeGreaterThan(0);
    for (const p of ports) {
      // targetPort may be the name or the number; either way it must land on the port named like the Service port.
      const target = typeof p.targetPort === "number" ? p.targetPort : containerPorts.get(p.targetPort);
      expect({ name: p.name, target }).toEqual({ name: p.name, target: containerPorts.get(p.name) });
      expect(p.port).toBe(containerPorts.get(p.name));
    }
  });

  it("every PodDisruptionBudget lets at least one pod go (a PDB of 0 blocks every node drain)", () => {
    const pdb = inputs.get("PodDisruptionBudget/vec")!.spec;
    expect(pdb.minAvailable).toBeUndefined();
    expect(pdb.maxUnavailable).toBeGreaterThanOrEqual(1);
  });

  it("a StatefulSet keeps its volumes when deleted and when scaled down", () => {
    expect(inputs.get("StatefulSet/vec")!.spec.persistentVolumeClaimRetentionPolicy).toEqual({ whenDeleted: "Retain", whenScaled: "Retain" });
  });

  it("every pod runs under the container runtime's default seccomp profile", () => {
    expect(inputs.get("StatefulSet/vec")!.spec.template.spec.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
  });
});
