// The invariants every rendered stack must hold, as functions from manifests to a list of problems
// (empty = holds). tests/invariants.test.ts runs them over every stack; tests/invariants-self.test.ts
// feeds them broken manifests to prove each one can fail.
import { isPinnedTag, RUNTIME_SELECTOR_ANNOTATION } from "../../components/kit";
import type { Manifest } from "../../tools/lib/manifests";

const WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet"];

export function workloads(ms: readonly Manifest[]): Manifest[] {
  return ms.filter((m) => WORKLOADS.includes(m.kind));
}

function podLabels(w: Manifest): Record<string, string> {
  return w.spec.template.metadata?.labels ?? {};
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function containers(w: Manifest): any[] {
  return w.spec.template.spec.containers ?? [];
}

export function id(m: Manifest): string {
  return `${m.kind} ${m.metadata?.namespace ?? ""}/${m.metadata?.name}`;
}

export function selectorsMatchTemplates(ms: readonly Manifest[]): string[] {
  return workloads(ms).filter((w) => !selects(w.spec.selector?.matchLabels ?? {}, podLabels(w))).map((w) => `${id(w)}: selector does not match its pod template`);
}

export function servicesSelectPodsAndPorts(ms: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const ws = workloads(ms);
  for (const svc of ms.filter((m) => m.kind === "Service")) {
    const sel = svc.spec?.selector;
    if (!sel) {
      // A selector-less Service needs endpoints that somebody manages.
      const slices = ms.filter((m) => m.kind === "EndpointSlice" && m.metadata.labels?.["kubernetes.io/service-name"] === svc.metadata.name);
      if (slices.length === 0) problems.push(`${id(svc)} has no selector and no EndpointSlice`);
      continue;
    }
    // Keys the application sets on its own pods at run time (e.g. Patroni's role) are not in the template.
    const runtime = String(svc.metadata.annotations?.[RUNTIME_SELECTOR_ANNOTATION] ?? "").split(",").filter(Boolean);
    const staticSel = Object.fromEntries(Object.entries<string>(sel).filter(([k]) => !runtime.includes(k)));
    const targets = ws.filter((w) => w.metadata.namespace === svc.metadata.namespace && selects(staticSel, podLabels(w)));
    if (targets.length === 0) problems.push(`${id(svc)} selects no workload`);
    for (const w of targets) {
      const ports = containers(w).flatMap((c) => c.ports ?? []);
      for (const p of svc.spec.ports ?? []) {
        const t = p.targetPort ?? p.port;
        const target = ports.find((cp: any) => cp.name === t || cp.containerPort === t);
        if (!target) problems.push(`${id(svc)} targets port ${t} that ${id(w)} does not have`);
        // A named Service port carries that protocol: it must land on the container port of the same name.
        else if (p.name && target.name && target.name !== p.name) problems.push(`${id(svc)} port ${p.name} targets ${id(w)}'s port ${target.name}`);
      }
    }
  }
  return problems;
}

export function containersAreComplete(ms: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(ms)) {
    for (const c of containers(w)) {
      const where = `${id(w)} container ${c.name}`;
      if (!c.readinessProbe) problems.push(`${where}: no readiness probe`);
      if (!c.livenessProbe) problems.push(`${where}: no liveness probe`);
      if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) problems.push(`${where}: no CPU/memory requests`);
    }
    for (const c of [...containers(w), ...(w.spec.template.spec.initContainers ?? [])]) {
      const where = `${id(w)} container ${c.name}`;
      const tag = /:([^:@/]+)(@sha256:[0-9a-f]{64})?$/.exec(c.image)?.[1];
      if (!tag || !isPinnedTag(tag)) problems.push(`${where}: image ${c.image} is not pinned`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${where}: privilege escalation not disabled`);
      if (!c.resources?.limits?.memory) problems.push(`${where}: no memory limit`);
    }
  }
  return problems;
}

export function pdbsSelectPods(ms: readonly Manifest[]): string[] {
  const ws = workloads(ms);
  return ms
    .filter((p) => p.kind === "PodDisruptionBudget")
    .filter((p) => !ws.some((w) => w.metadata.namespace === p.metadata.namespace && selects(p.spec.selector?.matchLabels ?? {}, podLabels(w))))
    .map((p) => `${id(p)} selects no pods`);
}

/** A PDB that allows no disruption blocks every node drain (and so every k3s upgrade). */
export function pdbsLetOnePodGo(ms: readonly Manifest[]): string[] {
  return ms
    .filter((p) => p.kind === "PodDisruptionBudget")
    .filter((p) => p.spec.minAvailable !== undefined || !(Number(p.spec.maxUnavailable) >= 1))
    .map((p) => `${id(p)} lets no pod go (maxUnavailable ${p.spec.maxUnavailable}, minAvailable ${p.spec.minAvailable})`);
}

export function podsUseRuntimeDefaultSeccomp(ms: readonly Manifest[]): string[] {
  return workloads(ms)
    .filter((w) => w.spec.template.spec.securityContext?.seccompProfile?.type !== "RuntimeDefault")
    .map((w) => `${id(w)}: pod without the RuntimeDefault seccomp profile`);
}

export function statefulWorkloadsStayWithTheirVolumes(ms: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const w of ms.filter((m) => m.kind === "StatefulSet" && (m.spec.volumeClaimTemplates ?? []).length > 0)) {
    const pod = w.spec.template.spec;
    const pinned = !!pod.nodeSelector?.["kubernetes.io/hostname"];
    const spread = (pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).length > 0;
    if (!pinned && !spread) problems.push(`${id(w)}: local volumes but neither pinned to a node nor one replica per node`);
    if (w.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted !== "Retain") problems.push(`${id(w)}: volumes are not retained when it is deleted`);
    if (w.spec.persistentVolumeClaimRetentionPolicy?.whenScaled !== "Retain") problems.push(`${id(w)}: volumes are not retained when it is scaled down`);
  }
  return problems;
}

export function nothingSkipsAwait(ms: readonly Manifest[]): string[] {
  return ms.filter((m) => m.metadata?.annotations?.["pulumi.com/skipAwait"] === "true").map((m) => `${id(m)} skips Pulumi's readiness await`);
}

/** Generated secrets render as mock values ("mock-…"): none may appear as a literal in a pod spec, and Secret values are redacted. */
export function noInlinedSecrets(ms: readonly Manifest[]): string[] {
  const leaks: string[] = [];
  for (const w of workloads(ms)) {
    for (const c of containers(w)) for (const e of c.env ?? []) if (typeof e.value === "string" && e.value.includes("mock-")) leaks.push(`${id(w)} ${c.name} env ${e.name} holds a generated secret`);
  }
  for (const sec of ms.filter((m) => m.kind === "Secret")) {
    for (const v of Object.values<string>({ ...(sec.stringData ?? {}), ...(sec.data ?? {}) })) if (v !== "<redacted>") leaks.push(`${id(sec)} has an unredacted value`);
  }
  return leaks;
}

/** RBAC names what it grants: a `*` in a rule would hand a pod rights nobody reviewed. */
export function rbacGrantsNoWildcards(ms: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const r of ms.filter((m) => m.kind === "Role" || m.kind === "ClusterRole")) {
    (r.rules ?? []).forEach((rule: any, i: number) => {
      for (const field of ["verbs", "resources", "apiGroups"]) if ((rule[field] ?? []).includes("*")) problems.push(`${id(r)} rule ${i} grants * in ${field}`);
    });
  }
  return problems;
}

export const ALL_INVARIANTS = {
  "every workload's selector matches its pod template": selectorsMatchTemplates,
  "every Service selects at least one workload, and each of its ports targets the container port of the same name": servicesSelectPodsAndPorts,
  "every container has probes, CPU/memory requests, a memory limit, a pinned image and no privilege escalation": containersAreComplete,
  "every PodDisruptionBudget selects pods of a workload": pdbsSelectPods,
  "every PodDisruptionBudget lets one pod go": pdbsLetOnePodGo,
  "every pod runs under the RuntimeDefault seccomp profile": podsUseRuntimeDefaultSeccomp,
  "stateful workloads with local volumes stay on their node and keep their volumes (on delete and on scale-down)": statefulWorkloadsStayWithTheirVolumes,
  "nothing skips Pulumi's readiness await (a CrashLoopBackOff must fail the deploy)": nothingSkipsAwait,
  "generated secrets are never written into a pod spec or rendered in clear": noInlinedSecrets,
  "no Role or ClusterRole grants a wildcard": rbacGrantsNoWildcards,
} as const;
