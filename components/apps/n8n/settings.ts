// `homelab:workloads.n8n`: n8n's settings, defaults and docs.
import { z } from "zod";
import { says } from "../../kit/formats";
import { StackView, firstWithRole, resourcesSettings, storageSetting, workloadSettings } from "../../kit/settings";

export const n8nSettings = workloadSettings(
  { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" },
  {
    enabled: z.boolean().default(false).describe("run it (default false; needs n8n in homelab:workloads.postgres.databases)"),
    replicas: z
      .literal(1, { error: () => says("n8n runs one main instance here", "remove replicas (queue mode with workers is not supported yet)") })
      .default(1)
      .describe("always 1: one main instance (queue mode with workers is not built)"),
    storage: storageSetting("5Gi"),
    runners: resourcesSettings({ cpu: "100m", memory: "128Mi", memoryLimit: "512Mi" }).describe("requests and limits of the task-runner sidecar (Code node JavaScript/Python)"),
  },
)
  .prefault({})
  .describe("n8n workflow automation on PostgreSQL, with external task runners, on a compute node");

export type N8nSettings = ReturnType<typeof resolveN8n>;

export function resolveN8n(s: z.output<typeof n8nSettings>, view: StackView) {
  // Its data volume lives where the pod first ran: default to the first compute node, and keep it there.
  return { ...s, node: s.node ?? firstWithRole(view, "compute") ?? "" };
}
