import * as pulumi from "@pulumi/pulumi";
import { IMAGES, WorkloadSpec, checkWorkloadSpec, footprint, onRole, pinned, schedulingFor, selectorLabels, appLabels, parseBytes, parseMillicores } from "../../components/kit";

const spec: WorkloadSpec = {
  identity: { name: "web", component: "test" },
  kind: "Deployment",
  replicas: 2,
  placement: onRole("compute", "required"),
  service: { ports: ["http"] },
  containers: [
    {
      name: "web",
      image: IMAGES.kubectl,
      ports: [{ name: "http", containerPort: 80 }],
      resources: { cpu: "250m", memory: "256Mi", memoryLimit: "512Mi" },
      readiness: { action: { http: { path: "/", port: "http" } } },
      liveness: { action: { http: { path: "/", port: "http" } } },
    },
  ],
  initContainers: [{ name: "migrate", image: IMAGES.kubectl, resources: { cpu: "1", memory: "128Mi", memoryLimit: "1Gi" } }],
};

describe("labels", () => {
  it("selector labels are a subset of the pod labels", () => {
    const id = { name: "web", component: "x" };
    expect(appLabels(id)).toMatchObject(selectorLabels(id));
  });
  it("refuses names Kubernetes would refuse", () => {
    // The message says which name is wrong and what a valid one looks like.
    expect(() => selectorLabels({ name: "Web_App", component: "x" })).toThrow(/^workload name "Web_App" is not a valid Kubernetes name: use lower-case letters/);
  });
});

describe("checkWorkloadSpec", () => {
  it("accepts a well-formed spec", () => expect(() => checkWorkloadSpec(spec)).not.toThrow());
  it("refuses a Service port no container has", () => {
    expect(() => checkWorkloadSpec({ ...spec, service: { ports: ["http", "metrics"] } })).toThrow(/exposes port "metrics" but no container has it/);
  });
  it("refuses local-path volumes on a workload that can move between nodes", () => {
    const s: WorkloadSpec = { ...spec, kind: "StatefulSet", placement: onRole("service", "preferred"), volumeClaims: [{ name: "data", size: "1Gi" }] };
    expect(() => checkWorkloadSpec(s)).toThrow(/must be pinned/);
    expect(() => checkWorkloadSpec({ ...s, placement: pinned("asuna") })).not.toThrow();
    expect(() => checkWorkloadSpec({ ...s, placement: onRole("service", "required") })).not.toThrow();
  });
  it("refuses per-replica volumes on a Deployment and mounts of undeclared volumes", () => {
    expect(() => checkWorkloadSpec({ ...spec, placement: pinned("a"), volumeClaims: [{ name: "d", size: "1Gi" }] })).toThrow(/need a StatefulSet/);
    const c = { ...spec.containers[0], mounts: [{ volume: "cfg", mountPath: "/cfg" }] };
    expect(() => checkWorkloadSpec({ ...spec, containers: [c] })).toThrow(/mounts volume "cfg"/);
  });
  it("refuses a Service on run-time labels that no pod can carry at this replica count", () => {
    const replicasSvc = { name: "web-replicas", ports: ["http"], runtimeLabels: { labels: { role: "replica" }, minReplicas: 2 } };
    expect(() => checkWorkloadSpec({ ...spec, replicas: 2, extraServices: [replicasSvc] })).not.toThrow();
    expect(() => checkWorkloadSpec({ ...spec, replicas: 1, extraServices: [replicasSvc] })).toThrow(
      /the Service web-replicas selects role=replica, which no pod carries with fewer than 2 replicas, and there are 1/,
    );
  });

  it("refuses a pod label that would override a selector label", () => {
    expect(() => checkWorkloadSpec({ ...spec, podLabels: { "app.kubernetes.io/name": "other" } })).toThrow(/would override a selector label/);
    expect(() => checkWorkloadSpec({ ...spec, podLabels: { "example.com/extra": "x" } })).not.toThrow();
  });

  it("refuses zero replicas and duplicate container names", () => {
    expect(() => checkWorkloadSpec({ ...spec, replicas: 0 })).toThrow(/replicas/);
    expect(() => checkWorkloadSpec({ ...spec, initContainers: [{ ...spec.initContainers![0], name: "web" }] })).toThrow(/used twice/);
  });
});

describe("footprint", () => {
  it("counts the larger of the app containers and the largest init container", () => {
    const f = footprint(spec);
    expect(f).toMatchObject({ workload: "web", replicas: 2, spread: "required", cpuMillis: 1000, memoryBytes: 256 * 2 ** 20, memoryLimitBytes: 2 ** 30 });
  });
});

describe("placement", () => {
  it("pins by hostname and spreads by role with anti-affinity on the workload's own selector", () => {
    const sel = { "app.kubernetes.io/name": "web" };
    expect(schedulingFor(pinned("asuna"), sel)).toEqual({ nodeSelector: { "kubernetes.io/hostname": "asuna" } });
    const r = schedulingFor(onRole("gpu", "required"), sel);
    expect(r.nodeSelector).toEqual({ "homelab.pesulabs.net/role-gpu": "true" });
    const term = (r.affinity as any).podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(term).toEqual({ labelSelector: { matchLabels: sel }, topologyKey: "kubernetes.io/hostname" });
  });
});

describe("quantities", () => {
  it("parses what Kubernetes accepts and refuses what it does not", () => {
    expect(parseBytes("8Gi")).toBe(8 * 2 ** 30);
    expect(parseBytes("1G")).toBe(1e9);
    expect(parseBytes("512Mi")).toBe(512 * 2 ** 20);
    expect(parseBytes("8GB")).toBeUndefined();
    expect(parseBytes("100m")).toBeUndefined();
    expect(parseMillicores("250m")).toBe(250);
    expect(parseMillicores("2")).toBe(2000);
    expect(parseMillicores("0.5")).toBe(500);
    expect(parseMillicores("2 cores")).toBeUndefined();
  });
});

describe("generated secrets", () => {
  beforeAll(() =>
    pulumi.runtime.setMocks({ newResource: (a) => ({ id: `${a.name}-id`, state: { ...a.inputs, result: `gen-${a.name}` } }), call: (a) => a.inputs }, "homelab", "unit", false),
  );
  it("generates values with @pulumi/random, keeps them secret, and refuses unknown keys", async () => {
    const { generatedSecret } = require("../../components/kit/secrets");
    const parent = new pulumi.ComponentResource("test:unit:Parent", "p", {});
    const s = generatedSecret(parent, { name: "db", namespace: "ns", generate: { password: {} }, literals: { user: "app" } });
    expect(s.ref("password")).toEqual({ secretName: "db", key: "password" });
    expect(() => s.ref("token")).toThrow(/has no key "token"/);
    const v = s.value("password");
    expect(await (v as any).isSecret).toBe(true);
    expect(await new Promise((r) => v.apply(r))).toBe("gen-db-password");
  });
});
