// `homelab:workloads.redis`: Redis's settings, defaults and docs.
import { z } from "zod";
import { says } from "../../kit/formats";
import { StackView, firstWithRole, storageSetting, workloadSettings } from "../../kit/settings";

export const redisSettings = workloadSettings(
  { cpu: "100m", memory: "128Mi", memoryLimit: "512Mi" },
  {
    enabled: z.boolean().default(false).describe("run it (default false)"),
    replicas: z
      .literal(1, { error: () => says("Redis runs as a single pinned replica here", "remove replicas (Redis replication/Sentinel is not supported yet)") })
      .default(1)
      .describe("always 1: a single pinned replica with an append-only file"),
    storage: storageSetting("2Gi"),
  },
)
  .prefault({})
  .describe("Redis: one pinned replica, password from a generated config file, append-only persistence, a metrics exporter");

export type RedisSettings = ReturnType<typeof resolveRedis>;

export function resolveRedis(s: z.output<typeof redisSettings>, view: StackView) {
  // A service-node data store: its volume stays where the pod first ran.
  return { ...s, node: s.node ?? firstWithRole(view, "service") ?? "" };
}
