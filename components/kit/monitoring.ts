// Scraping by construction: a workload that declares a metrics endpoint (WorkloadSpec.metrics) gets
// exactly one PodMonitor selecting its pods by the same selector labels as everything else, on the
// declared container port, and one allow from Prometheus's pods to that port (the namespace denies
// ingress by default). Nobody writes a monitor by hand, so a new service is scraped the moment it
// declares its endpoint. Prometheus (components/observability) selects every monitor of the cluster.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppIdentity, appLabels } from "./labels";
import type { SecretKeyRef } from "./container";
import { PodGroup, emitAllow, policyName } from "./network";

/** Where the monitoring stack runs (kube-prometheus-stack, Loki, Alloy, Grafana). */
export const MONITORING_NAMESPACE = "monitoring";
/** Labels the Prometheus Operator puts on every Prometheus server pod it runs. */
export const PROMETHEUS_POD_LABELS: Readonly<Record<string, string>> = { "app.kubernetes.io/name": "prometheus" };
/** Prometheus's pods: the source of every metrics allow. */
export const PROMETHEUS_PODS: PodGroup = { namespace: MONITORING_NAMESPACE, podSelector: PROMETHEUS_POD_LABELS };
/** On a workload that serves metrics: the container port names it serves them on, comma-separated (checks find its monitor by them). */
export const METRICS_PORT_ANNOTATION = "homelab.pesulabs.net/metrics-port";
/** On a monitor of pods a chart runs (k3s's Traefik, cert-manager): the render holds no workload for it to select. */
export const MONITORS_CHART_ANNOTATION = "homelab.pesulabs.net/monitors-chart";
/** CRDs the monitors and rules need; kube-prometheus-stack installs them (asynchronously, through k3s's helm controller). */
export const MONITORING_CRDS = ["podmonitors.monitoring.coreos.com", "servicemonitors.monitoring.coreos.com", "prometheusrules.monitoring.coreos.com"] as const;
/** Default scrape interval of the generated monitors. */
export const DEFAULT_SCRAPE_INTERVAL = "30s";

export interface MonitorArgs {
  /** Names the PodMonitor; a DNS label, unique in its namespace. */
  readonly name: string;
  readonly namespace: string;
  /** The pods to scrape (their selector labels). */
  readonly podSelector: Readonly<Record<string, string>>;
  /** One or more endpoints on the same pods (e.g. Patroni's API and a postgres exporter sidecar). */
  readonly endpoints: readonly ScrapeEndpoint[];
  /** Default DEFAULT_SCRAPE_INTERVAL. */
  readonly interval?: string;
  readonly identity: AppIdentity;
  /** The chart whose pods it scrapes, when they are not a workload of the program (e.g. "traefik"). Default none. */
  readonly chart?: string;
}

export interface ScrapeEndpoint {
  /** Container port name. */
  readonly port: string;
  /** Default "/metrics". */
  readonly path?: string;
  /** A bearer token the endpoint requires, from a Secret in the monitor's namespace. */
  readonly bearerToken?: SecretKeyRef;
}

/** The PodMonitor's spec (monitoring.coreos.com/v1). Pure: the integration test scrapes with these settings. */
export function podMonitorSpec(a: MonitorArgs): Record<string, unknown> {
  if (Object.keys(a.podSelector).length === 0) throw new Error(`monitor ${a.name}: the pod selector is empty (it would scrape every pod of ${a.namespace})`);
  if (a.endpoints.length === 0) throw new Error(`monitor ${a.name}: no endpoints`);
  const seen = new Set<string>();
  return {
    selector: { matchLabels: { ...a.podSelector } },
    namespaceSelector: { matchNames: [a.namespace] },
    podMetricsEndpoints: a.endpoints.map((e) => {
      const path = e.path ?? "/metrics";
      if (!path.startsWith("/")) throw new Error(`monitor ${a.name}: metrics path "${path}" must start with /`);
      if (seen.has(e.port)) throw new Error(`monitor ${a.name}: port "${e.port}" is scraped twice`);
      seen.add(e.port);
      return {
        port: e.port,
        path,
        interval: a.interval ?? DEFAULT_SCRAPE_INTERVAL,
        scheme: "http",
        ...(e.bearerToken ? { authorization: { type: "Bearer", credentials: { name: e.bearerToken.secretName, key: e.bearerToken.key } } } : {}),
      };
    }),
  };
}

/** Creates the PodMonitor. */
export function emitMonitor(parent: pulumi.Resource, a: MonitorArgs, opts: pulumi.CustomResourceOptions = {}): k8s.apiextensions.CustomResource {
  return new k8s.apiextensions.CustomResource(`${a.namespace}-${a.name}-metrics`, {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PodMonitor",
    metadata: { name: a.name, namespace: a.namespace, labels: appLabels(a.identity), ...(a.chart ? { annotations: { [MONITORS_CHART_ANNOTATION]: a.chart } } : {}) },
    spec: podMonitorSpec(a),
  }, { parent, ...opts });
}

/** The monitor of a workload and the allow that lets Prometheus reach its metrics port. */
export function emitScrape(
  parent: pulumi.Resource,
  a: MonitorArgs & { readonly containerPorts: readonly number[] },
  opts: pulumi.CustomResourceOptions = {},
): { monitor: k8s.apiextensions.CustomResource; policy: k8s.networking.v1.NetworkPolicy } {
  const policy = emitAllow(parent, {
    name: policyName(a.name, "metrics"),
    reason: "metrics",
    from: PROMETHEUS_PODS,
    to: { namespace: a.namespace, podSelector: a.podSelector },
    ports: [...new Set(a.containerPorts)].sort((x, y) => x - y).map((port) => ({ port })),
    identity: a.identity,
  }, opts);
  const monitor = emitMonitor(parent, a, opts);
  return { monitor, policy };
}
