// A Service port other than the container port, a NodePort derived from the workload, env variables
// that expand others, and URLs with passwords built by the kit: what emitWorkload and the kit write.
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

const health = { action: { http: { path: "/health", port: "http" } } };
const spec: WorkloadSpec = {
  identity: { name: "api", component: "app" },
  kind: "Deployment",
  replicas: 2,
  placement: kit.onRole("compute"),
  service: { ports: ["http"], servicePorts: { http: 8000 } },
  extraServices: [{ name: "api-nodeport", ports: ["http"], servicePorts: { http: 8000 }, nodePorts: { http: 30801 }, nodePortFrom: ["100.64.0.0/10"] }],
  containers: [
    {
      name: "api",
      image: kit.IMAGES.kubectl,
      ports: [{ name: "http", containerPort: 8001 }],
      // Deliberately named so that alphabetical order would put the URL before its password.
      env: { A_URL: "postgresql://u:$(Z_PASSWORD)@db:5432/app", Z_PASSWORD: { secret: { secretName: "db", key: "password" } }, PLAIN: "$(NOT_DEFINED_HERE)" },
      resources: { cpu: "100m", memory: "128Mi", memoryLimit: "256Mi" },
      readiness: health,
      liveness: health,
    },
  ],
};

beforeAll(async () => {
  const parent = new pulumi.ComponentResource("test:unit:Parent", "p", {});
  const e = kit.emitWorkload(parent, spec, { namespace: "ns" });
  const all = [e.workload, e.pdb, e.service, ...e.extraServices, ...e.policies].filter((r): r is NonNullable<typeof r> => !!r);
  await Promise.all(all.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
});

describe("a Service port other than the container port", () => {
  it("the Service offers 8000 and targets the container port by name (8001)", () => {
    expect(inputs.get("Service/api")!.spec).toMatchObject({ type: "ClusterIP", ports: [{ name: "http", port: 8000, targetPort: "http", protocol: "TCP" }] });
    expect(inputs.get("Deployment/api")!.spec.template.spec.containers[0].ports).toEqual([{ name: "http", containerPort: 8001, protocol: "TCP" }]);
  });

  it("a route's backend names the Service port (8000) and its allow opens the container port (8001)", () => {
    const b = kit.serviceBackend(spec, "http");
    expect({ port: b.port, portNumber: b.portNumber, targetPort: b.targetPort, service: b.service }).toEqual({ port: "http", portNumber: 8000, targetPort: 8001, service: "api" });
  });

  it("refuses a port number for a port the Service does not expose, or a number that is no port", () => {
    expect(() => kit.checkWorkloadSpec({ ...spec, service: { ports: ["http"], servicePorts: { metrics: 9000 } } })).toThrow(/sets a port number for "metrics", which it does not expose/);
    expect(() => kit.checkWorkloadSpec({ ...spec, service: { ports: ["http"], servicePorts: { http: 70000 } } })).toThrow(/port http number 70000 is not a port/);
  });
});

describe("a NodePort derived from the workload", () => {
  it("selects exactly the workload's pods, on the node port, keeping client addresses", () => {
    const svc = inputs.get("Service/api-nodeport")!;
    expect(svc.spec).toMatchObject({ type: "NodePort", externalTrafficPolicy: "Local", ports: [{ name: "http", port: 8000, targetPort: "http", nodePort: 30801 }] });
    expect(svc.spec.selector).toEqual(inputs.get("Deployment/api")!.spec.selector.matchLabels);
    expect(svc.metadata.annotations[kit.NODE_PORT_FROM_ANNOTATION]).toBe("100.64.0.0/10");
  });

  it("gets exactly one allow: the declared clients to the pods' container port", () => {
    const np = inputs.get("NetworkPolicy/ns-api-nodeport-node-port")!;
    expect(np.metadata.annotations[kit.ALLOW_REASON_ANNOTATION]).toBe("node-port");
    expect(np.spec).toEqual({
      podSelector: { matchLabels: kit.selectorLabels(spec.identity) },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ ipBlock: { cidr: "100.64.0.0/10" } }], ports: [{ port: 8001, protocol: "TCP" }] }],
    });
  });

  it.each([
    ["below the range", { http: 29999 }, ["10.0.0.0/8"], /node port 29999 is outside 30000–32767/],
    ["above the range", { http: 32768 }, ["10.0.0.0/8"], /node port 32768 is outside 30000–32767/],
    ["on a port it does not expose", { grpc: 30802 }, ["10.0.0.0/8"], /sets a node port for "grpc", which it does not expose/],
    ["without saying who may reach it", { http: 30801 }, [], /has node ports but no nodePortFrom/],
  ])("refuses a node port %s", (_n, nodePorts, nodePortFrom, expected) => {
    const bad: WorkloadSpec = { ...spec, extraServices: [{ name: "api-nodeport", ports: ["http"], nodePorts, nodePortFrom }] };
    expect(() => kit.checkWorkloadSpec(bad)).toThrow(expected);
  });
});

describe("env variables that expand others", () => {
  it("are listed after every variable they could name (Kubernetes expands only earlier ones)", () => {
    const names = inputs.get("Deployment/api")!.spec.template.spec.containers[0].env.map((e: any) => e.name);
    // PLAIN names no variable of this container: it keeps its alphabetical place.
    expect(names).toEqual(["PLAIN", "Z_PASSWORD", "A_URL"]);
  });

  it("urlWithPasswordEnv builds the URL from the connection and reads the password from its Secret", () => {
    const pg = { kind: "postgres" as const, host: "postgres-primary.ns.svc.cluster.local", port: 5432, service: "postgres-primary", endpoint: { namespace: "ns", podSelector: { a: "b" }, port: 5432 }, database: "family_assistant", user: "family_assistant", password: { secretName: "postgres-family-assistant", key: "password" } };
    expect(kit.urlWithPasswordEnv("DATABASE_URL", pg)).toEqual({
      DATABASE_URL_PASSWORD: { secret: { secretName: "postgres-family-assistant", key: "password" } },
      DATABASE_URL: "postgresql://family_assistant:$(DATABASE_URL_PASSWORD)@postgres-primary.ns.svc.cluster.local:5432/family_assistant",
    });
    const redis = kit.redisConnection("redis", "ns", 6379, { a: "b" }, { secretName: "redis-password", key: "password" });
    expect(redis.url).toBe("redis://redis.ns.svc.cluster.local:6379/0");
    expect(kit.urlWithPasswordEnv("REDIS_URL", redis)).toEqual({
      REDIS_URL_PASSWORD: { secret: { secretName: "redis-password", key: "password" } },
      REDIS_URL: "redis://:$(REDIS_URL_PASSWORD)@redis.ns.svc.cluster.local:6379/0",
    });
  });
});
