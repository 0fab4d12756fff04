// `homelab:workloads.qdrant`: Qdrant's settings, defaults and docs.
import { z } from "zod";
import { says } from "../../kit/formats";
import { qdrantBackupSettings } from "../backup/settings";
import { StackView, firstWithRole, storageSetting, workloadSettings } from "../../kit/settings";

export const qdrantSettings = workloadSettings(
  { cpu: "200m", memory: "512Mi", memoryLimit: "2Gi" },
  {
    replicas: z
      .literal(1, { error: () => says("Qdrant runs as a single pinned replica here", "remove replicas (distributed Qdrant is not supported yet)") })
      .default(1)
      .describe("always 1: a single pinned replica"),
    storage: storageSetting("10Gi"),
    backup: qdrantBackupSettings,
  },
)
  .prefault({})
  .describe("Qdrant vector database: one pinned replica with a local volume");

/** Qdrant's settings with the stack-dependent defaults filled in. */
export type QdrantSettings = ReturnType<typeof resolveQdrant>;

export function resolveQdrant(s: z.output<typeof qdrantSettings>, view: StackView) {
  // The local volume lives where the pod first ran: default to the first service node, and keep it there.
  return { ...s, node: s.node ?? firstWithRole(view, "service") ?? "" };
}
