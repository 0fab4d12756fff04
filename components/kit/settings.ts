// Building blocks of settings schemas that every workload shares: resources, and the common
// workload keys (enabled, replicas, node, storage, migrateFrom). A service's settings.ts composes them.
import { z } from "zod";
import type { ResourceSpec } from "./container";
import type { NodeRole } from "./placement";
import { bytesQuantity, cpuQuantity, intBetween, nodeName, says } from "./formats";
import { parseBytes } from "./quantity";
import { isPinnedTag } from "./images";

/** `resources:` with the service's defaults; a memory limit below the request is refused. */
export function resourcesSettings(d: ResourceSpec) {
  return z
    .strictObject({
      cpu: cpuQuantity.prefault(d.cpu).describe(`CPU request (default ${d.cpu})`),
      memory: bytesQuantity.prefault(d.memory).describe(`memory request (default ${d.memory})`),
      memoryLimit: bytesQuantity.prefault(d.memoryLimit).describe(`memory limit (default ${d.memoryLimit})`),
      cpuLimit: (d.cpuLimit === undefined ? cpuQuantity.optional() : cpuQuantity.prefault(d.cpuLimit)).describe(`CPU limit (default ${d.cpuLimit ?? "none: CPU is compressible"})`),
    })
    .superRefine((r, ctx) => {
      const mem = parseBytes(r.memory);
      const lim = parseBytes(r.memoryLimit);
      if (mem !== undefined && lim !== undefined && lim < mem) {
        ctx.addIssue({ code: "custom", path: ["memoryLimit"], message: says(`limit ${r.memoryLimit} is below the request ${r.memory}`, "raise memoryLimit to at least memory") });
      }
    })
    .prefault({})
    .describe("requests and limits of the main container");
}

/** Per-replica volume size with its default. */
export function storageSetting(size: string) {
  return bytesQuantity.prefault(size).describe(`volume size per replica (default ${size})`);
}

/** The keys every workload has, with its resource defaults; `own` adds (or overrides) the service's keys. */
export function workloadSettings<T extends z.ZodRawShape>(resources: ResourceSpec, own: T) {
  const common = {
    enabled: z.boolean().default(true).describe("run it (default true)"),
    replicas: intBetween(1, 15).optional().describe("pod count (default depends on the service)"),
    node: nodeName.optional().describe("the node a pinned workload runs on (default: the first node with its role)"),
    resources: resourcesSettings(resources),
    acceptVolumeTemplateChange: z
      .boolean()
      .default(false)
      .describe("for one pulumi up after the safe procedure: accept a changed volume template (size, class) of this StatefulSet (README: Stateful data and config changes)"),
    migrateFrom: nodeName.optional().describe("declare that you copied the local volume from that node, so the workload may move (README: Moving a stateful workload)"),
  };
  return z.strictObject({ ...common, ...own });
}

/** What a service's settings may look at when their defaults depend on the rest of the stack. */
export interface StackView {
  readonly domain: string;
  readonly namespace: string;
  readonly nodes: readonly { readonly name: string; readonly roles: readonly NodeRole[] }[];
}

/** The first node with a role: the default home of pinned workloads of that role. */
export function firstWithRole(view: StackView, role: NodeRole): string | undefined {
  return view.nodes.find((n) => n.roles.includes(role))?.name;
}

/** An image reference from config, split; undefined when it has no tag. */
export function parseImageReference(ref: string): { repository: string; tag: string; digest?: string } | undefined {
  const m = /^([a-z0-9][a-z0-9._\-/:]*[a-z0-9])(?::([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))(@sha256:[0-9a-f]{64})?$/.exec(ref);
  if (!m || m[1].split("/").pop()!.includes(":")) return undefined;
  return { repository: m[1], tag: m[2], ...(m[3] ? { digest: m[3].slice(1) } : {}) };
}

/**
 * A container image given in the stack file (an application of the user's own), `repository:tag`
 * with an optional `@sha256:…` digest: a version tag is required, `latest` or no tag is refused.
 */
export function pinnedImageSetting(example: string) {
  return z.string().transform((ref, ctx) => {
    const r = parseImageReference(ref);
    if (!r) {
      ctx.addIssue({ code: "custom", message: says(`"${ref}" has no tag`, `pin a version tag, e.g. ${example}`) });
      return z.NEVER;
    }
    if (!isPinnedTag(r.tag)) {
      ctx.addIssue({ code: "custom", message: says(`tag "${r.tag}" of ${r.repository} is not a pinned version (it can change under a running deploy)`, `pin a version tag, e.g. ${example}`) });
      return z.NEVER;
    }
    return r;
  });
}
