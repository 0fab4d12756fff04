// `homelab:ingress`: Traefik (k3s-bundled), the security headers, the dashboard and certificates —
// settings, defaults and docs. Rules that relate them to the nodes and the cluster live in stacks/ingress.ts.
import { z } from "zod";
import { cidr, cidrProblem, email, intBetween, ipFamily, isBasicAuthUser, parseTaint, says } from "../kit/formats";
import { resourcesSettings } from "../kit/settings";
import { DEFAULT_HEADERS, ISSUER_CHOICES, MIN_HSTS_SECONDS, REFERRER_POLICIES } from "./spec";
import { MIN_TRAEFIK_CHART_MAJOR } from "./traefik-chart";


export const DEFAULT_TRAEFIK_RESOURCES = { cpu: "100m", memory: "64Mi", memoryLimit: "256Mi" } as const;

const trustedProxy = cidr.superRefine((c, ctx) => {
  if (cidrProblem(c) === undefined && c.endsWith("/0")) {
    ctx.addIssue({ code: "custom", message: says(`"${c}" trusts every address on the internet to set X-Forwarded-For`, "list only your LAN and tailnet ranges, e.g. [192.168.8.0/24, 100.64.0.0/10]") });
  }
});

const traefik = z
  .strictObject({
    replicas: intBetween(1, 10).optional().describe("Traefik pods (default 2, or the number of nodes that can run Traefik when fewer)"),
    spread: z.enum(["required", "preferred"]).default("required").describe("required (default): never two Traefik pods on one node"),
    chartMajor: intBetween(MIN_TRAEFIK_CHART_MAJOR, 99).optional().describe("major of the Traefik chart k3s bundles (default: looked up from the k3s version)"),
    trustedProxies: z.array(trustedProxy).optional().describe("CIDRs whose X-Forwarded-* headers are trusted (default: the nodes' own addresses)"),
    resources: resourcesSettings(DEFAULT_TRAEFIK_RESOURCES),
    accessLogs: z.boolean().default(true).describe("Traefik access logs (default true)"),
  })
  .prefault({})
  .describe("Traefik, the k3s-bundled ingress controller");

const headers = z
  .strictObject({
    stsSeconds: z
      .int()
      .min(MIN_HSTS_SECONDS, { error: (iss) => says(`HSTS max-age ${String(iss.input)} is below one year`, `use at least ${MIN_HSTS_SECONDS}`) })
      .max(2 ** 31 - 1)
      .default(DEFAULT_HEADERS.stsSeconds)
      .describe(`HSTS max-age in seconds (default and minimum ${MIN_HSTS_SECONDS}, one year)`),
    stsPreload: z.boolean().default(DEFAULT_HEADERS.stsPreload).describe("ask browsers to preload HSTS for the domain (default false; hard to undo)"),
    contentSecurityPolicy: z
      .string()
      .refine((v) => v.trim() !== "" && !/[\r\n]/.test(v), { error: () => says("must be one non-empty line", "write the policy on one line, directives separated by ';'") })
      .default(DEFAULT_HEADERS.contentSecurityPolicy)
      .describe("Content-Security-Policy header (default: no framing, no plugins, no <base> hijack)"),
    referrerPolicy: z.enum(REFERRER_POLICIES).default(DEFAULT_HEADERS.referrerPolicy).describe(`Referrer-Policy header (default ${DEFAULT_HEADERS.referrerPolicy})`),
  })
  .prefault({})
  .describe("security headers on every route");

const dashboard = z
  .strictObject({
    enabled: z.boolean().default(true).describe("serve the Traefik dashboard (default true)"),
    host: z.string().toLowerCase().optional().describe("dashboard host, directly under the domain (default dash.<domain>)"),
    user: z
      .string()
      .refine(isBasicAuthUser, { error: (iss) => says(`"${String(iss.input)}" is not a usable basic-auth user name`, "use letters, digits, '.', '_' or '-'") })
      .default("admin")
      .describe("basic-auth user (default admin; the password is generated)"),
  })
  .prefault({})
  .describe("the Traefik dashboard behind basic auth");

const certificates = z
  .strictObject({
    issuer: z.enum(ISSUER_CHOICES).default("letsencrypt").describe("letsencrypt (default), letsencrypt-staging or selfsigned"),
    email: email.optional().describe("ACME account e-mail (required for the Let's Encrypt issuers)"),
    solver: z.enum(["http01", "dns01"]).default("http01").describe("http01 (default, through Traefik) or dns01 (Cloudflare token in the secret homelab:cloudflareApiToken)"),
  })
  .prefault({})
  .describe("cert-manager certificates for every host");

export const ingressSettings = z
  .strictObject({ traefik, headers, dashboard, certificates })
  .prefault({})
  .describe("Traefik, the security headers, the dashboard and certificates");

/** What the ingress defaults depend on. */
export interface IngressContext {
  readonly domain: string;
  /** Every node's cluster and LAN addresses: the default trusted proxies. */
  readonly nodeAddresses: readonly string[];
  /** Nodes Traefik can be scheduled on. */
  readonly schedulableNodes: number;
}

export type IngressSettings = ReturnType<typeof resolveIngress>;

export function resolveIngress(s: z.output<typeof ingressSettings>, ctx: IngressContext) {
  const hostCidr = (a: string) => `${a}/${ipFamily(a) === 6 ? 128 : 32}`;
  return {
    ...s,
    traefik: {
      ...s.traefik,
      replicas: s.traefik.replicas ?? Math.max(1, Math.min(2, ctx.schedulableNodes)),
      trustedProxies: s.traefik.trustedProxies ?? ctx.nodeAddresses.filter((a) => ipFamily(a) !== undefined).map(hostCidr),
    },
    dashboard: { ...s.dashboard, host: s.dashboard.host ?? `dash.${ctx.domain}` },
  };
}

/** Taints k3s's Traefik tolerates (CriticalAddonsOnly and the control-plane taints). */
const TOLERATED_TAINT_KEYS = ["CriticalAddonsOnly", "node-role.kubernetes.io/control-plane", "node-role.kubernetes.io/master"];

/** Nodes a Traefik pod can be scheduled on: all but those with a taint it does not tolerate. */
export function traefikNodes<N extends { readonly taints: readonly string[] }>(nodes: readonly N[]): N[] {
  return nodes.filter((n) =>
    n.taints.every((t) => {
      const p = parseTaint(t);
      return !p || p.effect === "PreferNoSchedule" || TOLERATED_TAINT_KEYS.includes(p.key);
    }),
  );
}
