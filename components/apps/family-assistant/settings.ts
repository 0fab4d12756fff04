// `homelab:workloads.familyAssistant`: the Family Assistant's settings (the user's own app), defaults and docs.
import { z } from "zod";
import { cidr, intBetween, nodeName, port, says } from "../../kit/formats";
import { NODE_PORT_RANGE } from "../../kit/workload";
import { StackView, pinnedImageSetting, resourcesSettings, workloadSettings } from "../../kit/settings";

const frontend = z
  .strictObject({
    image: pinnedImageSetting("ghcr.io/you/family-assistant-frontend:1.4.2").describe("the web frontend's image, repository:tag (a version tag is required)"),
    port: port.default(3000).describe("the port the frontend container listens on (default 3000)"),
    healthPath: z.string().regex(/^\/[^\s]*$/, { error: () => says("must be a path starting with /", "e.g. / or /healthz") }).default("/").describe("HTTP path answering 200 when the frontend is up (default /)"),
    resources: resourcesSettings({ cpu: "50m", memory: "64Mi", memoryLimit: "256Mi" }),
  })
  .optional()
  .describe("optional web frontend: served at family-assistant.<domain>, the backend then at family-assistant-api.<domain>");

export const familyAssistantSettings = workloadSettings(
  { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" },
  {
    enabled: z.boolean().default(false).describe("run it (default false; needs family_assistant in homelab:workloads.postgres.databases and backend.image)"),
    replicas: intBetween(1, 10).default(1).describe("backend (and frontend) pods (default 1)"),
    node: nodeName.optional().describe("pin the pods to this compute node (default: any compute node, spread preferred)"),
    backend: z
      .strictObject({
        image: pinnedImageSetting("ghcr.io/you/family-assistant-backend:1.4.2").describe("the FastAPI backend's image, repository:tag (a version tag is required)"),
      })
      .optional()
      .describe("the backend (required when enabled): container port 8001, GET /health"),
    frontend,
    runAsUser: intBetween(1, 2147483647).default(1000).describe("UID the app's containers run as (default 1000; never root)"),
    nodePort: intBetween(NODE_PORT_RANGE.min, NODE_PORT_RANGE.max)
      .optional()
      .describe(`a NodePort for the backend (${NODE_PORT_RANGE.min}–${NODE_PORT_RANGE.max}), e.g. 30801 for access over Tailscale without the ingress (default none)`),
    nodePortFrom: z.array(cidr).min(1).default(["100.64.0.0/10"]).describe("client CIDRs allowed on the NodePort (default the tailnet, 100.64.0.0/10)"),
  },
)
  .superRefine((s, ctx) => {
    if (s.enabled && !s.backend) {
      ctx.addIssue({ code: "custom", path: ["backend", "image"], message: says("is required when the Family Assistant is enabled", "set backend.image to your backend's repository:version, e.g. ghcr.io/you/family-assistant-backend:1.4.2") });
    }
  })
  .prefault({})
  .describe("the Family Assistant (your own app): FastAPI backend, optional frontend, on the compute nodes");

export type FamilyAssistantSettings = ReturnType<typeof resolveFamilyAssistant>;

export function resolveFamilyAssistant(s: z.output<typeof familyAssistantSettings>, _view: StackView) {
  return s;
}
