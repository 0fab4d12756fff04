// `homelab:ingress`: Traefik (k3s-bundled), the security headers, the dashboard and certificates.
// Parsing records field-level problems; validateIngress() relates the fields to the nodes, the
// cluster version, the domain and the secrets. Both name the config path and the fix.
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_K3S_VERSION } from "../components/cluster/types";
import {
  CertManagerArgs,
  DASHBOARD_ROUTE,
  DEFAULT_TRAEFIK_CHART,
  TRAEFIK_CRDS,
  TraefikIngressArgs,
  bundledTraefikChart,
  chartMajorOf,
  traefikNodes,
} from "../components/ingress";
import { MONITORING_CRDS, RouteSpec, checkRouteSpec, insecureRouteWarning, parseBytes, parseMillicores, routeHost } from "../components/kit";
import type { IssuerRef } from "../components/kit";
import type { Problems } from "../components/kit/problems";
import { isDns1035Label } from "../components/kit/formats";
import type { StackConfig, ValidateOptions } from "./config";
import { setSecretCommand } from "./schema";
import type { PodGroup } from "./schedule";

const PATH = "homelab:ingress";
/** Secret config key holding the Cloudflare API token for DNS-01. */
export const CLOUDFLARE_TOKEN_KEY = "cloudflareApiToken";

/**
 * k3s's Traefik as the capacity check sees it: its replicas, the nodes it may run on and its
 * requests. It is not one of our workload specs (k3s's chart runs it), but it lands on our nodes.
 */
export function traefikPodGroup(cfg: StackConfig): PodGroup {
  const t = cfg.ingress.traefik;
  return {
    workload: "traefik",
    replicas: t.replicas,
    eligible: traefikNodes(cfg.nodes).map((n) => n.name),
    spread: t.spread,
    cpuMillis: parseMillicores(t.resources.cpu) ?? 0,
    memoryBytes: parseBytes(t.resources.memory) ?? 0,
    memoryLimitBytes: parseBytes(t.resources.memoryLimit) ?? 0,
  };
}

/** Top-level names no public CA issues for. */
const PRIVATE_TLDS = ["test", "local", "localhost", "example", "invalid", "internal", "lan", "home", "arpa", "corp", "localdomain"];

/** The bundled Traefik chart's major: set by hand, or looked up from the pinned k3s version. */
export function traefikChartMajor(cfg: StackConfig): { major: number; source: string } | undefined {
  const t = cfg.ingress.traefik;
  if (t.chartMajor !== undefined) return { major: t.chartMajor, source: `${PATH}.traefik.chartMajor` };
  if (cfg.cluster.mode === "existing") {
    return DEFAULT_TRAEFIK_CHART ? { major: chartMajorOf(DEFAULT_TRAEFIK_CHART), source: `assumed (k3s ${DEFAULT_K3S_VERSION})` } : undefined;
  }
  const version = cfg.cluster.version ?? DEFAULT_K3S_VERSION;
  const c = bundledTraefikChart(version);
  return c ? { major: c.major, source: `k3s ${version} bundles chart ${c.chart} (${c.source})` } : undefined;
}

/** Every route the platform exposes, as pure specs with the config path that controls each. */
export function plannedRoutes(cfg: StackConfig): { spec: RouteSpec; path: string }[] {
  const out: { spec: RouteSpec; path: string }[] = [];
  const d = cfg.ingress.dashboard;
  if (d.enabled) out.push({ spec: { name: DASHBOARD_ROUTE, subdomain: subdomainOf(d.host, cfg.domain) ?? "dash" }, path: `${PATH}.dashboard.host` });
  const m = cfg.workloads.minio;
  if (m.enabled && m.console.enabled) out.push({ spec: { name: "minio-console", subdomain: m.console.subdomain }, path: "homelab:workloads.minio.console.subdomain" });
  return out;
}

/** The one DNS label of `host` under `domain`, or undefined when the host is not directly under it. */
export function subdomainOf(host: string, domain: string): string | undefined {
  const suffix = `.${domain}`;
  if (!host.endsWith(suffix)) return undefined;
  const label = host.slice(0, -suffix.length);
  return isDns1035Label(label) ? label : undefined;
}

export function validateIngress(cfg: StackConfig, opts: ValidateOptions, problems: Problems, warnings: string[]): void {
  const ing = cfg.ingress;
  const t = ing.traefik;
  const nodes = traefikNodes(cfg.nodes);
  const names = nodes.map((n) => n.name).join(", ") || "none";
  if (t.spread === "required" && t.replicas > nodes.length) {
    problems.add(`${PATH}.traefik.replicas`, `${t.replicas} Traefik replicas must each run on their own node, but only ${nodes.length} node(s) can run Traefik (${names})`, `lower replicas to ${Math.max(1, nodes.length)}, add nodes, or set ${PATH}.traefik.spread: preferred`);
  } else if (t.replicas < 2 && nodes.length >= 2) {
    warnings.push(`${PATH}.traefik.replicas is ${t.replicas} on a stack with ${nodes.length} nodes: ingress stops whenever that node does; set it to 2`);
  }

  const chart = traefikChartMajor(cfg);
  if (!chart) {
    const version = cfg.cluster.version ?? DEFAULT_K3S_VERSION;
    problems.add(`${PATH}.traefik.chartMajor`, `the Traefik chart bundled with k3s ${version} is not known, and its redirect setting depends on it`, `run "ls /var/lib/rancher/k3s/server/static/charts/" on a server and set chartMajor to the traefik chart's major (e.g. 40 for traefik-40.1.3+up40.1.0.tgz)`);
  } else if (cfg.cluster.mode === "existing" && t.chartMajor === undefined) {
    warnings.push(`${PATH}.traefik.chartMajor is not set for an existing cluster: assuming Traefik chart ${chart.major} (as in k3s ${DEFAULT_K3S_VERSION}); check with "ls /var/lib/rancher/k3s/server/static/charts/" on a server and set it`);
  }

  const c = ing.certificates;
  const letsEncrypt = c.issuer !== "selfsigned";
  if (letsEncrypt) {
    if (!c.email) problems.add(`${PATH}.certificates.email`, `is required for the ${c.issuer} issuer (the ACME account's address)`, `set it, e.g. email: you@${cfg.domain.split(".").slice(-2).join(".")}, or use issuer: selfsigned`);
    else if (/@example\.(com|net|org)$/i.test(c.email)) problems.add(`${PATH}.certificates.email`, `Let's Encrypt refuses addresses at ${c.email.split("@")[1]}`, "use a real address");
    const tld = cfg.domain.slice(cfg.domain.lastIndexOf(".") + 1);
    if (PRIVATE_TLDS.includes(tld)) {
      problems.add(`${PATH}.certificates.issuer`, `Let's Encrypt cannot issue certificates for ${cfg.domain} (.${tld} is not a public name)`, "use issuer: selfsigned for a private domain, or a public domain you control");
    }
    if (c.solver === "http01" && !cfg.nodes.some((n) => n.externalAddress)) {
      warnings.push(`${PATH}.certificates.solver is http01, which needs every host's DNS to point at an address reachable from the internet on port 80; no node has an externalAddress. For hosts reachable only on the LAN or the tailnet use solver: dns01 with ${CLOUDFLARE_TOKEN_KEY}`);
    }
  }
  if (c.solver === "dns01") {
    if (!letsEncrypt) warnings.push(`${PATH}.certificates.solver: dns01 has no effect with issuer: selfsigned`);
    else if (!cfg.secretsPresent.includes(CLOUDFLARE_TOKEN_KEY)) {
      const how = `${setSecretCommand(CLOUDFLARE_TOKEN_KEY)} (paste a token with Zone:DNS:Edit on ${cfg.domain})`;
      if (opts.requireSecrets) problems.add(`homelab:${CLOUDFLARE_TOKEN_KEY}`, "is not set (the dns01 solver needs it)", `run: ${how}`);
      else warnings.push(`homelab:${CLOUDFLARE_TOKEN_KEY} is not set: pulumi up will need it for dns01 (${how})`);
    }
  }

  if (ing.dashboard.enabled && !subdomainOf(ing.dashboard.host, cfg.domain)) {
    problems.add(`${PATH}.dashboard.host`, `"${ing.dashboard.host}" is not a host directly under the stack's domain ${cfg.domain}`, `use <name>.${cfg.domain}, e.g. dash.${cfg.domain}`);
  }
  const hosts = new Map<string, string>();
  for (const r of plannedRoutes(cfg)) {
    try {
      checkRouteSpec(r.spec);
    } catch (e) {
      problems.add(r.path, (e as Error).message, "fix the route's settings");
      continue;
    }
    const host = routeHost(r.spec, cfg.domain);
    const other = hosts.get(host);
    if (other) problems.add(r.path, `host ${host} is already routed by ${other}`, "give every route its own host");
    else hosts.set(host, r.path);
    const w = insecureRouteWarning(r.spec, cfg.domain);
    if (w) warnings.push(w);
  }
}

/** Args of the Traefik component; `namespace` holds the routes. */
export function traefikArgs(cfg: StackConfig, issuer: IssuerRef, issuerReady: readonly pulumi.Resource[]): TraefikIngressArgs {
  const t = cfg.ingress.traefik;
  const chart = traefikChartMajor(cfg);
  if (!chart) throw new Error("the Traefik chart major is unknown: validation should have refused this config");
  const d = cfg.ingress.dashboard;
  return {
    namespace: cfg.namespace,
    domain: cfg.domain,
    replicas: t.replicas,
    spread: t.spread,
    schedulableNodes: traefikNodes(cfg.nodes).length,
    chartMajor: chart.major,
    trustedProxies: t.trustedProxies,
    resources: t.resources,
    accessLogs: t.accessLogs,
    headers: cfg.ingress.headers,
    issuer,
    issuerReady,
    dashboard: d.enabled ? { subdomain: subdomainOf(d.host, cfg.domain) ?? "dash", user: d.user } : undefined,
  };
}

export function certManagerArgs(cfg: StackConfig, secrets: Readonly<Record<string, pulumi.Output<string>>>): CertManagerArgs {
  const c = cfg.ingress.certificates;
  const token = secrets[CLOUDFLARE_TOKEN_KEY];
  return {
    issuer: c.issuer,
    email: c.email,
    domain: cfg.domain,
    // The first deploy of a new k3s cluster creates Middlewares before k3s has installed Traefik's CRDs.
    // The kit's monitors and the alert rules need the Prometheus Operator's CRDs (observability installs them).
    waitForCrds: [...TRAEFIK_CRDS, ...MONITORING_CRDS],
    // An offline render has no secret values; the Secret then carries an empty (redacted) token.
    solver: c.solver === "dns01" ? { kind: "dns01", provider: "cloudflare", apiToken: token ?? pulumi.secret("") } : { kind: "http01" },
  };
}
