// `homelab:observability`: the monitoring stack as the capacity check sees it (its charts' pods on
// our nodes) and its cross-field rules (its node exists; a receiver is set, or render says alerts go
// nowhere). The component gets its args here too.
import * as pulumi from "@pulumi/pulumi";
import { ChartPod, chartPodFootprint } from "../components/kit";
import type { Problems } from "../components/kit/problems";
import { NO_RECEIVER_WARNING, ObservabilityArgs, monitoringPods } from "../components/observability";
import type { RouteDefaults } from "../components/kit";
import type { StackConfig } from "./config";
import type { PodGroup } from "./schedule";
import { key } from "./schema";

const PATH = key("observability");
export const ALERT_WEBHOOK_KEY = "alertWebhookUrl";

/** A chart pod as the scheduler sees it: pinned pods on their node, a DaemonSet's on every node. */
export function chartPodGroup(p: ChartPod, nodes: readonly string[]): PodGroup {
  const f = chartPodFootprint(p);
  const each = p.replicas === "each-node";
  return {
    workload: p.workload,
    replicas: each ? nodes.length : (p.replicas as number),
    eligible: p.node ? [p.node] : [...nodes],
    spread: each ? "required" : "none",
    ...f,
  };
}

/** Every pod the monitoring charts run (none when observability is off: the CRDs chart runs nothing). */
export function observabilityChartPods(cfg: StackConfig): ChartPod[] {
  if (!cfg.observability.enabled) return [];
  const p = monitoringPods(cfg.observability);
  return [...p.kps, ...p.loki, ...p.alloy];
}

/** The settings that size a chart pod (capacity messages append ".resources"); the small fixed ones have none of their own. */
const SIZED_BY: Readonly<Record<string, string>> = { prometheus: "prometheus", alertmanager: "alertmanager", grafana: "grafana", loki: "loki" };

export function observabilityPodGroups(cfg: StackConfig): { group: PodGroup; path: string }[] {
  const nodes = cfg.nodes.map((n) => n.name);
  return observabilityChartPods(cfg).map((p) => ({ group: chartPodGroup(p, nodes), path: SIZED_BY[p.workload] ? `${PATH}.${SIZED_BY[p.workload]}` : PATH }));
}

export function validateObservability(cfg: StackConfig, problems: Problems, warnings: string[]): void {
  const o = cfg.observability;
  if (!o.enabled) {
    warnings.push(`${PATH}.enabled is false: nothing is scraped and no alert can fire`);
    return;
  }
  if (!cfg.nodes.some((n) => n.name === o.node)) {
    problems.add(`${PATH}.node`, `node "${o.node}" is not in ${key("nodes")} (nodes: ${cfg.nodes.map((n) => n.name).join(", ")})`, "name one of the stack's nodes, or leave it out (default: the first compute node)");
  }
  if (!cfg.secretsPresent.includes(ALERT_WEBHOOK_KEY)) warnings.push(NO_RECEIVER_WARNING);
}

export function observabilityArgs(cfg: StackConfig, secrets: Readonly<Record<string, pulumi.Output<string>>>, routes: RouteDefaults, crdsReady: readonly pulumi.Resource[]): ObservabilityArgs {
  return { settings: cfg.observability, domain: cfg.domain, webhookUrl: secrets[ALERT_WEBHOOK_KEY], routes, headers: cfg.ingress.headers, crdsReady };
}
