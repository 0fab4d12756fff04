// What the monitoring stack's cross-field rules tell a homelab user, word for word: its node must be
// one of the stack's nodes, and without an alert receiver render warns that alerts notify nobody.
import { Problem, Problems } from "../../stacks";
import { ALERT_WEBHOOK_KEY, validateObservability } from "../../stacks/observability";
import { Raw, parsedConfig } from "../lib/stack-config";

const NO_RECEIVER =
  'homelab:alertWebhookUrl is not set: alerts fire in Alertmanager and Grafana but notify nobody (set it: read -rs URL && printf %s "$URL" | pulumi config set --secret homelab:alertWebhookUrl && unset URL)';

function stack(observability: Raw): Raw {
  return {
    domain: "lab.test",
    cluster: { mode: "k3s" },
    nodes: [
      { name: "alpha", roles: ["service"], k3s: "server", cpu: "4", memory: "8Gi", address: "10.0.0.1" },
      { name: "beta", roles: ["compute"], k3s: "agent", cpu: "4", memory: "16Gi", address: "10.0.0.2" },
    ],
    ingress: { certificates: { issuer: "selfsigned" } },
    workloads: { postgres: { enabled: false }, qdrant: { enabled: false } },
    observability,
  };
}

function check(raw: Raw, secrets: string[]): { problems: Problem[]; warnings: string[] } {
  const problems = new Problems();
  const warnings: string[] = [];
  validateObservability(parsedConfig(raw, secrets), problems, warnings);
  return { problems: problems.list, warnings };
}

describe("validateObservability", () => {
  it("the secret key of the alert receiver is alertWebhookUrl", () => {
    expect(ALERT_WEBHOOK_KEY).toBe("alertWebhookUrl");
  });

  it("a node that is not in the stack is refused, listing the stack's nodes separated by commas", () => {
    expect(check(stack({ enabled: true, node: "gamma" }), ["alertWebhookUrl"])).toStrictEqual({
      problems: [
        {
          path: "homelab:observability.node",
          message: 'node "gamma" is not in homelab:nodes (nodes: alpha, beta)',
          fix: "name one of the stack's nodes, or leave it out (default: the first compute node)",
        },
      ],
      warnings: [],
    });
  });

  it("with the alert webhook set and a known node there is nothing to say", () => {
    expect(check(stack({ enabled: true, node: "alpha" }), ["alertWebhookUrl"])).toStrictEqual({ problems: [], warnings: [] });
  });

  it("without the alert webhook, render warns that alerts notify nobody and how to set it", () => {
    expect(check(stack({ enabled: true }), ["sshPrivateKey"])).toStrictEqual({ problems: [], warnings: [NO_RECEIVER] });
  });

  it("monitoring off is only a warning, whatever its node", () => {
    expect(check(stack({ enabled: false, node: "gamma" }), [])).toStrictEqual({
      problems: [],
      warnings: ["homelab:observability.enabled is false: nothing is scraped and no alert can fire"],
    });
  });
});
