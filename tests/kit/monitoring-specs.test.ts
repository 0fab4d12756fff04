// What a PodMonitor and Prometheus's allow hold, exactly: the spec Prometheus scrapes with, the
// monitor object (kind, labels, chart annotation, parent and ordering), the allow's source and
// ports, and the refusals' messages. Resources are built inside each test, under the mock runtime.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { IMAGES, MonitorArgs, WorkloadSpec, emitMonitor, emitScrape, emitWorkload, onRole, podMonitorSpec } from "../../components/kit";
import { Recorded, recordResources, registered } from "../lib/recording-mocks";

let recorded: Recorded[] = [];
beforeAll(() => {
  recorded = recordResources("monitoring-specs");
});
const inputsOf = (type: string, name: string) => recorded.find((r) => r.type === type && r.name === name);
const POD_MONITOR = "kubernetes:monitoring.coreos.com/v1:PodMonitor";
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";

const identity = { name: "web", component: "app" };
const webLabels = {
  "app.kubernetes.io/name": "web",
  "app.kubernetes.io/instance": "homelab-platform",
  "app.kubernetes.io/component": "app",
  "app.kubernetes.io/part-of": "homelab-platform",
  "app.kubernetes.io/managed-by": "pulumi",
};
const args = (over: Partial<MonitorArgs> = {}): MonitorArgs => ({
  name: "web",
  namespace: "apps",
  podSelector: { app: "web", tier: "front" },
  endpoints: [{ port: "http" }],
  identity,
  ...over,
});

describe("podMonitorSpec", () => {
  it("selects the pods by their labels, in their namespace only, and scrapes /metrics over http every 30s by default", () => {
    expect(podMonitorSpec(args())).toStrictEqual({
      selector: { matchLabels: { app: "web", tier: "front" } },
      namespaceSelector: { matchNames: ["apps"] },
      podMetricsEndpoints: [{ port: "http", path: "/metrics", interval: "30s", scheme: "http" }],
    });
  });

  it("scrapes each endpoint at the interval asked for, on its own path, with a bearer token from the named Secret key only where one is given", () => {
    const spec = podMonitorSpec(args({
      interval: "15s",
      endpoints: [
        { port: "api", path: "/api/metrics", bearerToken: { secretName: "web-token", key: "token" } },
        { port: "exporter", path: "/stats" },
      ],
    }));
    expect(spec.podMetricsEndpoints).toStrictEqual([
      { port: "api", path: "/api/metrics", interval: "15s", scheme: "http", authorization: { type: "Bearer", credentials: { name: "web-token", key: "token" } } },
      { port: "exporter", path: "/stats", interval: "15s", scheme: "http" },
    ]);
  });

  it("refuses a monitor with no endpoints, naming it", () => {
    expect(() => podMonitorSpec(args({ endpoints: [] }))).toThrow(new Error("monitor web: no endpoints"));
  });

  it("refuses an empty selector, a relative path and a port scraped twice, with messages naming the monitor and the culprit", () => {
    expect(() => podMonitorSpec(args({ podSelector: {} }))).toThrow(new Error("monitor web: the pod selector is empty (it would scrape every pod of apps)"));
    expect(() => podMonitorSpec(args({ endpoints: [{ port: "http", path: "metrics" }] }))).toThrow(new Error('monitor web: metrics path "metrics" must start with /'));
    expect(() => podMonitorSpec(args({ endpoints: [{ port: "http" }, { port: "http", path: "/other" }] }))).toThrow(new Error('monitor web: port "http" is scraped twice'));
  });
});

describe("emitMonitor", () => {
  it("creates a monitoring.coreos.com/v1 PodMonitor named after the monitor, in its namespace, labelled as its app, under its parent", async () => {
    const parent = new pulumi.ComponentResource("test:unit:Parent", "plain", {});
    const m = emitMonitor(parent, args({ name: "plain", namespace: "apps" }));
    await registered(m);
    const r = inputsOf(POD_MONITOR, "apps-plain-metrics")!;
    expect(r.inputs).toStrictEqual({
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PodMonitor",
      metadata: { name: "plain", namespace: "apps", labels: webLabels },
      spec: {
        selector: { matchLabels: { app: "web", tier: "front" } },
        namespaceSelector: { matchNames: ["apps"] },
        podMetricsEndpoints: [{ port: "http", path: "/metrics", interval: "30s", scheme: "http" }],
      },
    });
    expect(r.parent).toBe("urn:pulumi:monitoring-specs::homelab::test:unit:Parent::plain");
  });

  it("marks the monitor of a chart's pods with the chart's name, and waits for what the options say (the CRDs)", async () => {
    const parent = new pulumi.ComponentResource("test:unit:Parent", "charted", {});
    const crds = new k8s.core.v1.ConfigMap("crds-ready", { metadata: { name: "crds-ready" } });
    const m = emitMonitor(parent, args({ name: "traefik", namespace: "kube-system", chart: "traefik" }), { dependsOn: [crds] });
    await registered(m);
    const r = inputsOf(POD_MONITOR, "kube-system-traefik-metrics")!;
    expect(r.inputs.metadata).toStrictEqual({
      name: "traefik",
      namespace: "kube-system",
      labels: webLabels,
      annotations: { "homelab.pesulabs.net/monitors-chart": "traefik" },
    });
    expect(r.parent).toBe("urn:pulumi:monitoring-specs::homelab::test:unit:Parent::charted");
    expect(r.dependencies).toStrictEqual(["urn:pulumi:monitoring-specs::homelab::kubernetes:core/v1:ConfigMap::crds-ready"]);
  });
});

describe("emitScrape", () => {
  it("lets only Prometheus's pods, from the monitoring namespace, reach each metrics port once, in ascending order", async () => {
    const parent = new pulumi.ComponentResource("test:unit:Parent", "scrape", {});
    const s = emitScrape(parent, { ...args({ name: "api", endpoints: [{ port: "exporter" }, { port: "http" }] }), containerPorts: [9187, 8080, 9187] });
    await Promise.all([registered(s.monitor), registered(s.policy)]);
    const policy = inputsOf(NETWORK_POLICY, "apps-api-metrics")!;
    expect(policy.inputs).toStrictEqual({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: { name: "api-metrics", namespace: "apps", labels: webLabels, annotations: { "homelab.pesulabs.net/allows": "metrics" } },
      spec: {
        podSelector: { matchLabels: { app: "web", tier: "front" } },
        policyTypes: ["Ingress"],
        ingress: [{
          from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "prometheus" } }, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "monitoring" } } }],
          ports: [{ port: 8080, protocol: "TCP" }, { port: 9187, protocol: "TCP" }],
        }],
      },
    });
    expect(inputsOf(POD_MONITOR, "apps-api-metrics")!.inputs.spec.podMetricsEndpoints).toStrictEqual([
      { port: "exporter", path: "/metrics", interval: "30s", scheme: "http" },
      { port: "http", path: "/metrics", interval: "30s", scheme: "http" },
    ]);
  });
});

describe("a workload that declares metrics", () => {
  it("records its metrics port names, comma-separated, under homelab.pesulabs.net/metrics-port", async () => {
    const probe = { action: { http: { path: "/healthz", port: "http" } } };
    const spec: WorkloadSpec = {
      identity: { name: "exported", component: "app" },
      kind: "Deployment",
      replicas: 1,
      placement: onRole("compute"),
      containers: [{
        name: "app",
        image: IMAGES.kubectl,
        ports: [{ name: "http", containerPort: 8080 }, { name: "exporter", containerPort: 9187 }],
        resources: { cpu: "10m", memory: "16Mi", memoryLimit: "32Mi" },
        readiness: probe,
        liveness: probe,
      }],
      metrics: { port: "http", also: [{ port: "exporter" }] },
    };
    const parent = new pulumi.ComponentResource("test:unit:Parent", "workload", {});
    const w = emitWorkload(parent, spec, { namespace: "apps" });
    await registered(w.workload);
    expect(inputsOf("kubernetes:apps/v1:Deployment", "exported")!.inputs.metadata.annotations).toStrictEqual({ "homelab.pesulabs.net/metrics-port": "http,exporter" });
  });
});
