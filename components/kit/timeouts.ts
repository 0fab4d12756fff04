// How long `pulumi up` waits for a workload or a Job before calling it failed. The Kubernetes
// provider's default is 10 minutes, which a cold start can exceed: an image pull over a home uplink,
// then a startup probe that is allowed minutes (Spilo's bootstrap), one StatefulSet member after the
// other (OrderedReady). The budget is derived from the spec, so a slower probe raises it by itself.
import type * as pulumi from "@pulumi/pulumi";
import type { ProbeSpec } from "./container";

/** What a rollout's duration depends on (a WorkloadSpec has all of it). */
export interface RolloutShape {
  readonly kind: "Deployment" | "StatefulSet";
  readonly replicas: number;
  readonly containers: readonly { readonly startup?: ProbeSpec; readonly readiness: ProbeSpec }[];
}

/** The provider's own await timeout. */
export const PROVIDER_DEFAULT_MINUTES = 10;
/** Budget for pulling one image on a node that lacks it: ~1 GB over a 2 MB/s uplink is ~8.5 minutes. */
export const PULL_BUDGET_MINUTES = 10;

/** The longest a probe may keep failing before kubelet gives up: delay + period × threshold. */
export function probeWindowSeconds(p: ProbeSpec | undefined): number {
  if (!p) return 0;
  return (p.initialDelaySeconds ?? 0) + (p.periodSeconds ?? 10) * (p.failureThreshold ?? 3);
}

/**
 * Minutes a rollout may take before it is a failure: per pod, the pull budget plus its slowest
 * container's startup window and readiness window; a StatefulSet's pods start one after another.
 * Never below the provider's default.
 */
export function rolloutTimeoutMinutes(spec: RolloutShape, pullMinutes = PULL_BUDGET_MINUTES): number {
  const start = Math.max(...spec.containers.map((c) => probeWindowSeconds(c.startup) + probeWindowSeconds(c.readiness)));
  const perPod = pullMinutes * 60 + start;
  const inSequence = spec.kind === "StatefulSet" ? spec.replicas : 1;
  return Math.max(PROVIDER_DEFAULT_MINUTES, Math.ceil((inSequence * perPod) / 60));
}

/**
 * Minutes to await a Job bounded by activeDeadlineSeconds (which counts its pods' pulls too): its
 * deadline plus one minute, so the Job reports its own failure before Pulumi's await gives up.
 */
export function jobTimeoutMinutes(activeDeadlineSeconds: number): number {
  return Math.max(PROVIDER_DEFAULT_MINUTES, Math.ceil(activeDeadlineSeconds / 60) + 1);
}

/** The resource option for a create/update budget. */
export function awaitTimeouts(minutes: number): pulumi.CustomTimeouts {
  return { create: `${minutes}m`, update: `${minutes}m` };
}
