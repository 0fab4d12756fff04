// Ingress invariants over every rendered stack: every route is HTTPS with the security headers and
// a certificate from an issuer that exists (unless it says why not), and points at a Service port
// that exists in the same render; the k3s Traefik config says what the stack asked for.
import YAML from "yaml";
import { CERT_MANAGER_NAMESPACE, HTTP_NESTED_FROM_MAJOR } from "../../components/ingress";
import { CHART_BACKEND_ANNOTATION, INSECURE_REASON_ANNOTATION } from "../../components/kit";
import { splitConfig, validateRaw } from "../../stacks";
import { traefikChartMajor } from "../../stacks/ingress";
import { traefikNodes } from "../../components/ingress/settings";
import { readStackFile } from "../../tools/lib/stack-file";
import type { Manifest } from "../../tools/lib/manifests";
import { RenderedStack, ofKind, rendered, stackNames } from "../harness";

const ROUTE_KINDS = ["IngressRoute", "Ingress"];

/** The promise, stated here rather than read from the code under test: browsers keep HTTPS-only for a year at least. */
const ONE_YEAR_SECONDS = 365 * 24 * 60 * 60;

function id(m: Manifest): string {
  return `${m.kind} ${m.metadata?.namespace ?? ""}/${m.metadata?.name}`;
}

function config(stack: string) {
  return validateRaw(stack, splitConfig(readStackFile(stack).config), { requireSecrets: false }).config;
}

/**
 * helm.cattle.io objects, read from the recorded resources: tools/lib/manifests.ts's isKubernetes()
 * drops every type starting "kubernetes:helm", which also catches "kubernetes:helm.cattle.io/…".
 */
function helmObjects(s: RenderedStack, k: "HelmChart" | "HelmChartConfig"): Manifest[] {
  const fromManifests = ofKind(s, k);
  if (fromManifests.length) return fromManifests;
  return s.resources.filter((r) => r.type === `kubernetes:helm.cattle.io/v1:${k}`).map((r) => r.inputs);
}

function isHeadersMiddleware(m: Manifest): boolean {
  const h = m.spec?.headers;
  return !!h && h.frameDeny === true && h.contentTypeNosniff === true && h.browserXssFilter === true && h.stsSeconds >= ONE_YEAR_SECONDS && h.stsIncludeSubdomains === true && !!h.referrerPolicy && !!h.contentSecurityPolicy;
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

function routesOf(ms: readonly Manifest[]): Manifest[] {
  return ms.filter((m) => ROUTE_KINDS.includes(m.kind));
}

/** Routes without the security-headers Middleware (unless opted out with a reason), or using a missing one. */
function headerProblems(ms: readonly Manifest[]): string[] {
  const middlewares = new Map(kind(ms, "Middleware").map((m) => [`${m.metadata.namespace}/${m.metadata.name}`, m]));
  const problems: string[] = [];
  for (const r of routesOf(ms)) {
    const refs = routeMiddlewares(r);
    for (const ref of refs) if (!middlewares.has(ref)) problems.push(`${id(r)} uses Middleware ${ref}, which the render does not contain`);
    if (insecure(r)) {
      if (!String(r.metadata.annotations[INSECURE_REASON_ANNOTATION]).trim()) problems.push(`${id(r)} opted out without a reason`);
      continue;
    }
    if (!refs.some((ref) => middlewares.get(ref) && isHeadersMiddleware(middlewares.get(ref)!))) problems.push(`${id(r)} has no security-headers Middleware`);
  }
  return problems;
}

/** Routes that are not HTTPS-only with a Certificate for their hosts from an issuer in the render. */
function tlsProblems(ms: readonly Manifest[]): string[] {
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
function backendProblems(ms: readonly Manifest[]): string[] {
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

describe("the route checks catch what they promise to", () => {
  const ns = "homelab";
  const headers = { kind: "Middleware", metadata: { name: "security-headers", namespace: ns }, spec: { headers: { frameDeny: true, contentTypeNosniff: true, browserXssFilter: true, stsSeconds: ONE_YEAR_SECONDS, stsIncludeSubdomains: true, referrerPolicy: "no-referrer", contentSecurityPolicy: "frame-ancestors 'none'" } } };
  const svc = { kind: "Service", metadata: { name: "app", namespace: ns }, spec: { ports: [{ name: "http", port: 80 }] } };
  const issuer = { kind: "ClusterIssuer", metadata: { name: "letsencrypt" }, spec: {} };
  const cert = { kind: "Certificate", metadata: { name: "app-tls", namespace: ns }, spec: { secretName: "app-tls", dnsNames: ["app.x.net"], issuerRef: { name: "letsencrypt" } } };
  const route = (over: Record<string, any> = {}, svcPort = "http", mws = [{ name: "security-headers" }]) => ({
    kind: "IngressRoute",
    metadata: { name: "app", namespace: ns, annotations: {} },
    spec: { entryPoints: ["websecure"], routes: [{ match: "Host(`app.x.net`)", middlewares: mws, services: [{ name: "app", port: svcPort }] }], tls: { secretName: "app-tls" }, ...over },
  });
  const good = [headers, svc, issuer, cert];
  it("a well-formed route passes", () => {
    const ms = [...good, route()];
    expect([...headerProblems(ms), ...tlsProblems(ms), ...backendProblems(ms)]).toEqual([]);
  });
  it("flags a missing headers Middleware, missing TLS, a missing port and a certificate for another host", () => {
    expect(headerProblems([...good, route({}, "http", [])])).toEqual([`IngressRoute ${ns}/app has no security-headers Middleware`]);
    expect(tlsProblems([...good, route({ tls: undefined })])).toContain(`IngressRoute ${ns}/app has no TLS`);
    expect(tlsProblems([headers, svc, cert, route()])).toContain(`IngressRoute ${ns}/app: issuer letsencrypt is not in the render`);
    expect(tlsProblems([headers, svc, issuer, { ...cert, spec: { ...cert.spec, dnsNames: ["other.x.net"] } }, route()])).toContain(`IngressRoute ${ns}/app: the certificate does not cover app.x.net`);
    expect(backendProblems([...good, route({}, "metrics")])).toEqual([`IngressRoute ${ns}/app points at port metrics of Service app, which has http`]);
    expect(backendProblems([headers, issuer, cert, route()])).toEqual([`IngressRoute ${ns}/app points at Service app, which the render does not contain`]);
  });
});

describe.each(stackNames())("stack %s: ingress", (stack) => {
  const s = () => rendered(stack);

  it("exposes at least the dashboard, on a host under the stack's domain", () => {
    const cfg = config(stack);
    expect(s().plan.hosts).toContain(cfg.ingress.dashboard.host);
    for (const h of s().plan.hosts) expect(h.endsWith(`.${cfg.domain}`)).toBe(true);
  });

  it("every route carries the security-headers Middleware, unless it opted out with a reason", () => {
    expect(routesOf(s().manifests).length).toBeGreaterThan(0);
    expect(headerProblems(s().manifests)).toEqual([]);
  });

  it("every route is HTTPS-only with a Certificate for its hosts from an issuer in the render", () => {
    expect(tlsProblems(s().manifests)).toEqual([]);
  });

  it("every route points at a Service and port that exist in the same render (or Traefik's own API)", () => {
    expect(backendProblems(s().manifests)).toEqual([]);
  });

  it("the HelmChartConfig valuesContent is YAML with the stack's replicas, spread, redirect, metrics and trusted proxies", () => {
    const cfg = config(stack);
    const hcc = helmObjects(s(), "HelmChartConfig");
    expect(hcc.map((h) => `${h.metadata.namespace}/${h.metadata.name}`)).toEqual(["kube-system/traefik"]);
    const v = YAML.parse(hcc[0].spec.valuesContent);
    expect(v.deployment.replicas).toBe(cfg.ingress.traefik.replicas);
    if (cfg.ingress.traefik.replicas > 1) {
      expect(v.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0].topologyKey).toBe("kubernetes.io/hostname");
      expect(cfg.ingress.traefik.replicas).toBeLessThanOrEqual(traefikNodes(cfg.nodes).length);
    }
    expect(v.podDisruptionBudget.enabled).toBe(true);
    const major = traefikChartMajor(cfg)!.major;
    const redirect = major >= HTTP_NESTED_FROM_MAJOR ? v.ports.web.http?.redirections?.entryPoint : v.ports.web.redirections?.entryPoint;
    expect(redirect).toMatchObject({ to: "websecure", scheme: "https", permanent: true });
    expect(v.metrics.prometheus.entryPoint).toBe("metrics");
    expect(v.logs.access.enabled).toBe(true);
    expect(v.api.dashboard).toBe(true);
    for (const ep of ["web", "websecure"]) {
      expect(v.ports[ep].forwardedHeaders.insecure).toBe(false);
      expect(v.ports[ep].forwardedHeaders.trustedIPs).toEqual(cfg.ingress.traefik.trustedProxies);
      expect(v.ports[ep].forwardedHeaders.trustedIPs).not.toContain("0.0.0.0/0");
    }
  });

  it("cert-manager comes from a pinned k3s HelmChart with its CRDs, and issuers wait behind the readiness Job", () => {
    const charts = helmObjects(s(), "HelmChart");
    const cm = charts.find((c) => c.metadata.name === "cert-manager");
    expect(cm).toBeDefined();
    expect(cm!.metadata.namespace).toBe("kube-system");
    expect(cm!.spec.targetNamespace).toBe(CERT_MANAGER_NAMESPACE);
    expect(cm!.spec.version).toMatch(/^v\d+\.\d+\.\d+$/);
    expect(YAML.parse(cm!.spec.valuesContent).crds.enabled).toBe(true);
    const job = ofKind(s(), "Job").find((j) => j.metadata.name === "cert-manager-ready");
    expect(job?.metadata.namespace).toBe(CERT_MANAGER_NAMESPACE);
    const c = job!.spec.template.spec.containers[0];
    expect(c.image).toMatch(/:\d+\.\d+\.\d+$/);
    // It also holds the Traefik Middlewares back until k3s has installed Traefik's CRDs.
    const crds = String(c.env.find((e: any) => e.name === "CRDS").value).split(" ");
    expect(crds).toEqual(expect.arrayContaining(["clusterissuers.cert-manager.io", "certificates.cert-manager.io", "middlewares.traefik.io", "ingressroutes.traefik.io"]));
  });

  it("the issuer matches the stack: Let's Encrypt with an e-mail, or the self-signed CA chain", () => {
    const cfg = config(stack);
    const issuers = new Map(ofKind(s(), "ClusterIssuer").map((i) => [i.metadata.name, i]));
    const used = new Set(ofKind(s(), "Certificate").filter((c) => c.metadata.namespace === cfg.namespace).map((c) => c.spec.issuerRef.name));
    expect([...used]).toEqual([cfg.ingress.certificates.issuer]);
    if (cfg.ingress.certificates.issuer === "selfsigned") {
      expect(issuers.get("selfsigned")!.spec.ca.secretName).toBeTruthy();
      expect(issuers.get("selfsigned-root")!.spec.selfSigned).toEqual({});
      expect(issuers.has("letsencrypt")).toBe(false);
    } else {
      for (const n of ["letsencrypt", "letsencrypt-staging"]) {
        expect(issuers.get(n)!.spec.acme.email).toBe(cfg.ingress.certificates.email);
        expect(issuers.get(n)!.spec.acme.solvers.length).toBe(1);
      }
      expect(issuers.get("letsencrypt-staging")!.spec.acme.server).toMatch(/acme-staging-v02/);
    }
  });
});

describe("the stacks the issue names", () => {
  const values = (stack: string) => YAML.parse(helmObjects(rendered(stack), "HelmChartConfig")[0].spec.valuesContent);
  it.each(["homelab", "prod"])("%s: two Traefik replicas, one per node, Let's Encrypt", (stack) => {
    const v = values(stack);
    expect(v.deployment.replicas).toBe(2);
    expect(v.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(ofKind(rendered(stack), "Certificate").every((c) => c.spec.issuerRef.name.startsWith("letsencrypt"))).toBe(true);
  });
  it("dev: one replica and self-signed certificates", () => {
    expect(values("dev").deployment.replicas).toBe(1);
    const route = ofKind(rendered("dev"), "Certificate").find((c) => c.metadata.name === "traefik-dashboard-tls");
    expect(route!.spec.issuerRef.name).toBe("selfsigned");
  });
});
