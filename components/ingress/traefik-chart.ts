// Which Traefik Helm chart a k3s release bundles, and the values shapes that depend on it.
//
// k3s installs Traefik from a chart it ships (/var/lib/rancher/k3s/server/static/charts/); we only
// add values through a HelmChartConfig. The chart changed the key of the web → websecure redirect:
//   charts 34–38:  ports.web.redirections.entryPoint        (traefik-helm-chart PR #1301, v34.0.0)
//   charts 39+:    ports.web.http.redirections.entryPoint   (traefik-helm-chart PR #1603, v39.0.0)
// and chart 39 also started enforcing its values schema, so the wrong key fails the install rather
// than being ignored. The key is therefore chosen from the chart major of the pinned k3s release.
import { DEFAULT_K3S_VERSION } from "../cluster/types";

/** The oldest chart whose redirect syntax we know (34 replaced `redirectTo`). */
export const MIN_TRAEFIK_CHART_MAJOR = 34;
/** From this chart major on, entry point HTTP options are nested under `http`. */
export const HTTP_NESTED_FROM_MAJOR = 39;

export interface BundledChart {
  /** Chart version as far as it is known (a major, or major.minor.patch). */
  readonly chart: string;
  /** Where this was read. */
  readonly source: string;
}

/**
 * k3s releases whose bundled Traefik chart was confirmed in upstream material. Extend this table
 * when the cluster's pinned version moves (check on a server with
 * `ls /var/lib/rancher/k3s/server/static/charts/`), or set homelab:ingress.traefik.chartMajor.
 */
export const K3S_TRAEFIK_CHARTS: Readonly<Record<string, BundledChart>> = {
  // k3s-io/k3s#13795: "K3s v1.34.5+k3s1 ... Traefik Chart: traefik-39.0.201_up39.0.2".
  "v1.34.5+k3s1": { chart: "39.0.2", source: "k3s-io/k3s issue #13795" },
  // Release notes of each: "This release upgrades Traefik chart to v40.x" (with Traefik v3.7.8).
  "v1.33.13+k3s2": { chart: "40", source: "k3s v1.33.13+k3s2 release notes" },
  "v1.35.7+k3s1": { chart: "40", source: "k3s v1.35.7+k3s1 release notes" },
  "v1.35.8+k3s1": { chart: "40", source: "k3s v1.35.8+k3s1 release notes" },
  "v1.36.3+k3s1": { chart: "40", source: "k3s v1.36.3+k3s1 release notes" },
  "v1.36.4+k3s1": { chart: "40", source: "k3s v1.36.4+k3s1 release notes" },
};

/**
 * The pinned default release (components/cluster DEFAULT_K3S_VERSION, v1.35.8+k3s1) bundles chart
 * 40.x, so by default the HelmChartConfig uses the chart-39+ key `ports.web.http.redirections`.
 */
export const DEFAULT_TRAEFIK_CHART: BundledChart | undefined = K3S_TRAEFIK_CHARTS[DEFAULT_K3S_VERSION];

export function chartMajorOf(chart: BundledChart): number {
  return Number(chart.chart.split(".")[0]);
}

/** The chart a k3s release bundles, when the table knows it. */
export function bundledTraefikChart(k3sVersion: string): (BundledChart & { major: number }) | undefined {
  const c = K3S_TRAEFIK_CHARTS[k3sVersion];
  return c ? { ...c, major: chartMajorOf(c) } : undefined;
}

/** Permanent web → websecure redirect, in the shape of the given chart major. */
export function webRedirectValues(chartMajor: number): Record<string, unknown> {
  if (!Number.isInteger(chartMajor) || chartMajor < MIN_TRAEFIK_CHART_MAJOR) {
    throw new Error(`Traefik chart ${chartMajor} is not supported: the redirect syntax is known from chart ${MIN_TRAEFIK_CHART_MAJOR} on (k3s releases from 2025)`);
  }
  const entryPoint = {
    to: "websecure",
    scheme: "https",
    permanent: true,
    // The redirect router's default priority is the highest there is, which would also swallow
    // cert-manager's HTTP-01 challenge on port 80. Priority 1 lets the more specific solver route
    // answer /.well-known/acme-challenge/… and still redirects everything else (our routes attach
    // to websecure only, so nothing else of ours listens on web).
    priority: 1,
  };
  return chartMajor >= HTTP_NESTED_FROM_MAJOR ? { http: { redirections: { entryPoint } } } : { redirections: { entryPoint } };
}
