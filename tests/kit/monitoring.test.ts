// Scraping by construction, under the SDK's mock runtime: a spec that declares metrics gets exactly one
// PodMonitor on its pods and ports, and Prometheus's allow on those ports; one that does not gets none.
import * as pulumi from "@pulumi/pulumi";
import type { WorkloadSpec } from "../../components/kit";

const inputs = new Map<string, Record<string, any>>();
pulumi.runtime.setMocks({
  newResource: (a) => {
    inputs.set(`${a.inputs.kind ?? a.type.split(":").pop()}/${a.name}`, a.inputs);
    return { id: `${a.name}-id`, state: a.inputs };
  },
  call: (a) => a.inputs,
}, "homelab", "unit", false);

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kit = require("../../components/kit") as typeof import("../../components/kit");

const probe = { action: { http: { path: "/healthz", port: "http" } } };
const base = (name: string): WorkloadSpec => ({
  identity: { name, component: "app" },
  kind: "Deployment",
  replicas: 1,
  placement: kit.onRole("compute"),
  containers: [
    {
      name: "app",
      image: kit.IMAGES.kubectl,
      ports: [{ name: "http", containerPort: 8080 }, { name: "exporter", containerPort: 9187 }],
      resources: { cpu: "10m", memory: "16Mi", memoryLimit: "32Mi" },
      readiness: probe,
      liveness: probe,
    },
  ],
});
const scraped: WorkloadSpec = { ...base("scraped"), metrics: { port: "http", bearerToken: { secretName: "scraped-key", key: "api-key" }, also: [{ port: "exporter", path: "/stats" }] } };

beforeAll(async () => {
  const parent = new pulumi.ComponentResource("test:unit:Parent", "p", {});
  const e = kit.emitWorkload(parent, scraped, { namespace: "ns" });
  const q = kit.emitWorkload(parent, base("quiet"), { namespace: "ns" });
  expect(q.monitor).toBeUndefined();
  const all = [e.workload, e.monitor!, ...e.policies, q.workload];
  await Promise.all(all.map((r) => new Promise((resolve) => r.urn.apply(resolve))));
});

describe("emitWorkload with a metrics endpoint", () => {
  it("emits one PodMonitor on the workload's selector labels, in its namespace, scraping each declared port", () => {
    const monitors = [...inputs.entries()].filter(([k]) => k.startsWith("PodMonitor/"));
    expect(monitors.map(([k]) => k)).toEqual(["PodMonitor/ns-scraped-metrics"]);
    const m = monitors[0][1];
    expect(m.apiVersion).toBe("monitoring.coreos.com/v1");
    expect(m.metadata).toMatchObject({ name: "scraped", namespace: "ns" });
    expect(m.spec.selector.matchLabels).toEqual({ "app.kubernetes.io/name": "scraped", "app.kubernetes.io/instance": "homelab-platform" });
    expect(m.spec.namespaceSelector).toEqual({ matchNames: ["ns"] });
    expect(m.spec.podMetricsEndpoints).toEqual([
      { port: "http", path: "/metrics", interval: "30s", scheme: "http", authorization: { type: "Bearer", credentials: { name: "scraped-key", key: "api-key" } } },
      { port: "exporter", path: "/stats", interval: "30s", scheme: "http" },
    ]);
  });

  it("lets Prometheus's pods (monitoring namespace) reach exactly the metrics ports", () => {
    const np = inputs.get("NetworkPolicy/ns-scraped-metrics")!;
    expect(np.metadata.annotations).toEqual({ "homelab.pesulabs.net/allows": "metrics" });
    expect(np.spec.podSelector.matchLabels).toEqual({ "app.kubernetes.io/name": "scraped", "app.kubernetes.io/instance": "homelab-platform" });
    expect(np.spec.ingress).toEqual([{
      from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } }, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
      ports: [{ port: 8080, protocol: "TCP" }, { port: 9187, protocol: "TCP" }],
    }]);
  });

  it("records the metrics ports on the workload, for the checks", () => {
    expect(inputs.get("Deployment/scraped")!.metadata.annotations).toEqual({ "homelab.pesulabs.net/metrics-port": "http,exporter" });
    expect(inputs.get("Deployment/quiet")!.metadata.annotations).toBeUndefined();
    expect(inputs.has("NetworkPolicy/ns-quiet-metrics")).toBe(false);
  });

  it("refuses a metrics port the pod does not have, also among the extra endpoints", () => {
    expect(() => kit.checkWorkloadSpec({ ...base("x"), metrics: { port: "metrics" } })).toThrow(/metrics port "metrics" is not a container port/);
    expect(() => kit.checkWorkloadSpec({ ...base("x"), metrics: { port: "http", also: [{ port: "nope" }] } })).toThrow(/metrics port "nope" is not a container port/);
  });

  it("refuses a monitor that would scrape every pod, a relative path or one port twice", () => {
    const id = { name: "x", component: "app" };
    expect(() => kit.podMonitorSpec({ name: "x", namespace: "ns", podSelector: {}, endpoints: [{ port: "http" }], identity: id })).toThrow(/selector is empty/);
    expect(() => kit.podMonitorSpec({ name: "x", namespace: "ns", podSelector: { a: "b" }, endpoints: [{ port: "http", path: "metrics" }], identity: id })).toThrow(/must start with \//);
    expect(() => kit.podMonitorSpec({ name: "x", namespace: "ns", podSelector: { a: "b" }, endpoints: [{ port: "http" }, { port: "http" }], identity: id })).toThrow(/scraped twice/);
  });
});
