// Rules on how the program registers Kubernetes objects, not on the objects themselves: the resource
// options `protect` and `customTimeouts` the engine receives with each one. An offline render records
// them (resources.json `options`); a policy pack reads them from each resource's `opts`.
import { id } from "./manifest";
import type { Manifest } from "./manifest";

/** A Kubernetes object with the options it was registered with. */
export interface Registered {
  readonly manifest: Manifest;
  readonly protect: boolean;
  /** The create timeout the engine got, in seconds; undefined: the provider's default. */
  readonly createTimeoutSeconds?: number;
}

/** The Kubernetes provider's own await timeout (its documented default: 10 minutes). */
export const PROVIDER_DEFAULT_TIMEOUT_SECONDS = 600;

/** What a cold image pull may take on a home connection: stated here, not read from the program. */
export const IMAGE_PULL_SECONDS = 600;

/** Deleting or replacing a StatefulSet with volumes, or the namespace holding its claims, loses data: both are protected. */
export function statefulDataProtected(rs: readonly Registered[]): string[] {
  const problems: string[] = [];
  for (const r of rs.filter((x) => x.manifest.kind === "StatefulSet" && (x.manifest.spec?.volumeClaimTemplates ?? []).length > 0)) {
    if (!r.protect) problems.push(`${id(r.manifest)} holds volumes but is not protected (a config change could delete or replace it)`);
    // Deleting the namespace deletes the claims: when the program owns it, it is protected too.
    const ns = rs.find((x) => x.manifest.kind === "Namespace" && x.manifest.metadata?.name === r.manifest.metadata?.namespace);
    if (ns && !ns.protect) problems.push(`${id(ns.manifest)} holds the volumes of ${id(r.manifest)} but is not protected`);
  }
  return problems;
}

/** How long probes may take to pass once a container started: startup window, then readiness. */
function window(p: any): number {
  return p ? (p.initialDelaySeconds ?? 0) + (p.periodSeconds ?? 10) * (p.failureThreshold ?? 3) : 0;
}

/**
 * The deploy waits long enough for a cold start: a StatefulSet's members start one after another
 * (OrderedReady), each pulling its image and passing its probes; a Job has a deadline and the wait
 * outlasts it. Otherwise a first deploy on a slow link fails although nothing is wrong.
 */
export function awaitedLongEnough(rs: readonly Registered[]): string[] {
  const problems: string[] = [];
  const timeout = (r: Registered) => r.createTimeoutSeconds ?? PROVIDER_DEFAULT_TIMEOUT_SECONDS;
  for (const r of rs.filter((x) => x.manifest.kind === "StatefulSet")) {
    const start = Math.max(0, ...(r.manifest.spec?.template?.spec?.containers ?? []).map((c: any) => window(c.startupProbe) + window(c.readinessProbe)));
    const need = (r.manifest.spec?.replicas ?? 1) * (IMAGE_PULL_SECONDS + start);
    if (timeout(r) < need) problems.push(`${id(r.manifest)} is awaited ${timeout(r)} s, less than a cold start of its members (${need} s)`);
  }
  for (const r of rs.filter((x) => x.manifest.kind === "Job")) {
    const deadline = r.manifest.spec?.activeDeadlineSeconds;
    if (!(deadline > 0)) problems.push(`${id(r.manifest)} has no activeDeadlineSeconds (a stuck Job would hold the deploy)`);
    else if (!(timeout(r) > deadline)) problems.push(`${id(r.manifest)} is awaited ${timeout(r)} s, not longer than its deadline (${deadline} s)`);
  }
  return problems;
}

/** "25m", "90s", "2h" (as the engine receives custom timeouts) in seconds. */
export function durationSeconds(d: string | undefined): number | undefined {
  const m = /^(\d+(?:\.\d+)?)(s|m|h)$/.exec(d ?? "");
  if (!m) return undefined;
  return Number(m[1]) * { s: 1, m: 60, h: 3600 }[m[2] as "s" | "m" | "h"];
}

/** The Kubernetes objects of an offline render's resources.json with the options it recorded. */
export function registeredOf(resources: readonly { type: string; inputs?: Record<string, any>; options?: { protect?: boolean; customTimeouts?: { create?: string } } }[]): Registered[] {
  return resources
    .filter((r) => r.type.startsWith("kubernetes:") && !r.type.startsWith("kubernetes:helm.sh/") && typeof r.inputs?.kind === "string")
    .map((r) => ({ manifest: r.inputs!, protect: r.options?.protect === true, createTimeoutSeconds: durationSeconds(r.options?.customTimeouts?.create) }));
}
