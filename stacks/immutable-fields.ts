// A StatefulSet's volumeClaimTemplates cannot be changed in place: Kubernetes refuses the update, and
// Pulumi would plan a delete-and-replace of the StatefulSet. (The stateful resources are protected, so
// that replace would fail half-way through a `pulumi up`.) This module compares the volume templates
// of the last deployment (the stack's `volumeTemplates` output) with the planned ones and turns every
// change into a validation problem naming the field and the safe procedure, before anything is created.
// Pure: no Pulumi, no config reading.
import { LOCAL_PATH, WorkloadSpec } from "../components/kit";
import type { Problem } from "../components/kit/problems";

export interface VolumeTemplate {
  /** The claim template's name; each pod's claim is `<name>-<statefulset>-<ordinal>`. */
  readonly name: string;
  readonly size: string;
  readonly storageClass: string;
}

/** StatefulSet name → its volume templates, in spec order. The shape of the `volumeTemplates` stack output. */
export type VolumeTemplates = Readonly<Record<string, readonly VolumeTemplate[]>>;

/** The volume templates the planned workloads will have. */
export function volumeTemplatesOf(specs: readonly WorkloadSpec[]): Record<string, VolumeTemplate[]> {
  const out: Record<string, VolumeTemplate[]> = {};
  for (const s of specs) {
    if (s.kind !== "StatefulSet" || !s.volumeClaims?.length) continue;
    out[s.identity.name] = s.volumeClaims.map((v) => ({ name: v.name, size: v.size, storageClass: v.storageClass ?? LOCAL_PATH }));
  }
  return out;
}

export interface TemplateContext {
  /** The namespace the StatefulSets live in (for the commands in the fix). */
  readonly namespace: string;
  /** StatefulSet name → the config path of its settings, e.g. "homelab:workloads.postgres". */
  readonly paths: Readonly<Record<string, string>>;
  /**
   * StatefulSets whose template change the user declares done by the safe procedure (the config key
   * `<path>.acceptVolumeTemplateChange: true`, for one `pulumi up`). Default none.
   */
  readonly accepted?: ReadonlySet<string>;
}

/** The config key that declares a volume template change done by the safe procedure. */
export const ACCEPT_KEY = "acceptVolumeTemplateChange";

/** Reads a previous output defensively: anything malformed counts as "unknown" (no check), never as a change. */
export function parseVolumeTemplates(value: unknown): VolumeTemplates | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const out: Record<string, VolumeTemplate[]> = {};
  for (const [k, list] of Object.entries(value as Record<string, unknown>)) {
    if (!Array.isArray(list)) return undefined;
    const ok = list.every((t) => t && typeof t.name === "string" && typeof t.size === "string" && typeof t.storageClass === "string");
    if (!ok) return undefined;
    out[k] = list.map((t) => ({ name: t.name, size: t.size, storageClass: t.storageClass }));
  }
  return out;
}

/**
 * Every difference between the last deployed and the planned volume templates of a StatefulSet that
 * exists in both. A StatefulSet that is new, or no longer planned, is not a template change (removal
 * is stopped by the resource's protection).
 */
export function volumeTemplateProblems(previous: VolumeTemplates | undefined, planned: VolumeTemplates, ctx: TemplateContext): Problem[] {
  if (!previous) return [];
  const problems: Problem[] = [];
  for (const [sts, now] of Object.entries(planned)) {
    const before = previous[sts];
    if (!before || ctx.accepted?.has(sts)) continue;
    const path = ctx.paths[sts] ?? `StatefulSet ${sts}`;
    // Recreating only the StatefulSet object keeps its pods running and its claims, which the new
    // object adopts by name. The resource is protected, so Pulumi's replace needs the unprotect step.
    const recreate =
      `(1) kubectl -n ${ctx.namespace} delete statefulset ${sts} --cascade=orphan (pods and volumes keep running); ` +
      `(2) pulumi state unprotect the StatefulSet's URN (pulumi stack --show-urns | grep 'StatefulSet::${sts}'); ` +
      `(3) set ${path}.${ACCEPT_KEY}: true and pulumi up (the new StatefulSet adopts the pods and claims by name); (4) remove ${ACCEPT_KEY}`;
    for (const b of before) {
      const n = now.find((t) => t.name === b.name);
      if (!n) {
        problems.push({
          path,
          message: `${sts}'s volume template "${b.name}" was removed or renamed (now: ${now.map((t) => t.name).join(", ") || "none"}); the StatefulSet would be replaced and its pods started on new, empty volumes`,
          fix: `keep the volume template "${b.name}"; to move the data to other volumes, back it up, deploy the new layout under a new workload name, restore into it, then retire ${sts}`,
        });
        continue;
      }
      if (n.storageClass !== b.storageClass) {
        problems.push({
          path,
          message: `${sts}'s volume template "${b.name}" changes storage class from ${b.storageClass} to ${n.storageClass}; volumeClaimTemplates cannot change, and the existing claims would stay on ${b.storageClass}`,
          fix: `keep storage class ${b.storageClass}; to move the data, back it up, deploy a new workload on ${n.storageClass}, restore into it, then retire ${sts}`,
        });
      }
      if (n.size !== b.size) {
        const localPath = b.storageClass === LOCAL_PATH;
        problems.push({
          path: `${path}.storage`,
          message: `${sts}'s volume template "${b.name}" changes size from ${b.size} to ${n.size}; volumeClaimTemplates cannot change in place, so the StatefulSet would be deleted and replaced`,
          fix: localPath
            ? `set ${path}.storage back to ${b.size}: local-path does not enforce sizes, the volume can already use the node's free disk. To record the new size anyway: ${recreate}`
            : `set ${path}.storage back to ${b.size}. To grow: if storage class ${b.storageClass} allows expansion, patch each claim (kubectl -n ${ctx.namespace} patch pvc ${b.name}-${sts}-<n> -p '{"spec":{"resources":{"requests":{"storage":"${n.size}"}}}}'), then ${recreate}`,
        });
      }
    }
    for (const n of now) {
      if (!before.some((b) => b.name === n.name)) {
        problems.push({
          path,
          message: `${sts} gains a volume template "${n.name}"; volumeClaimTemplates cannot change, so the StatefulSet would be deleted and replaced`,
          fix: `add it by recreating the StatefulSet object only: ${recreate}`,
        });
      }
    }
  }
  return problems;
}

/** An acceptance left in the config after its `pulumi up` has no effect: say so, like a stale migrateFrom. */
export function staleAcceptanceWarnings(previous: VolumeTemplates | undefined, planned: VolumeTemplates, ctx: TemplateContext): string[] {
  const out: string[] = [];
  for (const sts of [...(ctx.accepted ?? [])].sort()) {
    const changed = volumeTemplateProblems(previous, { [sts]: planned[sts] ?? [] }, { ...ctx, accepted: undefined }).length > 0;
    if (!changed) out.push(`${ctx.paths[sts] ?? `StatefulSet ${sts}`}.${ACCEPT_KEY} has no effect (${sts}'s volume templates match the last deployment); remove it`);
  }
  return out;
}
