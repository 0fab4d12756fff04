// Workload rules: functions from Kubernetes objects (plain JSON, as rendered or as a preview sees
// them) to a list of problems (empty = holds). policy/rules/index.ts registers them for the tests,
// the policy pack and `npm run diff`; tests/invariants-self.test.ts feeds them broken manifests to
// prove each one can fail.
import { BACKUP_LABEL, isPinnedTag, METRICS_PORT_ANNOTATION, MONITORS_CHART_ANNOTATION, RUNTIME_SELECTOR_ANNOTATION, RUNTIME_SELECTOR_MIN_REPLICAS_ANNOTATION } from "../../components/kit";
import { id } from "./manifest";
import type { Manifest } from "./manifest";

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

export { id };

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

/**
 * A Service on labels the application sets at run time (e.g. Patroni's role=replica) is only as good
 * as the replica count behind it: one member is always the primary, so role=replica needs two. The
 * kit records the least replica count at which any pod can carry the labels; a Service without that
 * record cannot be checked, and one whose workloads have fewer replicas can never have an endpoint.
 */
export function runtimeSelectorsCanMatch(ms: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const ws = workloads(ms);
  for (const svc of ms.filter((m) => m.kind === "Service" && m.spec?.selector)) {
    const runtime = String(svc.metadata.annotations?.[RUNTIME_SELECTOR_ANNOTATION] ?? "").split(",").filter(Boolean);
    if (runtime.length === 0) continue;
    const min = Number(svc.metadata.annotations?.[RUNTIME_SELECTOR_MIN_REPLICAS_ANNOTATION]);
    if (!Number.isInteger(min) || min < 1) {
      problems.push(`${id(svc)} selects run-time labels (${runtime.join(", ")}) without saying how many replicas it takes for a pod to carry them`);
      continue;
    }
    const staticSel = Object.fromEntries(Object.entries<string>(svc.spec.selector).filter(([k]) => !runtime.includes(k)));
    for (const w of ws.filter((x) => x.metadata.namespace === svc.metadata.namespace && selects(staticSel, podLabels(x)))) {
      const replicas = w.spec.replicas ?? 1;
      if (replicas < min) {
        const shown = runtime.map((k) => `${k}=${svc.spec.selector[k]}`).join(", ");
        problems.push(`${id(svc)} selects ${shown}, which no pod of ${id(w)} can carry with ${replicas} replica(s) (needs ${min}): it can never have an endpoint`);
      }
    }
  }
  return problems;
}

/**
 * Patroni's Kubernetes DCS selects its cluster's objects by KUBERNETES_LABELS plus {scope label:
 * SCOPE}, and its cluster clean-up (`patronictl remove`) deletes every ConfigMap that selector
 * matches. The selector must match the members' pods (or Patroni finds no members) and none of the
 * program's own ConfigMaps (or a clean-up deletes them).
 */
export function patroniSelectsOnlyItsOwn(ms: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const w of workloads(ms)) {
    for (const c of containers(w)) {
      const env = (n: string) => (c.env ?? []).find((e: any) => e.name === n)?.value as string | undefined;
      const labels = env("KUBERNETES_LABELS");
      if (labels === undefined) continue;
      const selector: Record<string, string> = { ...JSON.parse(labels), [env("KUBERNETES_SCOPE_LABEL") ?? "cluster-name"]: env("SCOPE") ?? "" };
      if (!selects(selector, podLabels(w))) problems.push(`${id(w)} container ${c.name}: Patroni's selector does not match the members' pods`);
      for (const cm of ms.filter((m) => m.kind === "ConfigMap" && m.metadata.namespace === w.metadata.namespace)) {
        if (selects(selector, cm.metadata.labels ?? {})) problems.push(`${id(w)}: Patroni's cluster clean-up would delete ${id(cm)} (its labels match Patroni's selector)`);
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
    // Several pods per node, spread evenly over named nodes: each pod's volume then keeps it on its node.
    const named = (pod.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? []).some((t: any) =>
      (t.matchExpressions ?? []).some((e: any) => e.key === "kubernetes.io/hostname" && e.operator === "In" && (e.values ?? []).length > 0),
    );
    const even = (pod.topologySpreadConstraints ?? []).some((t: any) => t.topologyKey === "kubernetes.io/hostname" && t.whenUnsatisfiable === "DoNotSchedule");
    if (!pinned && !spread && !(named && even)) problems.push(`${id(w)}: local volumes but neither pinned to a node, nor one replica per node, nor spread evenly over named nodes`);
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

/**
 * Scheduled jobs (backups, their checks, suspended restores): runs never overlap and are bounded, a
 * failed run stays visible, pods run non-root under RuntimeDefault with pinned images and memory
 * limits, and a backup CronJob's Jobs and pods carry its backup label (what alerts select on).
 */
export function cronJobsAreSafe(ms: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const cj of ms.filter((m) => m.kind === "CronJob")) {
    const s = cj.spec ?? {};
    const job = s.jobTemplate?.spec ?? {};
    const pod = job.template?.spec ?? {};
    if (s.concurrencyPolicy !== "Forbid") problems.push(`${id(cj)}: runs may overlap (concurrencyPolicy ${s.concurrencyPolicy ?? "Allow"})`);
    if (!(Number(job.activeDeadlineSeconds) > 0)) problems.push(`${id(cj)}: a run has no deadline (activeDeadlineSeconds)`);
    if (!(Number(s.failedJobsHistoryLimit) >= 1)) problems.push(`${id(cj)}: a failed run is not kept (failedJobsHistoryLimit ${s.failedJobsHistoryLimit})`);
    if (pod.securityContext?.seccompProfile?.type !== "RuntimeDefault") problems.push(`${id(cj)}: pod without the RuntimeDefault seccomp profile`);
    const backup = cj.metadata?.labels?.[BACKUP_LABEL];
    if (backup !== undefined && (s.jobTemplate?.metadata?.labels?.[BACKUP_LABEL] !== backup || job.template?.metadata?.labels?.[BACKUP_LABEL] !== backup)) {
      problems.push(`${id(cj)}: its Jobs and pods do not carry ${BACKUP_LABEL}=${backup}`);
    }
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      const where = `${id(cj)} container ${c.name}`;
      const tag = /:([^:@/]+)(@sha256:[0-9a-f]{64})?$/.exec(c.image)?.[1];
      if (!tag || !isPinnedTag(tag)) problems.push(`${where}: image ${c.image} is not pinned`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${where}: privilege escalation not disabled`);
      if (c.securityContext?.runAsNonRoot !== true) problems.push(`${where}: may run as root`);
      if (!c.resources?.limits?.memory) problems.push(`${where}: no memory limit`);
    }
  }
  return problems;
}

const SERVICE_HOST = /([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local(?::(\d+))?/g;

/**
 * Wiring: every reference a pod makes by name resolves in the same render. A Secret (or ConfigMap)
 * key read into env exists in an object of that name in the pod's namespace; a mounted Secret or
 * ConfigMap exists; a `<svc>.<ns>.svc.cluster.local` host in an env value names a rendered Service,
 * and its port (in the same value, or in the sibling variable named with PORT for HOST, e.g.
 * PGHOST/PGPORT) is a port of that Service; a `$(VAR)` reference names a variable listed before it
 * (Kubernetes expands nothing else, and leaves the text as it is).
 */
export function referencesResolve(ms: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const find = (kind: string, ns: string, name: string) => ms.find((m) => m.kind === kind && m.metadata?.namespace === ns && m.metadata?.name === name);
  const keysOf = (m: Manifest) => Object.keys({ ...(m.stringData ?? {}), ...(m.data ?? {}) });
  for (const w of ms.filter((m) => [...WORKLOADS, "Job"].includes(m.kind))) {
    const ns = w.metadata.namespace;
    const pod = w.spec.template.spec;
    for (const v of pod.volumes ?? []) {
      if (v.secret && !find("Secret", ns, v.secret.secretName)) problems.push(`${id(w)} volume ${v.name}: no Secret ${ns}/${v.secret.secretName}`);
      if (v.configMap && !find("ConfigMap", ns, v.configMap.name)) problems.push(`${id(w)} volume ${v.name}: no ConfigMap ${ns}/${v.configMap.name}`);
    }
    for (const c of [...(pod.initContainers ?? []), ...(pod.containers ?? [])]) {
      const where = `${id(w)} container ${c.name}`;
      const env: any[] = c.env ?? [];
      env.forEach((e, i) => {
        const ref = e.valueFrom?.secretKeyRef ?? e.valueFrom?.configMapKeyRef;
        if (ref && !ref.optional) {
          const kind = e.valueFrom.secretKeyRef ? "Secret" : "ConfigMap";
          const target = find(kind, ns, ref.name);
          if (!target) problems.push(`${where} env ${e.name}: no ${kind} ${ns}/${ref.name}`);
          else if (!keysOf(target).includes(ref.key)) problems.push(`${where} env ${e.name}: ${kind} ${ns}/${ref.name} has no key "${ref.key}" (keys: ${keysOf(target).join(", ")})`);
        }
        if (typeof e.value !== "string") return;
        for (const m of e.value.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) {
          const at = env.findIndex((x) => x.name === m[1]);
          if (at === -1) problems.push(`${where} env ${e.name}: $(${m[1]}) names no variable of the container`);
          else if (at > i) problems.push(`${where} env ${e.name}: $(${m[1]}) is listed after it, so Kubernetes does not expand it`);
        }
        for (const h of e.value.matchAll(SERVICE_HOST)) {
          const svc = find("Service", h[2], h[1]);
          if (!svc) { problems.push(`${where} env ${e.name}: names Service ${h[2]}/${h[1]}, which is not rendered`); continue; }
          const sibling = /HOST/.test(e.name) ? env.find((x) => x.name === e.name.replace(/HOST/, "PORT"))?.value : undefined;
          const port = h[3] ?? sibling;
          const ports = (svc.spec.ports ?? []).map((p: any) => p.port);
          if (port !== undefined && !ports.includes(Number(port))) problems.push(`${where} env ${e.name}: Service ${h[2]}/${h[1]} has no port ${port} (ports: ${ports.join(", ")})`);
        }
      });
    }
  }
  return problems;
}

const MONITOR_KINDS = ["PodMonitor", "ServiceMonitor"];

/** The ports a monitor scrapes on the pods it selects (a ServiceMonitor's through the Services it selects). */
function monitorTargets(ms: readonly Manifest[], mon: Manifest): { w: Manifest; ports: string[] }[] {
  const ns: string[] = mon.spec?.namespaceSelector?.matchNames ?? [mon.metadata.namespace];
  const sel = mon.spec?.selector?.matchLabels ?? {};
  if (mon.kind === "PodMonitor") {
    const ports = (mon.spec.podMetricsEndpoints ?? []).map((e: any) => e.port);
    return workloads(ms).filter((w) => ns.includes(w.metadata.namespace) && selects(sel, podLabels(w))).map((w) => ({ w, ports }));
  }
  const out: { w: Manifest; ports: string[] }[] = [];
  for (const svc of ms.filter((m) => m.kind === "Service" && ns.includes(m.metadata.namespace) && selects(sel, m.metadata.labels ?? {}))) {
    const ports = (mon.spec.endpoints ?? []).map((e: any) => (svc.spec.ports ?? []).find((p: any) => p.name === e.port)?.targetPort ?? e.port);
    for (const w of workloads(ms).filter((x) => x.metadata.namespace === svc.metadata.namespace && selects(svc.spec.selector ?? {}, podLabels(x)))) out.push({ w, ports });
  }
  return out;
}

/**
 * Scraping by construction: each workload that declares metrics ports (METRICS_PORT_ANNOTATION) is
 * selected by exactly one monitor, which scrapes each declared port, and every port a monitor
 * scrapes exists on the pods it selects; a monitor that selects nothing scrapes nothing.
 */
export function everyMetricsEndpointIsScrapedOnce(ms: readonly Manifest[]): string[] {
  const problems: string[] = [];
  const monitors = ms.filter((m) => MONITOR_KINDS.includes(m.kind));
  const byWorkload = new Map<string, { mon: Manifest; ports: string[] }[]>();
  for (const mon of monitors) {
    const targets = monitorTargets(ms, mon);
    // Monitors of a chart's pods (Traefik's, cert-manager's) say so: the render holds no workload for them.
    if (targets.length === 0 && !mon.metadata.annotations?.[MONITORS_CHART_ANNOTATION]) problems.push(`${id(mon)} selects no workload`);
    for (const { w, ports } of targets) {
      const have = containers(w).flatMap((c) => c.ports ?? []).map((p: any) => p.name);
      for (const p of ports) if (!have.includes(p)) problems.push(`${id(mon)} scrapes port ${p} that ${id(w)} does not have`);
      byWorkload.set(id(w), [...(byWorkload.get(id(w)) ?? []), { mon, ports }]);
    }
  }
  for (const w of workloads(ms)) {
    const declared = String(w.metadata.annotations?.[METRICS_PORT_ANNOTATION] ?? "").split(",").filter(Boolean);
    const found = byWorkload.get(id(w)) ?? [];
    if (declared.length === 0) continue;
    if (found.length !== 1) {
      problems.push(`${id(w)} serves metrics on ${declared.join(", ")} but ${found.length} monitors select it${found.length ? ` (${found.map((f) => id(f.mon)).join(", ")})` : ""}`);
      continue;
    }
    for (const p of declared) if (!found[0].ports.includes(p)) problems.push(`${id(w)} serves metrics on ${p} but ${id(found[0].mon)} does not scrape it`);
  }
  return problems;
}
