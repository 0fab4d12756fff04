// `homelab:observability`: the monitoring stack's settings, defaults and docs — where it runs, how
// long it keeps metrics and logs, and the alert thresholds (each alert maps one outage the seed
// reports found by hand; README "Alerts").
import { z } from "zod";
import { bytesQuantity, intBetween, nodeName, promDuration, says, subdomainLabel } from "../kit/formats";
import { StackView, firstWithRole, resourcesSettings } from "../kit/settings";
import { parseBytes } from "../kit/quantity";

const prometheus = z
  .strictObject({
    retention: promDuration.default("15d").describe("how long Prometheus keeps metrics (default 15d)"),
    storage: bytesQuantity.prefault("20Gi").describe("Prometheus's volume (default 20Gi); it also stops keeping data at 90% of it"),
    scrapeInterval: promDuration.default("30s").describe("how often every target is scraped (default 30s)"),
    resources: resourcesSettings({ cpu: "200m", memory: "1Gi", memoryLimit: "2Gi" }),
  })
  .prefault({})
  .describe("Prometheus server");

const loki = z
  .strictObject({
    retention: promDuration.default("168h").describe("how long Loki keeps logs (default 168h, a week)"),
    storage: bytesQuantity.prefault("10Gi").describe("Loki's volume (default 10Gi)"),
    resources: resourcesSettings({ cpu: "100m", memory: "256Mi", memoryLimit: "1Gi" }),
  })
  .prefault({})
  .describe("Loki (single binary, filesystem storage)");

const grafana = z
  .strictObject({
    subdomain: subdomainLabel.default("grafana").describe("Grafana is served at <subdomain>.<domain> (default grafana)"),
    resources: resourcesSettings({ cpu: "50m", memory: "192Mi", memoryLimit: "512Mi" }),
  })
  .prefault({})
  .describe("Grafana (user admin, generated password in the Secret grafana-admin)");

const alerts = z
  .strictObject({
    nodeMemoryPercent: intBetween(50, 99).default(85).describe("alert when a node's used memory passes this share of its memory (default 85)"),
    pvcPercent: intBetween(50, 99).default(80).describe("alert when a volume is fuller than this (default 80)"),
    restartsPerHour: intBetween(1, 100).default(3).describe("alert when a container restarts this often within an hour (default 3)"),
    endpointsDownMinutes: intBetween(1, 60).default(2).describe("alert when a Service has had no ready endpoint this long (default 2)"),
    pendingMinutes: intBetween(1, 120).default(5).describe("alert when a stateful pod has been Pending this long (default 5)"),
    backupMaxAgeHours: intBetween(2, 24 * 14).default(26).describe("alert when the newest successful backup of a kind is older than this (default 26)"),
    certificateDays: intBetween(1, 60).default(14).describe("alert when a certificate expires within this many days (default 14)"),
    replicationLagBytes: bytesQuantity.prefault("16Mi").describe("alert when a PostgreSQL replica lags the primary by more than this (default 16Mi)"),
  })
  .prefault({})
  .describe("alert thresholds (README: Alerts)");

export const observabilitySettings = z
  .strictObject({
    enabled: z.boolean().default(true).describe("run the monitoring stack (default true)"),
    node: nodeName.optional().describe("node for Prometheus, Alertmanager, Grafana, Loki and Alloy (default: the first compute node, else the first service node); their volumes live there"),
    prometheus,
    alertmanager: z.strictObject({ resources: resourcesSettings({ cpu: "10m", memory: "64Mi", memoryLimit: "128Mi" }) }).prefault({}).describe("Alertmanager"),
    loki,
    grafana,
    alerts,
  })
  .superRefine((s, ctx) => {
    const storage = parseBytes(s.prometheus.storage);
    if (storage !== undefined && storage < 2 * 1024 ** 3) {
      ctx.addIssue({ code: "custom", path: ["prometheus", "storage"], message: says(`${s.prometheus.storage} is too small for Prometheus's write-ahead log and a day of samples`, "use at least 2Gi") });
    }
  })
  .prefault({})
  .describe("monitoring: Prometheus, Alertmanager, Grafana, Loki, Alloy and the platform's alerts");

export type ObservabilitySettings = ReturnType<typeof resolveObservability>;

export function resolveObservability(s: z.output<typeof observabilitySettings>, view: StackView) {
  // Heavy and stateful: the compute node by default (the service node of a small home lab is the tight one).
  return { ...s, node: s.node ?? firstWithRole(view, "compute") ?? firstWithRole(view, "service") ?? view.nodes[0]?.name ?? "" };
}
