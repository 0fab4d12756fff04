// The monitoring stack, the k3s way (HelmChart CRs that k3s's helm controller installs, as
// cert-manager is): kube-prometheus-stack (Prometheus, Alertmanager, Grafana, node-exporter,
// kube-state-metrics), Loki and Grafana Alloy; the platform's alert rules, Alertmanager's
// configuration, Grafana's admin password and the overview dashboard; Grafana routed at
// `grafana.<domain>` through the kit's route helper; monitors for the charts' pods that serve
// metrics but are not our workloads (Traefik, cert-manager). Our own workloads are scraped by the
// kit from their specs (components/kit/monitoring.ts).
//
// The namespace does not deny ingress by default: like cert-manager's, it holds chart pods the API
// server and each other reach on ports the charts choose (the operator's admission webhook, Grafana's
// data sources). Nothing here is exposed but Grafana's route.
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import YAML from "yaml";
import {
  CHART_PODS_ANNOTATION,
  ChartPod,
  MONITORING_NAMESPACE,
  RouteDefaults,
  appLabels,
  chartPodsAnnotation,
  chartServiceBackend,
  emitMonitor,
  emitRoute,
  generatedSecret,
  sortedYaml,
} from "../kit";
import { CERT_MANAGER_NAMESPACE, HeadersPolicy, KUBE_SYSTEM, TRAEFIK_POD_LABELS, securityHeaders } from "../ingress/spec";
import { alertmanagerConfig } from "./alertmanager";
import { alertRules } from "./rules";
import type { ObservabilitySettings } from "./settings";
import {
  ALERTMANAGER_CONFIG_SECRET,
  ALLOY_CHART,
  ALLOY_RELEASE,
  DASHBOARD_LABEL,
  GRAFANA_ADMIN_SECRET,
  GRAFANA_ADMIN_USER,
  GRAFANA_CONTAINER_PORT,
  GRAFANA_POD_LABELS,
  GRAFANA_SERVICE,
  KPS_RELEASE,
  KUBE_PROMETHEUS_STACK_CHART,
  LOKI_CHART,
  LOKI_RELEASE,
  PROMETHEUS_OPERATOR_CRDS_CHART,
  alloyValues,
  kubePrometheusStackValues,
  lokiValues,
  monitoringPods,
} from "./values";

export const RULES_NAME = "homelab-alerts";
export const DASHBOARD_CONFIGMAP = "homelab-dashboards";
export const GRAFANA_ROUTE = "grafana";
/** Grafana's Service port name (pinned in the chart's values). */
export const GRAFANA_PORT_NAME = "http-web";
/** The platform's Grafana dashboards, shipped from the repository. */
export const DASHBOARDS_DIR = path.join(__dirname, "dashboards");
/** cert-manager's controller pods and their metrics port (the jetstack chart's names). */
export const CERT_MANAGER_CONTROLLER_LABELS = { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" } as const;

export interface ObservabilityArgs {
  readonly settings: ObservabilitySettings;
  readonly domain: string;
  /** Where Alertmanager sends notifications (a secret); default nowhere (render warns). */
  readonly webhookUrl?: pulumi.Input<string>;
  /** Route defaults of the ingress (issuer, Traefik's pods); the route gets its own headers Middleware here. */
  readonly routes: RouteDefaults;
  readonly headers: HeadersPolicy;
  /** What CRD-backed objects wait for: the readiness Job that waits for the monitoring CRDs (cert-manager's). */
  readonly crdsReady: readonly pulumi.Resource[];
}

/** The HelmChart CR k3s installs a chart from. */
function helmChart(parent: pulumi.Resource, name: string, chart: { repo: string; chart: string; version: string }, values: Record<string, unknown>, pods: readonly ChartPod[], deps: pulumi.Resource[]): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(name, {
    apiVersion: "helm.cattle.io/v1",
    kind: "HelmChart",
    metadata: {
      name,
      namespace: KUBE_SYSTEM,
      labels: appLabels({ name, component: "monitoring" }),
      annotations: pods.length ? { [CHART_PODS_ANNOTATION]: chartPodsAnnotation(pods) } : undefined,
    },
    spec: {
      repo: chart.repo,
      chart: chart.chart,
      version: chart.version,
      targetNamespace: MONITORING_NAMESPACE,
      valuesContent: sortedYaml(values),
    },
  }, { parent, dependsOn: deps });
}

/** Every dashboard JSON file of the repository, by file name. */
export function dashboardFiles(): Record<string, string> {
  return Object.fromEntries(
    fs.readdirSync(DASHBOARDS_DIR).filter((f) => f.endsWith(".json")).sort().map((f) => [f, fs.readFileSync(path.join(DASHBOARDS_DIR, f), "utf8")]),
  );
}

export class Observability extends pulumi.ComponentResource {
  readonly grafanaUrl?: string;
  /** Grafana's generated admin password, a Pulumi secret. */
  readonly grafanaPassword?: pulumi.Output<string>;

  constructor(name: string, args: ObservabilityArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:observability:Observability", name, {}, opts);
    const s = args.settings;
    const labels = appLabels({ name: "monitoring", component: "monitoring" });
    // node-exporter reads the host (hostNetwork, hostPID, host paths): only a privileged namespace admits it.
    const ns = new k8s.core.v1.Namespace(MONITORING_NAMESPACE, {
      metadata: { name: MONITORING_NAMESPACE, labels: { ...labels, "pod-security.kubernetes.io/enforce": "privileged", "pod-security.kubernetes.io/warn": "baseline" } },
      // Prometheus's and Loki's volume claims live in it.
    }, { parent: this, protect: true });

    if (!s.enabled) {
      // The kit emits a monitor for every workload with metrics; their kinds must exist even unscraped.
      helmChart(this, "prometheus-operator-crds", PROMETHEUS_OPERATOR_CRDS_CHART, {}, [], [ns]);
      this.registerOutputs({});
      return;
    }

    const pods = monitoringPods(s);
    const admin = generatedSecret(this, {
      name: GRAFANA_ADMIN_SECRET,
      namespace: MONITORING_NAMESPACE,
      labels,
      generate: { "admin-password": { length: 32 } },
      literals: { "admin-user": GRAFANA_ADMIN_USER },
    });
    this.grafanaPassword = admin.value("admin-password");
    const amConfig = new k8s.core.v1.Secret(ALERTMANAGER_CONFIG_SECRET, {
      metadata: { name: ALERTMANAGER_CONFIG_SECRET, namespace: MONITORING_NAMESPACE, labels },
      type: "Opaque",
      stringData: {
        "alertmanager.yaml": pulumi.secret(pulumi.output(args.webhookUrl).apply((url) => YAML.stringify(alertmanagerConfig({ webhookUrl: url || undefined })))),
      },
    }, { parent: this, dependsOn: [ns] });
    const dashboards = new k8s.core.v1.ConfigMap(DASHBOARD_CONFIGMAP, {
      metadata: { name: DASHBOARD_CONFIGMAP, namespace: MONITORING_NAMESPACE, labels: { ...labels, ...DASHBOARD_LABEL } },
      data: dashboardFiles(),
    }, { parent: this, dependsOn: [ns] });

    const kps = helmChart(this, KPS_RELEASE, KUBE_PROMETHEUS_STACK_CHART, kubePrometheusStackValues(s, args.domain), pods.kps, [ns, admin.secret, amConfig, dashboards]);
    helmChart(this, LOKI_RELEASE, LOKI_CHART, lokiValues(s), pods.loki, [ns]);
    helmChart(this, ALLOY_RELEASE, ALLOY_CHART, alloyValues(s), pods.alloy, [ns]);

    const after = { parent: this, dependsOn: [kps, ...args.crdsReady] };
    new k8s.apiextensions.CustomResource(RULES_NAME, {
      apiVersion: "monitoring.coreos.com/v1",
      kind: "PrometheusRule",
      metadata: { name: RULES_NAME, namespace: MONITORING_NAMESPACE, labels },
      spec: { groups: alertRules(s.alerts) },
    }, after);
    // Chart pods that serve metrics but are not our workloads; their namespaces do not deny ingress to them.
    emitMonitor(this, {
      name: "traefik",
      namespace: KUBE_SYSTEM,
      podSelector: TRAEFIK_POD_LABELS,
      endpoints: [{ port: "metrics", path: "/metrics" }],
      identity: { name: "traefik", component: "ingress" },
      chart: "traefik",
    }, after);
    emitMonitor(this, {
      name: "cert-manager",
      namespace: CERT_MANAGER_NAMESPACE,
      podSelector: CERT_MANAGER_CONTROLLER_LABELS,
      endpoints: [{ port: "http-metrics", path: "/metrics" }],
      identity: { name: "cert-manager", component: "certificates" },
      chart: "cert-manager",
    }, after);

    // Grafana through the kit's route: HTTPS, the security headers (a Middleware of this namespace:
    // Traefik resolves only same-namespace references), the issuer's certificate.
    const headers = new k8s.apiextensions.CustomResource(`${MONITORING_NAMESPACE}-security-headers`, {
      apiVersion: "traefik.io/v1alpha1",
      kind: "Middleware",
      metadata: { name: args.routes.securityHeaders.name, namespace: MONITORING_NAMESPACE, labels },
      spec: { headers: securityHeaders(args.headers) },
    }, { parent: this, dependsOn: [ns, ...(args.routes.dependsOn ?? [])] });
    const route = emitRoute(this, {
      ...args.routes,
      securityHeaders: { name: args.routes.securityHeaders.name, namespace: MONITORING_NAMESPACE },
      dependsOn: [...(args.routes.dependsOn ?? []), headers, kps],
    }, {
      name: GRAFANA_ROUTE,
      subdomain: s.grafana.subdomain,
      namespace: MONITORING_NAMESPACE,
      backend: chartServiceBackend({
        service: GRAFANA_SERVICE,
        port: GRAFANA_PORT_NAME,
        targetPort: GRAFANA_CONTAINER_PORT,
        podSelector: GRAFANA_POD_LABELS,
        identity: { name: "grafana", component: "monitoring" },
      }),
    });
    this.grafanaUrl = route.url;
    this.registerOutputs({ grafanaUrl: this.grafanaUrl, grafanaPassword: this.grafanaPassword });
  }
}
