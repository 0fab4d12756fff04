// The k3s Traefik values: the redirect key follows the bundled chart (34–38 vs 39+), replicas are
// spread over nodes, and the security headers refuse a weak policy.
import YAML from "yaml";
import { DEFAULT_K3S_VERSION } from "../../components/cluster/types";
import {
  DEFAULT_HEADERS,
  HTTP_NESTED_FROM_MAJOR,
  K3S_TRAEFIK_CHARTS,
  TraefikValuesArgs,
  bundledTraefikChart,
  securityHeaders,
  traefikValues,
  traefikValuesContent,
  webRedirectValues,
} from "../../components/ingress";

const base: TraefikValuesArgs = {
  replicas: 2,
  spread: "required",
  schedulableNodes: 2,
  chartMajor: 40,
  trustedProxies: ["100.64.0.0/10", "192.168.8.0/24"],
  resources: { cpu: "100m", memory: "64Mi", memoryLimit: "256Mi" },
  accessLogs: true,
};

const permanent = { to: "websecure", scheme: "https", permanent: true, priority: 1 };

describe("the bundled chart decides the redirect key", () => {
  it("the pinned k3s release bundles a chart-39+ Traefik", () => {
    const c = bundledTraefikChart(DEFAULT_K3S_VERSION);
    if (!c) throw new Error(`DEFAULT_K3S_VERSION ${DEFAULT_K3S_VERSION} is not in K3S_TRAEFIK_CHARTS (components/ingress/traefik-chart.ts): add the chart it bundles`);
    expect(c!.major).toBeGreaterThanOrEqual(HTTP_NESTED_FROM_MAJOR);
  });
  it("every known release names a source and a chart major ≥ 34", () => {
    for (const [v, c] of Object.entries(K3S_TRAEFIK_CHARTS)) {
      expect(v).toMatch(/^v1\.\d+\.\d+\+k3s\d+$/);
      expect(c.source).not.toBe("");
      expect(bundledTraefikChart(v)!.major).toBeGreaterThanOrEqual(34);
    }
    expect(bundledTraefikChart("v1.30.0+k3s1")).toBeUndefined();
  });
  it.each([34, 38])("chart %i: ports.web.redirections.entryPoint", (major) => {
    const v = YAML.parse(traefikValuesContent({ ...base, chartMajor: major }));
    expect(v.ports.web.redirections.entryPoint).toEqual(permanent);
    expect(v.ports.web.http).toBeUndefined();
  });
  it.each([39, 40])("chart %i: ports.web.http.redirections.entryPoint", (major) => {
    const v = YAML.parse(traefikValuesContent({ ...base, chartMajor: major }));
    expect(v.ports.web.http.redirections.entryPoint).toEqual(permanent);
    expect(v.ports.web.redirections).toBeUndefined();
  });
  it("refuses a chart older than the redirect syntax it knows", () => {
    expect(() => webRedirectValues(33)).toThrow(/chart 33 is not supported/);
  });
});

describe("traefikValues", () => {
  it("spreads replicas one per node, with a PDB, metrics, access logs and trusted proxies only", () => {
    const v = YAML.parse(traefikValuesContent(base));
    expect(v.deployment.replicas).toBe(2);
    const term = v.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution[0];
    expect(term).toEqual({ labelSelector: { matchLabels: { "app.kubernetes.io/name": "traefik", "app.kubernetes.io/instance": "traefik-kube-system" } }, topologyKey: "kubernetes.io/hostname" });
    expect(v.podDisruptionBudget).toEqual({ enabled: true, maxUnavailable: 1 });
    expect(v.metrics.prometheus.entryPoint).toBe("metrics");
    expect(v.logs.access.enabled).toBe(true);
    for (const ep of ["web", "websecure"]) expect(v.ports[ep].forwardedHeaders).toEqual({ trustedIPs: base.trustedProxies, insecure: false });
    expect(v.ingressRoute.dashboard.enabled).toBe(false);
    // Plain YAML for Helm: no anchors or aliases.
    expect(traefikValuesContent(base)).not.toMatch(/[&*]a\d/);
  });
  it("rolls pods one at a time when every node already runs one, and surges otherwise", () => {
    expect(traefikValues(base).updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } });
    expect(traefikValues({ ...base, schedulableNodes: 3 }).updateStrategy).toEqual({ type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
  });
  it("a single replica has no anti-affinity, so it can surge on a one-node stack", () => {
    const v = traefikValues({ ...base, replicas: 1, schedulableNodes: 1 }) as any;
    expect(v.affinity).toBeUndefined();
    expect(v.updateStrategy.rollingUpdate).toEqual({ maxUnavailable: 0, maxSurge: 1 });
  });
  it("preferred spread is best effort", () => {
    const v = traefikValues({ ...base, spread: "preferred", replicas: 3 }) as any;
    expect(v.affinity.podAntiAffinity.preferredDuringSchedulingIgnoredDuringExecution[0].weight).toBe(100);
  });
  it("refuses more required-spread replicas than nodes", () => {
    expect(() => traefikValues({ ...base, replicas: 3 })).toThrow(/3 Traefik replicas cannot each get their own node: only 2/);
  });
});

describe("securityHeaders", () => {
  it("sets the seed reports' headers plus HSTS, referrer policy and CSP", () => {
    expect(securityHeaders(DEFAULT_HEADERS)).toEqual({
      browserXssFilter: true,
      frameDeny: true,
      contentTypeNosniff: true,
      stsSeconds: 31536000,
      stsIncludeSubdomains: true,
      stsPreload: false,
      referrerPolicy: "strict-origin-when-cross-origin",
      contentSecurityPolicy: DEFAULT_HEADERS.contentSecurityPolicy,
    });
  });
  it("refuses HSTS under a year and a multi-line CSP", () => {
    expect(() => securityHeaders({ ...DEFAULT_HEADERS, stsSeconds: 86400 })).toThrow(/at least 31536000/);
    expect(() => securityHeaders({ ...DEFAULT_HEADERS, contentSecurityPolicy: "default-src 'self';\nscript-src 'self'" })).toThrow(/one non-empty line/);
  });
});
