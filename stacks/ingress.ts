// `homelab:ingress`: Traefik (k3s-bundled), the security headers, the dashboard and certificates.
// Parsing records field-level problems; validateIngress() relates the fields to the nodes, the
// cluster version, the domain and the secrets. Both name the config path and the fix.
import { isIP } from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { DEFAULT_K3S_VERSION } from "../components/cluster/types";
import {
  CertManagerArgs,
  DASHBOARD_ROUTE,
  DEFAULT_HEADERS,
  DEFAULT_TRAEFIK_CHART,
  HeadersPolicy,
  ISSUER_CHOICES,
  IssuerChoice,
  MIN_HSTS_SECONDS,
  MIN_TRAEFIK_CHART_MAJOR,
  REFERRER_POLICIES,
  TRAEFIK_CRDS,
  ReferrerPolicy,
  TraefikIngressArgs,
  TraefikSpread,
  bundledTraefikChart,
  chartMajorOf,
} from "../components/ingress";
import { RouteSpec, ResourceSpec, checkRouteSpec, insecureRouteWarning, parseBytes, parseMillicores, routeHost } from "../components/kit";
import type { IssuerRef } from "../components/kit";
import { Fields } from "./fields";
import type { NodeConfig, StackConfig } from "./model";
import { Problems } from "./problems";
import type { ValidateOptions } from "./validate";
import type { PodGroup } from "./schedule";

const PATH = "homelab:ingress";
/** Secret config key holding the Cloudflare API token for DNS-01. */
export const CLOUDFLARE_TOKEN_KEY = "cloudflareApiToken";

export interface TraefikConfig {
  /** Default: 2, or the number of nodes that can run Traefik when fewer. */
  readonly replicas: number;
  /** Default `required`: never two Traefik pods on one node. */
  readonly spread: TraefikSpread;
  /** The bundled chart's major, when set by hand; default from the k3s version. */
  readonly chartMajor?: number;
  /** CIDRs whose X-Forwarded-* headers are trusted. Default: the nodes' own addresses. */
  readonly trustedProxies: readonly string[];
  readonly resources: ResourceSpec;
  /** Default true. */
  readonly accessLogs: boolean;
}

export interface DashboardConfig {
  /** Default true. */
  readonly enabled: boolean;
  /** Default `dash.<domain>`. */
  readonly host: string;
  /** Basic-auth user; default `admin`. */
  readonly user: string;
}

export interface CertificatesConfig {
  /** Default `letsencrypt`. */
  readonly issuer: IssuerChoice;
  /** ACME account e-mail (required for the Let's Encrypt issuers). */
  readonly email?: string;
  /** Default `http01` (through Traefik). `dns01` uses the Cloudflare token in the secret homelab:cloudflareApiToken. */
  readonly solver: "http01" | "dns01";
}

export interface IngressConfig {
  readonly traefik: TraefikConfig;
  readonly headers: HeadersPolicy;
  readonly dashboard: DashboardConfig;
  readonly certificates: CertificatesConfig;
}

export const DEFAULT_TRAEFIK_RESOURCES: ResourceSpec = { cpu: "100m", memory: "64Mi", memoryLimit: "256Mi" };

/** Taints k3s's Traefik tolerates (CriticalAddonsOnly and the control-plane taints). */
const TOLERATED_TAINT_KEYS = ["CriticalAddonsOnly", "node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"];

/** Nodes a Traefik pod can be scheduled on: all but those with a taint it does not tolerate. */
export function traefikNodes(nodes: readonly NodeConfig[]): NodeConfig[] {
  return nodes.filter((n) =>
    n.taints.every((t) => {
      const m = /^([^=:]+)(=[^:]*)?:(\w+)$/.exec(t);
      return !m || m[3] === "PreferNoSchedule" || TOLERATED_TAINT_KEYS.includes(m[1]);
    }),
  );
}

/** Why a CIDR is unacceptable as a trusted proxy range, or undefined when it is fine. */
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

export function cidrProblem(cidr: string): string | undefined {
  const parts = cidr.split("/");
  const family = isIP(parts[0]);
  if (parts.length !== 2 || family === 0 || !/^\d{1,3}$/.test(parts[1])) return `"${cidr}" is not a CIDR such as 192.168.8.0/24 or 100.64.0.0/10`;
  const bits = Number(parts[1]);
  const max = family === 4 ? 32 : 128;
  if (bits > max) return `"${cidr}": an IPv${family} prefix is at most /${max}`;
  if (bits === 0) return `"${cidr}" trusts every address on the internet to set X-Forwarded-For`;
  return undefined;
}

function hostCidr(address: string): string {
  return `${address}/${isIP(address) === 6 ? 128 : 32}`;
}

const EMAIL = /^[^@\s]+@([a-z0-9-]+\.)+[a-z]{2,}$/i;
/** Top-level names no public CA issues for. */
const PRIVATE_TLDS = ["test", "local", "localhost", "example", "invalid", "internal", "lan", "home", "arpa", "corp", "localdomain"];

export function parseIngress(value: unknown, ctx: { domain: string; nodes: readonly NodeConfig[] }, problems: Problems): IngressConfig {
  const f = Fields.of(value, PATH, problems);
  f.only(["traefik", "headers", "dashboard", "certificates"]);

  const t = f.obj("traefik");
  t.only(["replicas", "spread", "chartMajor", "trustedProxies", "resources", "accessLogs"]);
  const schedulable = traefikNodes(ctx.nodes).length;
  const r = t.obj("resources");
  r.only(["cpu", "memory", "memoryLimit", "cpuLimit"]);
  const d = DEFAULT_TRAEFIK_RESOURCES;
  const resources: ResourceSpec = {
    cpu: r.str("cpu", d.cpu),
    memory: r.str("memory", d.memory),
    memoryLimit: r.str("memoryLimit", d.memoryLimit),
    ...(r.has("cpuLimit") ? { cpuLimit: r.str("cpuLimit") } : {}),
  };
  for (const k of ["cpu", "memory", "memoryLimit", "cpuLimit"] as const) {
    const v = resources[k];
    if (v === undefined) continue;
    const ok = k.startsWith("cpu") ? parseMillicores(v) !== undefined : parseBytes(v) !== undefined;
    if (!ok) problems.add(r.at(k), `"${v}" is not a valid Kubernetes quantity`, k.startsWith("cpu") ? `use e.g. "100m" or "1"` : `use e.g. "64Mi" or "1Gi"`);
  }
  const mem = parseBytes(resources.memory);
  const lim = parseBytes(resources.memoryLimit);
  if (mem !== undefined && lim !== undefined && lim < mem) problems.add(r.at("memoryLimit"), `limit ${resources.memoryLimit} is below the request ${resources.memory}`, "raise memoryLimit to at least memory");
  const trusted = t.strings("trustedProxies", ctx.nodes.flatMap((n) => [n.address, n.lanAddress]).filter((a): a is string => !!a && isIP(a) !== 0).map(hostCidr));
  trusted.forEach((c, i) => {
    const p = cidrProblem(c);
    if (p) problems.add(`${t.at("trustedProxies")}[${i}]`, p, "list only your LAN and tailnet ranges, e.g. [192.168.8.0/24, 100.64.0.0/10]");
  });
  const traefik: TraefikConfig = {
    replicas: t.int("replicas", Math.max(1, Math.min(2, schedulable)), 1, 10),
    spread: t.oneOf("spread", ["required", "preferred"] as const, "required"),
    chartMajor: t.has("chartMajor") ? t.int("chartMajor", MIN_TRAEFIK_CHART_MAJOR, MIN_TRAEFIK_CHART_MAJOR, 99) : undefined,
    trustedProxies: trusted,
    resources,
    accessLogs: t.bool("accessLogs", true),
  };

  const h = f.obj("headers");
  h.only(["stsSeconds", "stsPreload", "contentSecurityPolicy", "referrerPolicy"]);
  const stsSeconds = h.int("stsSeconds", DEFAULT_HEADERS.stsSeconds, 0, 2 ** 31 - 1);
  if (stsSeconds < MIN_HSTS_SECONDS) problems.add(h.at("stsSeconds"), `HSTS max-age ${stsSeconds} is below one year`, `use at least ${MIN_HSTS_SECONDS}`);
  const csp = h.str("contentSecurityPolicy", DEFAULT_HEADERS.contentSecurityPolicy);
  if (!csp.trim() || /[\r\n]/.test(csp)) problems.add(h.at("contentSecurityPolicy"), "must be one non-empty line", "write the policy on one line, directives separated by ';'");
  const headers: HeadersPolicy = {
    stsSeconds,
    stsPreload: h.bool("stsPreload", DEFAULT_HEADERS.stsPreload),
    contentSecurityPolicy: csp,
    referrerPolicy: h.oneOf<ReferrerPolicy>("referrerPolicy", REFERRER_POLICIES, DEFAULT_HEADERS.referrerPolicy),
  };

  const db = f.obj("dashboard");
  db.only(["enabled", "host", "user"]);
  const user = db.str("user", "admin");
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(user)) problems.add(db.at("user"), `"${user}" is not a usable basic-auth user name`, "use letters, digits, '.', '_' or '-'");
  const dashboard: DashboardConfig = { enabled: db.bool("enabled", true), host: db.str("host", `dash.${ctx.domain}`).toLowerCase(), user };

  const c = f.obj("certificates");
  c.only(["issuer", "email", "solver"]);
  const email = c.str("email");
  if (email !== undefined && !EMAIL.test(email)) problems.add(c.at("email"), `"${email}" is not an e-mail address`, "set the address Let's Encrypt may write to, e.g. you@yourdomain.net");
  const certificates: CertificatesConfig = {
    issuer: c.oneOf("issuer", ISSUER_CHOICES, "letsencrypt"),
    email,
    solver: c.oneOf("solver", ["http01", "dns01"] as const, "http01"),
  };
  return { traefik, headers, dashboard, certificates };
}

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
  return out;
}

/** The one DNS label of `host` under `domain`, or undefined when the host is not directly under it. */
export function subdomainOf(host: string, domain: string): string | undefined {
  const suffix = `.${domain}`;
  if (!host.endsWith(suffix)) return undefined;
  const label = host.slice(0, -suffix.length);
  return /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(label) ? label : undefined;
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
    const tld = cfg.domain.split(".").pop() ?? "";
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
      const how = `pulumi config set --secret homelab:${CLOUDFLARE_TOKEN_KEY} <token with Zone:DNS:Edit on ${cfg.domain}>`;
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
    waitForCrds: [...TRAEFIK_CRDS],
    // An offline render has no secret values; the Secret then carries an empty (redacted) token.
    solver: c.solver === "dns01" ? { kind: "dns01", provider: "cloudflare", apiToken: token ?? pulumi.secret("") } : { kind: "http01" },
  };
}
