// Route rules: every route is HTTPS-only behind the security headers (HSTS for at least the
// threshold below) with a certificate from an issuer that exists, unless it says why not, and points
// at a Service port that exists in the same set of objects.
import { CHART_BACKEND_ANNOTATION, INSECURE_REASON_ANNOTATION } from "../../components/kit";
import { id } from "./manifest";
import type { Manifest } from "./manifest";

const ROUTE_KINDS = ["IngressRoute", "Ingress"];

/**
 * The promise, stated here rather than read from the code under test: browsers keep HTTPS-only for a
 * year at least (the shortest max-age the preload lists accept).
 */
export const HSTS_MIN_SECONDS = 365 * 24 * 60 * 60;

/** What a Traefik Middleware lacks of the headers every route promises (empty: it has them all). */
export function headerGaps(m: Manifest): string[] {
  const h = m.spec?.headers;
  if (!h) return ["no headers"];
  const gaps: string[] = [];
  for (const flag of ["frameDeny", "contentTypeNosniff", "browserXssFilter", "stsIncludeSubdomains"]) if (h[flag] !== true) gaps.push(`${flag} not set`);
  if (!(h.stsSeconds >= HSTS_MIN_SECONDS)) gaps.push(`HSTS max-age ${h.stsSeconds} is below ${HSTS_MIN_SECONDS}`);
  if (!h.referrerPolicy) gaps.push("no referrer policy");
  if (!h.contentSecurityPolicy) gaps.push("no content security policy");
  return gaps;
}

export function isHeadersMiddleware(m: Manifest): boolean {
  return headerGaps(m).length === 0;
}

/** Middleware names a route applies, as namespace/name. */
function routeMiddlewares(route: Manifest): string[] {
  if (route.kind === "IngressRoute") {
    return (route.spec.routes ?? []).flatMap((r: any) => (r.middlewares ?? []).map((m: any) => `${m.namespace ?? route.metadata.namespace}/${m.name}`));
  }
  const ann = String(route.metadata.annotations?.["traefik.ingress.kubernetes.io/router.middlewares"] ?? "");
  return ann.split(",").filter(Boolean).map((ref) => {
    const name = ref.replace(/@kubernetescrd$/, "");
    const ns = route.metadata.namespace;
    return `${ns}/${name.startsWith(`${ns}-`) ? name.slice(ns.length + 1) : name}`;
  });
}

function kind(ms: readonly Manifest[], k: string): Manifest[] {
  return ms.filter((m) => m.kind === k);
}

function insecure(m: Manifest): boolean {
  return m.metadata.annotations?.[INSECURE_REASON_ANNOTATION] !== undefined;
}

export function routesOf(ms: readonly Manifest[]): Manifest[] {
  return ms.filter((m) => ROUTE_KINDS.includes(m.kind));
}

/** Routes without the security-headers Middleware (unless opted out with a reason), or using a missing one. */
export function headerProblems(ms: readonly Manifest[]): string[] {
  const middlewares = new Map(kind(ms, "Middleware").map((m) => [`${m.metadata.namespace}/${m.metadata.name}`, m]));
  const problems: string[] = [];
  for (const r of routesOf(ms)) {
    const refs = routeMiddlewares(r);
    for (const ref of refs) if (!middlewares.has(ref)) problems.push(`${id(r)} uses Middleware ${ref}, which the render does not contain`);
    if (insecure(r)) {
      if (!String(r.metadata.annotations[INSECURE_REASON_ANNOTATION]).trim()) problems.push(`${id(r)} opted out without a reason`);
      continue;
    }
    const used = refs.flatMap((ref) => (middlewares.has(ref) ? [[ref, headerGaps(middlewares.get(ref)!)] as const] : []));
    if (!used.some(([, gaps]) => gaps.length === 0)) {
      const why = used.map(([ref, gaps]) => `${ref}: ${gaps.join(", ")}`).join("; ");
      problems.push(`${id(r)} has no security-headers Middleware${why ? ` (${why})` : ""}`);
    }
  }
  return problems;
}

/** Routes that are not HTTPS-only with a Certificate for their hosts from an issuer in the render. */
export function tlsProblems(ms: readonly Manifest[]): string[] {
  const issuers = new Set(kind(ms, "ClusterIssuer").map((i) => i.metadata.name));
  const certs = kind(ms, "Certificate");
  const problems: string[] = [];
  for (const r of routesOf(ms).filter((x) => !insecure(x))) {
    const ns = r.metadata.namespace;
    const secrets: string[] = r.kind === "IngressRoute" ? [r.spec.tls?.secretName].filter(Boolean) : (r.spec.tls ?? []).map((t: any) => t.secretName);
    if (r.kind === "IngressRoute" && JSON.stringify(r.spec.entryPoints) !== JSON.stringify(["websecure"])) problems.push(`${id(r)} listens on ${r.spec.entryPoints}, not only websecure`);
    if (secrets.length === 0) problems.push(`${id(r)} has no TLS`);
    const hosts: string[] = r.kind === "IngressRoute"
      ? (r.spec.routes ?? []).flatMap((x: any) => [...String(x.match).matchAll(/Host\(`([^`]+)`\)/g)].map((m) => m[1]))
      : (r.spec.rules ?? []).map((x: any) => x.host);
    for (const secret of secrets) {
      const cert = certs.find((c) => c.metadata.namespace === ns && c.spec.secretName === secret);
      const issuer = cert?.spec.issuerRef?.name ?? r.metadata.annotations?.["cert-manager.io/cluster-issuer"];
      if (!issuer) problems.push(`${id(r)}: no Certificate (or issuer annotation) provides ${ns}/${secret}`);
      else if (!issuers.has(issuer)) problems.push(`${id(r)}: issuer ${issuer} is not in the render`);
      if (cert) for (const h of hosts) if (!cert.spec.dnsNames?.includes(h)) problems.push(`${id(r)}: the certificate does not cover ${h}`);
    }
  }
  // Every certificate, including the self-signed CA's, names an issuer that exists.
  for (const c of certs) if (!issuers.has(c.spec.issuerRef?.name)) problems.push(`${id(c)}: issuer ${c.spec.issuerRef?.name} is not in the render`);
  return problems;
}

/** Route backends that are not a Service port in the same render (or Traefik's own API). */
export function backendProblems(ms: readonly Manifest[]): string[] {
  const services = kind(ms, "Service");
  const problems: string[] = [];
  const check = (r: Manifest, name: string, port: string | number | undefined): void => {
    const svc = services.find((x) => x.metadata.namespace === r.metadata.namespace && x.metadata.name === name);
    // A chart's Service (Grafana's): a HelmChart of the render installs into the route's namespace
    // (tests/observability checks the chart's values name that Service and port).
    if (!svc && r.metadata.annotations?.[CHART_BACKEND_ANNOTATION]) {
      if (!kind(ms, "HelmChart").some((h) => h.spec?.targetNamespace === r.metadata.namespace)) problems.push(`${id(r)} points at chart Service ${name}, but no HelmChart of the render installs into ${r.metadata.namespace}`);
      return;
    }
    if (!svc) {
      problems.push(`${id(r)} points at Service ${name}, which the render does not contain`);
      return;
    }
    if (!(svc.spec.ports ?? []).some((p: any) => p.name === port || p.port === port)) problems.push(`${id(r)} points at port ${port} of Service ${name}, which has ${(svc.spec.ports ?? []).map((p: any) => p.name ?? p.port)}`);
  };
  for (const r of routesOf(ms)) {
    if (r.kind === "IngressRoute") {
      for (const x of (r.spec.routes ?? []).flatMap((y: any) => y.services ?? [])) {
        if (x.kind === "TraefikService") {
          if (x.name !== "api@internal") problems.push(`${id(r)} points at TraefikService ${x.name}`);
        } else check(r, x.name, x.port);
      }
    } else {
      for (const rule of r.spec.rules ?? []) for (const p of rule.http?.paths ?? []) check(r, p.backend.service.name, p.backend.service.port.name ?? p.backend.service.port.number);
    }
  }
  return problems;
}
