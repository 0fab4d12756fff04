// The monitoring stack as rendered for every stack: pinned charts installed the k3s way, Prometheus
// selecting every monitor and rule, retention and placement from config, the chart pods counted,
// Grafana's route on the Service the chart creates, the alert rules and the dashboard.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { CHART_PODS_ANNOTATION } from "../../components/kit";
import { alertNames, observabilitySettings } from "../../components/observability";
import { splitConfig, validateRaw } from "../../stacks";
import { chartGroupsOf } from "../../tools/lib/manifests";
import { readStackFile } from "../../tools/lib/stack-file";
import { ROOT, rendered, stackNames } from "../harness";
import { configProblems, stackRaw } from "../lib/stack-config";
import type { Manifest } from "../../tools/lib/manifests";

const config = (stack: string) => validateRaw(stack, { raw: splitConfig(readStackFile(stack).config).raw, secretsPresent: [] }, { requireSecrets: false }).config;
const find = (ms: readonly Manifest[], kind: string, name: string) => ms.find((m) => m.kind === kind && m.metadata.name === name);
const values = (hc: Manifest | undefined) => YAML.parse(hc!.spec.valuesContent);

describe.each(stackNames())("stack %s: monitoring", (stack) => {
  const ms = () => rendered(stack).manifests;

  it("kube-prometheus-stack, Loki and Alloy are pinned HelmCharts installed by k3s into monitoring", () => {
    for (const [name, chart] of [["kube-prometheus-stack", "kube-prometheus-stack"], ["loki", "loki"], ["alloy", "alloy"]]) {
      const hc = find(ms(), "HelmChart", name);
      expect(hc?.metadata.namespace).toBe("kube-system");
      expect(hc?.spec).toMatchObject({ chart, targetNamespace: "monitoring", version: expect.stringMatching(/^\d+\.\d+\.\d+$/) });
    }
    expect(find(ms(), "HelmChart", "loki")!.spec.repo).toBe("https://grafana-community.github.io/helm-charts");
  });

  it("Prometheus selects every ServiceMonitor, PodMonitor and PrometheusRule, not only the release's", () => {
    const p = values(find(ms(), "HelmChart", "kube-prometheus-stack")).prometheus.prometheusSpec;
    for (const k of ["serviceMonitor", "podMonitor", "rule"]) {
      expect(p[`${k}SelectorNilUsesHelmValues`]).toBe(false);
      expect(p[`${k}Selector`]).toEqual({});
      expect(p[`${k}NamespaceSelector`]).toEqual({});
    }
  });

  it("retention, volume and node come from the config", () => {
    const o = config(stack).observability;
    const v = values(find(ms(), "HelmChart", "kube-prometheus-stack"));
    expect(v.prometheus.prometheusSpec.retention).toBe(o.prometheus.retention);
    expect(v.prometheus.prometheusSpec.storageSpec.volumeClaimTemplate.spec.resources.requests.storage).toBe(o.prometheus.storage);
    for (const sel of [v.prometheus.prometheusSpec.nodeSelector, v.alertmanager.alertmanagerSpec.nodeSelector, v.grafana.nodeSelector, values(find(ms(), "HelmChart", "loki")).singleBinary.nodeSelector]) {
      expect(sel).toEqual({ "kubernetes.io/hostname": o.node });
    }
    expect(values(find(ms(), "HelmChart", "loki")).loki.limits_config.retention_period).toBe(o.loki.retention);
  });

  it("kube-state-metrics exports the backup CronJobs' label the backup alert joins on", () => {
    const v = values(find(ms(), "HelmChart", "kube-prometheus-stack"));
    expect(v["kube-state-metrics"].metricLabelsAllowlist).toContain("cronjobs=[homelab.pesulabs.net/backup]");
  });

  it("node-exporter's series carry the node's name in `node`, the label the memory alert joins allocatable on", () => {
    const v = values(find(ms(), "HelmChart", "kube-prometheus-stack"));
    expect(v["prometheus-node-exporter"].prometheus.monitor.relabelings).toContainEqual(
      expect.objectContaining({ action: "replace", sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: "node" }),
    );
    const rule = find(ms(), "PrometheusRule", "homelab-alerts")!;
    const expr: string = rule.spec.groups.flatMap((g: any) => g.rules).find((r: any) => r.alert === "NodeMemoryHigh").expr;
    expect(expr).toMatch(/\/ on\(node\) max by \(node\) \(kube_node_status_allocatable\{resource="memory"\}\)/);
  });

  it("the chart pods the capacity check counts are those whose requests the values carry", () => {
    const groups = chartGroupsOf(ms(), config(stack));
    expect(groups.map((g) => g.workload).sort()).toEqual(["alertmanager", "alloy", "grafana", "kube-state-metrics", "loki", "node-exporter", "prometheus", "prometheus-operator"]);
    const prometheus = groups.find((g) => g.workload === "prometheus")!;
    const o = config(stack).observability;
    // The Prometheus pod: the server's request plus the config reloader's 16Mi.
    const mi = (q: string) => Number(/^(\d+)Mi$/.exec(q)?.[1] ?? Number(/^(\d+)Gi$/.exec(q)![1]) * 1024);
    expect(prometheus.memoryBytes).toBe((mi(o.prometheus.resources.memory) + 16) * 2 ** 20);
    expect(prometheus.eligible).toEqual([o.node]);
    for (const g of groups) expect(g.memoryBytes).toBeGreaterThan(0);
    const hc = find(ms(), "HelmChart", "kube-prometheus-stack")!;
    expect(JSON.parse(hc.metadata.annotations[CHART_PODS_ANNOTATION]).length).toBe(6);
  });

  it("Grafana: its route's backend is the Service and port the chart's values name; the admin password is a generated Secret", () => {
    const v = values(find(ms(), "HelmChart", "kube-prometheus-stack")).grafana;
    const route = find(ms(), "IngressRoute", "grafana")!;
    const svc = route.spec.routes[0].services[0];
    expect(svc).toMatchObject({ name: v.fullnameOverride, port: v.service.portName });
    expect(route.spec.routes[0].match).toBe(`Host(\`grafana.${config(stack).domain}\`)`);
    expect(v.admin.existingSecret).toBe("grafana-admin");
    expect(find(ms(), "Secret", "grafana-admin")!.stringData).toEqual({ "admin-password": "<redacted>", "admin-user": "<redacted>" });
    expect(rendered(stack).resources.some((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name === "grafana-admin-admin-password")).toBe(true);
  });

  it("Alertmanager reads the generated config Secret, not values in the HelmChart", () => {
    const a = values(find(ms(), "HelmChart", "kube-prometheus-stack")).alertmanager;
    expect(a.config).toBeUndefined();
    expect(a.alertmanagerSpec).toMatchObject({ useExistingSecret: true, configSecret: "alertmanager-homelab" });
    expect(find(ms(), "Secret", "alertmanager-homelab")!.stringData).toEqual({ "alertmanager.yaml": "<redacted>" });
  });

  it("the PrometheusRule carries every platform alert, each with a summary and a runbook link into the README", () => {
    const rule = find(ms(), "PrometheusRule", "homelab-alerts")!;
    const got = rule.spec.groups.flatMap((g: any) => g.rules);
    expect(got.map((r: any) => r.alert)).toEqual(alertNames(config(stack).observability.alerts));
    for (const r of got) expect(r.annotations.runbook_url).toMatch(/README\.md#alert-[a-z]+$/);
  });

  it("the overview dashboard ships as a ConfigMap the Grafana sidecar loads", () => {
    const cm = find(ms(), "ConfigMap", "homelab-dashboards")!;
    expect(cm.metadata.labels.grafana_dashboard).toBe("1");
    const d = JSON.parse(cm.data["platform-overview.json"]);
    expect(d.panels.map((p: any) => p.title)).toEqual(expect.arrayContaining(["CPU per node: used, requested, allocatable", "Memory per node: used, requested, allocatable", "Newest successful backup, age"]));
  });

  it("the render warns that alerts go nowhere without a webhook", () => {
    expect(rendered(stack).plan.warnings.some((w) => w.includes("alertWebhookUrl is not set"))).toBe(true);
  });
});

describe("observability settings", () => {
  it("README's Alerts table lists every alert with its anchor", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    for (const name of alertNames(observabilitySettings.parse({}).alerts)) {
      expect([name, readme.includes(`<a id="alert-${name.toLowerCase()}"></a>`)]).toEqual([name, true]);
    }
  });

  it.each([
    [{ node: "nowhere" }, /homelab:observability\.node: node "nowhere" is not in homelab:nodes/],
    [{ prometheus: { storage: "1Gi" } }, /homelab:observability\.prometheus\.storage: 1Gi is too small/],
    [{ prometheus: { retention: "15 days" } }, /homelab:observability\.prometheus\.retention: "15 days" is not a duration/],
    [{ alerts: { nodeMemoryPercent: 120 } }, /homelab:observability\.alerts\.nodeMemoryPercent/],
  ])("bad config %j names the field", (bad, message) => {
    const raw = stackRaw("homelab");
    raw.observability = bad;
    expect(configProblems(raw)).toMatch(message);
  });

  it("monitoring that does not fit is a capacity problem naming its settings", () => {
    const raw = stackRaw("homelab");
    raw.observability = { node: "asuna", prometheus: { resources: { memory: "6Gi", memoryLimit: "6Gi" } } };
    expect(configProblems(raw)).toMatch(/asuna: pod memory requests .* exceed the 6\.5Gi allocatable.*homelab:observability\.prometheus\.resources/);
  });
});
