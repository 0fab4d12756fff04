// Default-deny networking, checked on the rendered manifests: every pod is isolated for ingress, and
// the allows are exactly what the wiring declares — nothing missing, nothing more.
//
// The expected set is computed from the manifests, not from the code that generated the policies:
// connections from the consumers' `connects-to` annotations resolved through the rendered Services
// (selector, port → targetPort → container port), routes from the IngressRoutes and from Certificates
// whose issuer answers ACME HTTP-01, peer rules from the workloads' `peer-ports` annotations, metrics
// allows from their `metrics-port` annotations (Prometheus → the workload's pods). The
// actual set is every NetworkPolicy ingress rule, with its selectors resolved to the rendered pods
// they match. Both are flattened to "source → target :port/protocol" lines and compared as sets.
import {
  ACME_HTTP01_SOLVER,
  CHART_BACKEND_ANNOTATION,
  CONNECTS_TO_ANNOTATION,
  ENDPOINTS_OF_ANNOTATION,
  NAMESPACE_NAME_LABEL,
  METRICS_PORT_ANNOTATION,
  NODE_PORT_FROM_ANNOTATION,
  PEER_PORTS_ANNOTATION,
  PROMETHEUS_PODS,
  RUNTIME_SELECTOR_ANNOTATION,
} from "../../components/kit";
import { KUBE_SYSTEM, TRAEFIK_POD_LABELS } from "../../components/ingress/spec";
import type { Manifest } from "./manifest";

type Labels = Record<string, string>;

interface PodTemplate {
  readonly id: string;
  readonly namespace: string;
  readonly labels: Labels;
  readonly annotations: Record<string, string>;
  readonly containers: any[];
  readonly owner: Manifest;
}

const POD_OWNERS = ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"];

export function podTemplates(ms: readonly Manifest[]): PodTemplate[] {
  // A CronJob's pods come from the template inside its Job template.
  const templateOf = (m: Manifest) => (m.kind === "CronJob" ? m.spec.jobTemplate.spec.template : m.spec.template);
  return ms
    .filter((m) => POD_OWNERS.includes(m.kind))
    .map((m) => ({
      id: `${m.kind} ${m.metadata.namespace}/${m.metadata.name}`,
      namespace: m.metadata.namespace,
      labels: templateOf(m).metadata?.labels ?? {},
      annotations: templateOf(m).metadata?.annotations ?? {},
      containers: [...(templateOf(m).spec.initContainers ?? []), ...(templateOf(m).spec.containers ?? [])],
      owner: m,
    }));
}

function matches(selector: Labels, labels: Labels): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function show(sel: Labels): string {
  return `{${Object.keys(sel).sort().map((k) => `${k}=${sel[k]}`).join(",")}}`;
}

/** The rendered pods a selector matches in a namespace, or a name for pods the program does not render (e.g. Traefik's). */
function group(ms: readonly Manifest[], namespace: string, selector: Labels): string[] {
  const hits = podTemplates(ms).filter((p) => p.namespace === namespace && matches(selector, p.labels)).map((p) => p.id);
  return hits.length ? hits : [`pods ${namespace}${show(selector)}`];
}

function isDenyAll(p: Manifest): boolean {
  return (p.spec?.policyTypes ?? []).includes("Ingress") && (p.spec?.ingress ?? []).length === 0;
}

function policies(ms: readonly Manifest[]): Manifest[] {
  return ms.filter((m) => m.kind === "NetworkPolicy");
}

/** A LabelSelector as plain labels, or undefined when it uses expressions (which we never generate). */
function plain(sel: any): Labels | undefined {
  if (sel?.matchExpressions?.length) return undefined;
  return sel?.matchLabels ?? {};
}

export function everyPodDeniesIngressByDefault(ms: readonly Manifest[]): string[] {
  const problems: string[] = [];
  for (const p of podTemplates(ms)) {
    const denied = policies(ms).some((np) => np.metadata.namespace === p.namespace && isDenyAll(np) && matches(plain(np.spec.podSelector) ?? { "?": "?" }, p.labels));
    if (!denied) problems.push(`${p.id}: no default-deny ingress policy selects its pods`);
  }
  for (const np of policies(ms)) {
    if ((np.spec?.policyTypes ?? []).includes("Egress") || np.spec?.egress) problems.push(`NetworkPolicy ${np.metadata.namespace}/${np.metadata.name} restricts egress (pods must keep DNS and their outbound connections)`);
  }
  return problems;
}

/** Every "source → target :port/protocol" the NetworkPolicies admit. */
export function actualAllows(ms: readonly Manifest[]): Set<string> {
  const out = new Set<string>();
  for (const np of policies(ms)) {
    const ns = np.metadata.namespace;
    const targetSel = plain(np.spec.podSelector);
    const targets = targetSel === undefined ? [`pods ${ns} by expression`] : group(ms, ns, targetSel);
    for (const rule of np.spec.ingress ?? []) {
      const sources: string[] = [];
      if (!rule.from?.length) sources.push("anyone");
      for (const peer of rule.from ?? []) {
        if (peer.ipBlock) { sources.push(`ipBlock ${peer.ipBlock.cidr}`); continue; }
        let fromNs = ns;
        if (peer.namespaceSelector) {
          const nsSel = plain(peer.namespaceSelector);
          const name = nsSel?.[NAMESPACE_NAME_LABEL];
          if (!nsSel || Object.keys(nsSel).length !== 1 || !name) { sources.push(`pods of namespaces ${nsSel ? show(nsSel) : "by expression"}`); continue; }
          fromNs = name;
        }
        const podSel = peer.podSelector ? plain(peer.podSelector) : {};
        if (podSel === undefined) { sources.push(`pods ${fromNs} by expression`); continue; }
        if (Object.keys(podSel).length === 0) { sources.push(`every pod of ${fromNs}`); continue; }
        sources.push(...group(ms, fromNs, podSel));
      }
      const ports = rule.ports?.length ? rule.ports.map((p: any) => `${p.port ?? "any"}/${p.protocol ?? "TCP"}`) : ["every port"];
      for (const s of sources) for (const t of targets) for (const p of ports) out.add(`${s} → ${t} :${p}`);
    }
  }
  return out;
}

/** The container port number behind a port name (or number) on the pods a selector matches. */
function containerPort(ms: readonly Manifest[], namespace: string, selector: Labels, port: string | number): number | undefined {
  if (typeof port === "number") return port;
  for (const p of podTemplates(ms).filter((t) => t.namespace === namespace && matches(selector, t.labels))) {
    for (const c of p.containers) for (const cp of c.ports ?? []) if (cp.name === port) return cp.containerPort;
  }
  return undefined;
}

/** The pods behind a Service: its static selector, or for a selector-less one the pods its endpoints are declared to be. */
function servicePods(svc: Manifest): Labels | undefined {
  if (svc.spec?.selector) {
    const runtime = String(svc.metadata.annotations?.[RUNTIME_SELECTOR_ANNOTATION] ?? "").split(",").filter(Boolean);
    return Object.fromEntries(Object.entries<string>(svc.spec.selector).filter(([k]) => !runtime.includes(k)));
  }
  const declared = svc.metadata.annotations?.[ENDPOINTS_OF_ANNOTATION];
  return declared ? JSON.parse(declared) : undefined;
}

/** Resolves a Service port (by name or number) to the target pods and container port; pushes a problem if it cannot. */
function serviceTarget(ms: readonly Manifest[], namespace: string, name: string, port: string | number, where: string, problems: string[]) {
  const svc = ms.find((m) => m.kind === "Service" && m.metadata.namespace === namespace && m.metadata.name === name);
  if (!svc) { problems.push(`${where}: no Service ${namespace}/${name}`); return undefined; }
  const pods = servicePods(svc);
  if (!pods || Object.keys(pods).length === 0) { problems.push(`${where}: Service ${namespace}/${name} does not say which pods serve it`); return undefined; }
  const sp = (svc.spec.ports ?? []).find((p: any) => p.name === port || p.port === port);
  if (!sp) { problems.push(`${where}: Service ${namespace}/${name} has no port ${port}`); return undefined; }
  const number = containerPort(ms, namespace, pods, sp.targetPort ?? sp.port);
  if (number === undefined) { problems.push(`${where}: Service ${namespace}/${name} port ${port} reaches no container port`); return undefined; }
  return { pods, port: number, protocol: sp.protocol ?? "TCP" };
}

const HOST = /([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local/g;

/** Every allow the wiring declares, with the problems found while resolving it. */
export function expectedAllows(ms: readonly Manifest[]): { allows: Set<string>; problems: string[] } {
  const allows = new Set<string>();
  const problems: string[] = [];
  const add = (sources: string[], targets: string[], port: number, protocol: string) => {
    for (const s of sources) for (const t of targets) allows.add(`${s} → ${t} :${port}/${protocol}`);
  };
  const traefik = group(ms, KUBE_SYSTEM, TRAEFIK_POD_LABELS);

  for (const p of podTemplates(ms)) {
    // Connections: what the consumer declares it connects to.
    const declared = String(p.annotations[CONNECTS_TO_ANNOTATION] ?? "").split(",").filter(Boolean);
    for (const d of declared) {
      const m = /^([a-z0-9-]+)\.([a-z0-9-]+):(\d+)$/.exec(d);
      if (!m) { problems.push(`${p.id}: unreadable connection "${d}"`); continue; }
      const t = serviceTarget(ms, m[2], m[1], Number(m[3]), `${p.id} connection ${d}`, problems);
      if (t) add([p.id], group(ms, m[2], t.pods), t.port, t.protocol);
    }
    // A host named in a pod's env that is not a declared connection was wired by hand: its allow would be missing.
    for (const c of p.containers) {
      for (const e of c.env ?? []) {
        for (const h of String(e.value ?? "").matchAll(HOST)) {
          if (!declared.some((d) => d.startsWith(`${h[1]}.${h[2]}:`))) problems.push(`${p.id}: env ${e.name} names ${h[0]} but the pods declare no connection to it`);
        }
      }
    }
    // Peer rules: members of a workload reach each other on its peer ports.
    for (const name of String(p.owner.metadata.annotations?.[PEER_PORTS_ANNOTATION] ?? "").split(",").filter(Boolean)) {
      const port = containerPort(ms, p.namespace, p.labels, name);
      if (port === undefined) { problems.push(`${p.id}: peer port ${name} is not a container port`); continue; }
      add([p.id], [p.id], port, "TCP");
    }
  }

  // Routes: Traefik reaches every routed Service's pods on the routed port.
  for (const r of ms.filter((m) => m.kind === "IngressRoute")) {
    for (const route of r.spec?.routes ?? []) {
      for (const s of route.services ?? []) {
        if ((s.kind ?? "Service") !== "Service") continue;
        const ns = s.namespace ?? r.metadata.namespace;
        // A chart's Service (e.g. Grafana's) is not rendered: the route says which pods and port it reaches.
        const chart = r.metadata.annotations?.[CHART_BACKEND_ANNOTATION];
        if (chart && !ms.some((m) => m.kind === "Service" && m.metadata.namespace === ns && m.metadata.name === s.name)) {
          const c = JSON.parse(chart) as { pods: Labels; targetPort: number };
          add(traefik, group(ms, ns, c.pods), c.targetPort, "TCP");
          continue;
        }
        const t = serviceTarget(ms, ns, s.name, s.port, `IngressRoute ${r.metadata.namespace}/${r.metadata.name}`, problems);
        if (t) add(traefik, group(ms, ns, t.pods), t.port, t.protocol);
      }
    }
  }
  // Metrics: Prometheus reaches every workload that declares a metrics endpoint, on its metrics ports.
  const prometheus = group(ms, PROMETHEUS_PODS.namespace, PROMETHEUS_PODS.podSelector);
  for (const p of podTemplates(ms)) {
    for (const name of String(p.owner.metadata.annotations?.[METRICS_PORT_ANNOTATION] ?? "").split(",").filter(Boolean)) {
      const port = containerPort(ms, p.namespace, p.labels, name);
      if (port === undefined) { problems.push(`${p.id}: metrics port ${name} is not a container port`); continue; }
      add(prometheus, [p.id], port, "TCP");
    }
  }
  // Node ports: the clients a NodePort Service declares reach its pods on each node port's target.
  for (const svc of ms.filter((m) => m.kind === "Service" && m.spec?.type === "NodePort")) {
    const where = `Service ${svc.metadata.namespace}/${svc.metadata.name}`;
    const cidrs = String(svc.metadata.annotations?.[NODE_PORT_FROM_ANNOTATION] ?? "").split(",").filter(Boolean);
    if (cidrs.length === 0) { problems.push(`${where}: a NodePort Service that does not declare who may reach it`); continue; }
    for (const p of svc.spec.ports ?? []) {
      const t = serviceTarget(ms, svc.metadata.namespace, svc.metadata.name, p.name ?? p.port, where, problems);
      if (t) add(cidrs.map((c) => `ipBlock ${c}`), group(ms, svc.metadata.namespace, t.pods), t.port, t.protocol);
    }
  }
  // ACME HTTP-01: cert-manager's solver pods in the Certificate's namespace answer through Traefik.
  for (const cert of ms.filter((m) => m.kind === "Certificate")) {
    const ref = cert.spec?.issuerRef ?? {};
    const issuer = ms.find((m) => m.kind === (ref.kind ?? "Issuer") && m.metadata.name === ref.name && (ref.kind === "ClusterIssuer" || m.metadata.namespace === cert.metadata.namespace));
    if ((issuer?.spec?.acme?.solvers ?? []).some((s: any) => s.http01)) {
      add(traefik, group(ms, cert.metadata.namespace, ACME_HTTP01_SOLVER.podSelector), ACME_HTTP01_SOLVER.port, "TCP");
    }
  }
  return { allows, problems };
}

export function allowsEqualTheWiring(ms: readonly Manifest[]): string[] {
  const expected = expectedAllows(ms);
  const actual = actualAllows(ms);
  return [
    ...expected.problems,
    ...[...expected.allows].filter((a) => !actual.has(a)).sort().map((a) => `missing allow: ${a}`),
    ...[...actual].filter((a) => !expected.allows.has(a)).sort().map((a) => `allow without a connection, route or peer rule: ${a}`),
  ];
}
