// Alertmanager's configuration (alertmanager.yaml), generated: one route to one receiver from the
// stack's config (a webhook URL kept as a Pulumi secret: ntfy, a chat webhook, …). Without one the
// alerts still show in Alertmanager and Grafana, but nobody is told: render warns so.
export const NULL_RECEIVER = "null";
export const WEBHOOK_RECEIVER = "webhook";

export interface AlertmanagerConfigArgs {
  /** Where notifications go (a secret); undefined: nowhere. */
  readonly webhookUrl?: string;
}

export function alertmanagerConfig(a: AlertmanagerConfigArgs): Record<string, unknown> {
  const receiver = a.webhookUrl ? WEBHOOK_RECEIVER : NULL_RECEIVER;
  return {
    route: {
      receiver,
      group_by: ["alertname", "namespace"],
      group_wait: "30s",
      group_interval: "5m",
      repeat_interval: "4h",
      // The chart's always-firing heartbeat proves the pipeline works; it is not news.
      routes: [{ receiver: NULL_RECEIVER, matchers: ['alertname = "Watchdog"'] }],
    },
    // A critical alert silences the warnings of the same alert and namespace.
    inhibit_rules: [{ source_matchers: ['severity = "critical"'], target_matchers: ['severity = "warning"'], equal: ["alertname", "namespace"] }],
    receivers: [
      { name: NULL_RECEIVER },
      ...(a.webhookUrl ? [{ name: WEBHOOK_RECEIVER, webhook_configs: [{ url: a.webhookUrl, send_resolved: true }] }] : []),
    ],
  };
}

/** The render warning when no receiver is configured. */
export const NO_RECEIVER_WARNING =
  "homelab:alertWebhookUrl is not set: alerts fire in Alertmanager and Grafana but notify nobody (set it: read -rs URL && printf %s \"$URL\" | pulumi config set --secret homelab:alertWebhookUrl && unset URL)";
