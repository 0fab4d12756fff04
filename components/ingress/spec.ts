// The ingress layer as pure values: the k3s Traefik chart values, the security headers, the
// cert-manager chart and its issuers. The components emit these; tests and validation read them
// without creating anything.
import type { ResourceSpec } from "../kit";
import { HOSTNAME_LABEL } from "../kit";
import { webRedirectValues } from "./traefik-chart";

// ---------------------------------------------------------------- Traefik (k3s-bundled chart)

/** k3s installs Traefik as the Helm release "traefik" in kube-system; HelmChartConfig must match both. */
export const TRAEFIK_RELEASE = "traefik";
export const KUBE_SYSTEM = "kube-system";
/** Labels the chart puts on Traefik's pods (instance is `<release>-<namespace>`). */
export const TRAEFIK_POD_LABELS = { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": `${TRAEFIK_RELEASE}-${KUBE_SYSTEM}` };
/** CRDs k3s installs with Traefik (asynchronously, like any HelmChart) that our routes use. */
export const TRAEFIK_CRDS = ["middlewares.traefik.io", "ingressroutes.traefik.io"] as const;
/** Port of the chart's `metrics` entry point, where Prometheus metrics are served. */
export const TRAEFIK_METRICS_PORT = 9100;

export type TraefikSpread = "required" | "preferred";

export interface TraefikValuesArgs {
  readonly replicas: number;
  /** `required`: at most one replica per node. `preferred`: best effort. */
  readonly spread: TraefikSpread;
  /** Nodes a Traefik pod may run on (for the rolling-update strategy under required spread). */
  readonly schedulableNodes: number;
  /** Major of the chart k3s bundles: decides the redirect key (see traefik-chart.ts). */
  readonly chartMajor: number;
  /** CIDRs whose X-Forwarded-* headers Traefik trusts; everyone else's are overwritten. */
  readonly trustedProxies: readonly string[];
  readonly resources: ResourceSpec;
  readonly accessLogs: boolean;
}

/** Values merged over k3s's own for its Traefik release (HelmChartConfig `valuesContent`). */
export function traefikValues(a: TraefikValuesArgs): Record<string, unknown> {
  if (!Number.isInteger(a.replicas) || a.replicas < 1) throw new Error(`Traefik replicas must be a whole number ≥ 1, got ${a.replicas}`);
  if (a.spread === "required" && a.replicas > a.schedulableNodes) {
    throw new Error(`${a.replicas} Traefik replicas cannot each get their own node: only ${a.schedulableNodes} node(s) can run them`);
  }
  const term = { labelSelector: { matchLabels: { ...TRAEFIK_POD_LABELS } }, topologyKey: HOSTNAME_LABEL };
  // A single replica has nothing to spread from; keeping it free of anti-affinity lets a rollout
  // start the new pod before stopping the old one, even on a one-node stack.
  const spread = a.replicas > 1 ? a.spread : undefined;
  const affinity = spread === "required"
    ? { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } }
    : spread === "preferred"
      ? { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } }
      : undefined;
  // With one replica per node on every node, a surge pod has nowhere to go and a rollout would hang:
  // replace pods one at a time instead (the others keep serving).
  const full = spread === "required" && a.replicas >= a.schedulableNodes;
  const forwardedHeaders = () => ({ trustedIPs: [...a.trustedProxies], insecure: false });
  const r = a.resources;
  return {
    deployment: {
      replicas: a.replicas,
      podAnnotations: { "prometheus.io/scrape": "true", "prometheus.io/port": String(TRAEFIK_METRICS_PORT), "prometheus.io/path": "/metrics" },
    },
    updateStrategy: { type: "RollingUpdate", rollingUpdate: full ? { maxUnavailable: 1, maxSurge: 0 } : { maxUnavailable: 0, maxSurge: 1 } },
    // maxUnavailable 1: a drain evicts one Traefik at a time; a single replica can still be drained.
    podDisruptionBudget: { enabled: true, maxUnavailable: 1 },
    ...(affinity ? { affinity } : {}),
    ports: {
      web: { ...webRedirectValues(a.chartMajor), forwardedHeaders: forwardedHeaders() },
      websecure: { forwardedHeaders: forwardedHeaders() },
      // Pinned so the scrape annotation above names the right port whatever k3s's defaults say.
      metrics: { port: TRAEFIK_METRICS_PORT },
    },
    api: { dashboard: true },
    // The chart's own dashboard route listens on the unexposed `traefik` entry point; ours goes
    // through the kit's route helper (HTTPS, headers, basic auth).
    ingressRoute: { dashboard: { enabled: false } },
    metrics: {
      prometheus: {
        entryPoint: "metrics",
        addEntryPointsLabels: true,
        addRoutersLabels: true,
        addServicesLabels: true,
        service: { enabled: true },
      },
    },
    // Headers are dropped from access logs (the chart's default), so Authorization never lands in them.
    logs: { access: { enabled: a.accessLogs, format: "json" } },
    resources: {
      requests: { cpu: r.cpu, memory: r.memory },
      limits: { memory: r.memoryLimit, ...(r.cpuLimit ? { cpu: r.cpuLimit } : {}) },
    },
    global: { checkNewVersion: false, sendAnonymousUsage: false },
  };
}

// ---------------------------------------------------------------- security headers

/** One year: the minimum HSTS max-age browsers' preload lists accept. */
export const MIN_HSTS_SECONDS = 31_536_000;
export const REFERRER_POLICIES = [
  "no-referrer", "no-referrer-when-downgrade", "origin", "origin-when-cross-origin",
  "same-origin", "strict-origin", "strict-origin-when-cross-origin",
] as const;
export type ReferrerPolicy = (typeof REFERRER_POLICIES)[number];

/**
 * Protections that break no app: no framing by other sites, no <base> hijack, no plugins, and
 * mixed content upgraded. A stricter script/style policy is per-stack config (apps differ).
 */
export const DEFAULT_CSP = "frame-ancestors 'none'; base-uri 'self'; object-src 'none'; upgrade-insecure-requests";

export interface HeadersPolicy {
  /** HSTS max-age, ≥ one year. */
  readonly stsSeconds: number;
  /** Ask browsers to preload HSTS for the domain (hard to undo: opt in deliberately). */
  readonly stsPreload: boolean;
  readonly contentSecurityPolicy: string;
  readonly referrerPolicy: ReferrerPolicy;
}

export const DEFAULT_HEADERS: HeadersPolicy = {
  stsSeconds: MIN_HSTS_SECONDS,
  stsPreload: false,
  contentSecurityPolicy: DEFAULT_CSP,
  referrerPolicy: "strict-origin-when-cross-origin",
};

/** `spec.headers` of the security-headers Middleware (traefik.io/v1alpha1). */
export function securityHeaders(p: HeadersPolicy): Record<string, unknown> {
  if (!Number.isInteger(p.stsSeconds) || p.stsSeconds < MIN_HSTS_SECONDS) {
    throw new Error(`HSTS max-age must be at least ${MIN_HSTS_SECONDS} s (one year), got ${p.stsSeconds}`);
  }
  if (!p.contentSecurityPolicy.trim() || /[\r\n]/.test(p.contentSecurityPolicy)) {
    throw new Error("the Content-Security-Policy must be one non-empty line");
  }
  return {
    browserXssFilter: true, // X-XSS-Protection: 1; mode=block
    frameDeny: true, // X-Frame-Options: DENY
    contentTypeNosniff: true, // X-Content-Type-Options: nosniff
    stsSeconds: p.stsSeconds,
    stsIncludeSubdomains: true,
    stsPreload: p.stsPreload,
    referrerPolicy: p.referrerPolicy,
    contentSecurityPolicy: p.contentSecurityPolicy,
  };
}

// ---------------------------------------------------------------- cert-manager

export const CERT_MANAGER_NAMESPACE = "cert-manager";
export const CERT_MANAGER_CRDS = ["clusterissuers.cert-manager.io", "certificates.cert-manager.io"] as const;
/**
 * The jetstack chart, pinned. v1.21.2 (seen in Renovate bumps of public homelab repos). Since chart
 * v1.15 the CRDs are installed with `crds.enabled` (`installCRDs` is deprecated) and kept on
 * uninstall with `crds.keep`.
 */
export const CERT_MANAGER_CHART = { repo: "https://charts.jetstack.io", chart: "cert-manager", version: "v1.21.2" } as const;

export const LETSENCRYPT_SERVERS = {
  "letsencrypt": "https://acme-v02.api.letsencrypt.org/directory",
  "letsencrypt-staging": "https://acme-staging-v02.api.letsencrypt.org/directory",
} as const;

export const ISSUER_CHOICES = ["letsencrypt", "letsencrypt-staging", "selfsigned"] as const;
export type IssuerChoice = (typeof ISSUER_CHOICES)[number];
/** The bootstrap issuer that signs the self-signed CA (the `selfsigned` ClusterIssuer is that CA). */
export const SELFSIGNED_ROOT_ISSUER = "selfsigned-root";
export const SELFSIGNED_CA_SECRET = "homelab-selfsigned-ca";

/** ACME challenge: HTTP-01 through Traefik (hosts reachable on port 80 from the internet), or DNS-01. */
export type AcmeSolver =
  | { readonly kind: "http01" }
  | { readonly kind: "dns01"; readonly provider: "cloudflare"; readonly tokenSecret: { readonly name: string; readonly key: string } };

export function certManagerValues(): Record<string, unknown> {
  const small = (mem: string, limit: string) => ({ requests: { cpu: "10m", memory: mem }, limits: { memory: limit } });
  return {
    crds: { enabled: true, keep: true },
    resources: small("64Mi", "256Mi"),
    webhook: { resources: small("32Mi", "128Mi") },
    cainjector: { resources: small("64Mi", "256Mi") },
    startupapicheck: { resources: small("32Mi", "128Mi") },
    prometheus: { enabled: true },
  };
}

/** `spec` of a Let's Encrypt ClusterIssuer. */
export function letsEncryptIssuerSpec(which: "letsencrypt" | "letsencrypt-staging", email: string, solver: AcmeSolver, domain: string): Record<string, unknown> {
  if (!email) throw new Error(`the ${which} issuer needs an e-mail address for the ACME account`);
  const s = solver.kind === "http01"
    ? { http01: { ingress: { ingressClassName: "traefik" } } }
    : { dns01: { cloudflare: { apiTokenSecretRef: { name: solver.tokenSecret.name, key: solver.tokenSecret.key } } }, selector: { dnsZones: [domain] } };
  return {
    acme: {
      server: LETSENCRYPT_SERVERS[which],
      email,
      // The ACME account key; cert-manager creates it in its own namespace.
      privateKeySecretRef: { name: `${which}-account-key` },
      solvers: [s],
    },
  };
}
