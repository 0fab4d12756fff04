// The monitoring stack as pure values: the pinned charts, their values, and the pods each chart runs
// (counted by the capacity check like our own workloads). The component emits these; tests and
// validation read them without creating anything.
import { BACKUP_LABEL, ChartPod, HOSTNAME_LABEL, LOCAL_PATH, ResourceSpec, chartResources, roleLabel } from "../kit";
import { parseBytes } from "../kit/quantity";
import { NODE_LABEL } from "./rules";
import type { ObservabilitySettings } from "./settings";

/**
 * Charts, pinned (Renovate's helm manager reads these constants). kube-prometheus-stack 88.3.0 takes
 * its Grafana subchart from the grafana-community repository (prometheus-community/helm-charts#6581,
 * after Grafana's community charts moved there in 2026); Loki moved there too, Alloy stayed in
 * grafana's own repository. Versions seen in public deployments of late 2026.
 */
export const KUBE_PROMETHEUS_STACK_CHART = { repo: "https://prometheus-community.github.io/helm-charts", chart: "kube-prometheus-stack", version: "88.3.0" } as const;
export const LOKI_CHART = { repo: "https://grafana-community.github.io/helm-charts", chart: "loki", version: "18.13.4" } as const;
export const ALLOY_CHART = { repo: "https://grafana.github.io/helm-charts", chart: "alloy", version: "1.2.1" } as const;
/** Only the Prometheus Operator's CRDs: installed instead of the stack when observability is off, so the kit's monitors still apply. */
export const PROMETHEUS_OPERATOR_CRDS_CHART = { repo: "https://prometheus-community.github.io/helm-charts", chart: "prometheus-operator-crds", version: "25.0.0" } as const;

/** Release names (the HelmCharts' names); object names derive from them. */
export const KPS_RELEASE = "kube-prometheus-stack";
export const LOKI_RELEASE = "loki";
export const ALLOY_RELEASE = "alloy";
/** Short object names for the stack's own objects (fullnameOverride). */
export const KPS_FULLNAME = "kps";
/** Grafana's Service (the route's backend), its port, and the pods behind it. */
export const GRAFANA_SERVICE = "grafana";
export const GRAFANA_SERVICE_PORT = 80;
export const GRAFANA_CONTAINER_PORT = 3000;
export const GRAFANA_POD_LABELS = { "app.kubernetes.io/name": "grafana", "app.kubernetes.io/instance": KPS_RELEASE } as const;
/** The Secret Grafana reads its admin user and password from. */
export const GRAFANA_ADMIN_SECRET = "grafana-admin";
export const GRAFANA_ADMIN_USER = "admin";
/** The Secret holding alertmanager.yaml (the operator reads it; the chart does not write one). */
export const ALERTMANAGER_CONFIG_SECRET = "alertmanager-homelab";
/** Grafana's dashboard sidecar loads ConfigMaps with this label (any namespace). */
export const DASHBOARD_LABEL = { grafana_dashboard: "1" } as const;
export const LOKI_URL = "http://loki.monitoring.svc.cluster.local:3100";

/** Fixed sizes of the stack's small pods (not worth a setting each). */
export const SMALL_PODS = {
  operator: { cpu: "50m", memory: "128Mi", memoryLimit: "256Mi" },
  kubeStateMetrics: { cpu: "20m", memory: "64Mi", memoryLimit: "256Mi" },
  nodeExporter: { cpu: "20m", memory: "32Mi", memoryLimit: "64Mi" },
  configReloader: { cpu: "10m", memory: "16Mi", memoryLimit: "64Mi" },
  grafanaSidecar: { cpu: "10m", memory: "64Mi", memoryLimit: "128Mi" },
  alloy: { cpu: "50m", memory: "128Mi", memoryLimit: "512Mi" },
} as const satisfies Record<string, ResourceSpec>;

const pinnedTo = (node: string) => ({ [HOSTNAME_LABEL]: node });

/** A byte quantity in Prometheus's retention.size units, 90% of the volume (the rest is WAL headroom). */
export function retentionSize(storage: string): string {
  const bytes = parseBytes(storage);
  if (bytes === undefined) throw new Error(`Prometheus storage "${storage}" is not a quantity`);
  return `${Math.floor((bytes * 0.9) / 1024 ** 2)}MB`;
}

/** Every pod the monitoring charts run, as the capacity check counts it. */
export function monitoringPods(s: ObservabilitySettings): { kps: ChartPod[]; loki: ChartPod[]; alloy: ChartPod[] } {
  const node = s.node;
  const reloader = (path: string[]) => ({ resources: SMALL_PODS.configReloader, valuesPath: path });
  return {
    kps: [
      { workload: "prometheus", replicas: 1, node, containers: [{ resources: s.prometheus.resources, valuesPath: ["prometheus", "prometheusSpec", "resources"] }, reloader(["prometheusOperator", "prometheusConfigReloader", "resources"])] },
      { workload: "alertmanager", replicas: 1, node, containers: [{ resources: s.alertmanager.resources, valuesPath: ["alertmanager", "alertmanagerSpec", "resources"] }, reloader(["prometheusOperator", "prometheusConfigReloader", "resources"])] },
      { workload: "grafana", replicas: 1, node, containers: [{ resources: s.grafana.resources, valuesPath: ["grafana", "resources"] }, { resources: SMALL_PODS.grafanaSidecar, valuesPath: ["grafana", "sidecar", "resources"] }] },
      { workload: "prometheus-operator", replicas: 1, node, containers: [{ resources: SMALL_PODS.operator, valuesPath: ["prometheusOperator", "resources"] }] },
      { workload: "kube-state-metrics", replicas: 1, node, containers: [{ resources: SMALL_PODS.kubeStateMetrics, valuesPath: ["kube-state-metrics", "resources"] }] },
      { workload: "node-exporter", replicas: "each-node", containers: [{ resources: SMALL_PODS.nodeExporter, valuesPath: ["prometheus-node-exporter", "resources"] }] },
    ],
    loki: [{ workload: "loki", replicas: 1, node, containers: [{ resources: s.loki.resources, valuesPath: ["singleBinary", "resources"] }] }],
    alloy: [{ workload: "alloy", replicas: 1, node, containers: [{ resources: SMALL_PODS.alloy, valuesPath: ["alloy", "resources"] }] }],
  };
}

/** kube-prometheus-stack's values. */
export function kubePrometheusStackValues(s: ObservabilitySettings, domain: string): Record<string, unknown> {
  const at = pinnedTo(s.node);
  const everything = {} as Record<string, never>;
  return {
    fullnameOverride: KPS_FULLNAME,
    crds: { enabled: true },
    // k3s runs the control plane in one process whose metrics the chart's jobs cannot reach: their
    // default alerts would fire forever.
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeProxy: { enabled: false },
    kubeEtcd: { enabled: false },
    prometheusOperator: {
      resources: chartResources(SMALL_PODS.operator),
      nodeSelector: at,
      prometheusConfigReloader: { resources: chartResources(SMALL_PODS.configReloader) },
    },
    prometheus: {
      prometheusSpec: {
        // Every monitor and rule of the cluster, not only those labelled with this release.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
        serviceMonitorSelector: everything,
        serviceMonitorNamespaceSelector: everything,
        podMonitorSelector: everything,
        podMonitorNamespaceSelector: everything,
        ruleSelector: everything,
        ruleNamespaceSelector: everything,
        scrapeInterval: s.prometheus.scrapeInterval,
        retention: s.prometheus.retention,
        retentionSize: retentionSize(s.prometheus.storage),
        resources: chartResources(s.prometheus.resources),
        nodeSelector: at,
        storageSpec: {
          volumeClaimTemplate: { spec: { storageClassName: LOCAL_PATH, accessModes: ["ReadWriteOnce"], resources: { requests: { storage: s.prometheus.storage } } } },
        },
      },
    },
    alertmanager: {
      alertmanagerSpec: {
        // Our generated Secret (it holds the webhook URL), never a config in the HelmChart's values.
        useExistingSecret: true,
        configSecret: ALERTMANAGER_CONFIG_SECRET,
        resources: chartResources(s.alertmanager.resources),
        nodeSelector: at,
      },
    },
    grafana: {
      fullnameOverride: GRAFANA_SERVICE,
      admin: { existingSecret: GRAFANA_ADMIN_SECRET, userKey: "admin-user", passwordKey: "admin-password" },
      service: { port: GRAFANA_SERVICE_PORT, targetPort: GRAFANA_CONTAINER_PORT, portName: "http-web" },
      resources: chartResources(s.grafana.resources),
      nodeSelector: at,
      "grafana.ini": {
        server: { root_url: `https://${s.grafana.subdomain}.${domain}` },
        analytics: { reporting_enabled: false, check_for_updates: false },
      },
      sidecar: {
        resources: chartResources(SMALL_PODS.grafanaSidecar),
        dashboards: { enabled: true, label: Object.keys(DASHBOARD_LABEL)[0], labelValue: Object.values(DASHBOARD_LABEL)[0], searchNamespace: "ALL" },
      },
      additionalDataSources: [{ name: "Loki", type: "loki", uid: "loki", url: LOKI_URL, access: "proxy" }],
    },
    "kube-state-metrics": {
      resources: chartResources(SMALL_PODS.kubeStateMetrics),
      nodeSelector: at,
      // The labels the alerts join on: backup CronJobs by kind, GPU nodes by role.
      metricLabelsAllowlist: [`cronjobs=[${BACKUP_LABEL}]`, `nodes=[${roleLabel("gpu")}]`],
    },
    "prometheus-node-exporter": {
      resources: chartResources(SMALL_PODS.nodeExporter),
      // The node's name on every node-exporter series, so the memory alert can join kube-state-metrics' allocatable.
      prometheus: { monitor: { relabelings: [{ action: "replace", sourceLabels: ["__meta_kubernetes_pod_node_name"], targetLabel: NODE_LABEL }] } },
    },
  };
}

/** Loki's values: one binary, filesystem storage on a local volume, retention enforced by the compactor. */
export function lokiValues(s: ObservabilitySettings): Record<string, unknown> {
  const off = { enabled: false };
  return {
    deploymentMode: "SingleBinary",
    loki: {
      auth_enabled: false,
      commonConfig: { replication_factor: 1 },
      storage: { type: "filesystem" },
      schemaConfig: { configs: [{ from: "2024-04-01", store: "tsdb", object_store: "filesystem", schema: "v13", index: { prefix: "index_", period: "24h" } }] },
      limits_config: { retention_period: s.loki.retention },
      compactor: { retention_enabled: true, delete_request_store: "filesystem" },
    },
    singleBinary: {
      replicas: 1,
      resources: chartResources(s.loki.resources),
      nodeSelector: pinnedTo(s.node),
      persistence: { enabled: true, size: s.loki.storage, storageClass: LOCAL_PATH },
    },
    backend: { replicas: 0 },
    read: { replicas: 0 },
    write: { replicas: 0 },
    gateway: off,
    chunksCache: off,
    resultsCache: off,
    lokiCanary: off,
    test: off,
    minio: off,
  };
}

/** Alloy's pipeline: every pod's log, read through the Kubernetes API (no host paths), to Loki. */
export function alloyConfig(): string {
  const label = (from: string, to: string) => `  rule {\n    source_labels = ["${from}"]\n    target_label  = "${to}"\n  }`;
  return [
    'discovery.kubernetes "pods" {',
    '  role = "pod"',
    "}",
    "",
    'discovery.relabel "pods" {',
    "  targets = discovery.kubernetes.pods.targets",
    label("__meta_kubernetes_namespace", "namespace"),
    label("__meta_kubernetes_pod_name", "pod"),
    label("__meta_kubernetes_pod_container_name", "container"),
    label("__meta_kubernetes_pod_node_name", "node"),
    label("__meta_kubernetes_pod_label_app_kubernetes_io_name", "app"),
    "}",
    "",
    'loki.source.kubernetes "pods" {',
    "  targets    = discovery.relabel.pods.output",
    "  forward_to = [loki.write.default.receiver]",
    "}",
    "",
    'loki.write "default" {',
    "  endpoint {",
    `    url = "${LOKI_URL}/loki/api/v1/push"`,
    "  }",
    "}",
    "",
  ].join("\n");
}

/** Alloy's values: one collector (a Deployment: it reads logs through the API server, so one is enough). */
export function alloyValues(s: ObservabilitySettings): Record<string, unknown> {
  return {
    controller: { type: "deployment", replicas: 1, nodeSelector: pinnedTo(s.node) },
    alloy: { configMap: { create: true, content: alloyConfig() }, resources: chartResources(SMALL_PODS.alloy) },
  };
}
