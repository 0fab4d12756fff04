// k3s's bundled Traefik, configured the k3s way: a HelmChartConfig named `traefik` in kube-system
// whose values k3s's helm controller merges over its own. Plus the security-headers Middleware that
// every route carries, and the dashboard behind basic auth on `dash.<domain>`, routed through the
// kit's route helper like any app.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { IssuerRef, MiddlewareRef, RouteDefaults, appLabels, emitRoute, sortedYaml, traefikApiBackend } from "../kit";
import { HeadersPolicy, KUBE_SYSTEM, TRAEFIK_POD_LABELS, TRAEFIK_RELEASE, TraefikValuesArgs, securityHeaders, traefikValues } from "./spec";

export const SECURITY_HEADERS = "security-headers";
export const DASHBOARD_ROUTE = "traefik-dashboard";
export const DASHBOARD_USERS_SECRET = "traefik-dashboard-users";
export const DASHBOARD_CREDENTIALS_SECRET = "traefik-dashboard-credentials";

export interface DashboardArgs {
  /** The dashboard's host is `<subdomain>.<domain>`. */
  readonly subdomain: string;
  /** Basic-auth user name; the password is generated. */
  readonly user: string;
}

export interface TraefikIngressArgs extends TraefikValuesArgs {
  /** Namespace of the routes, the headers Middleware and the dashboard's auth (must exist). */
  readonly namespace: string;
  readonly domain: string;
  readonly headers: HeadersPolicy;
  /** Signs the routes' certificates. */
  readonly issuer: IssuerRef;
  /** What Middlewares, routes and certificates wait for: the CRDs (cert-manager's readiness Job) and the issuers. */
  readonly issuerReady: readonly pulumi.Resource[];
  /** Default: no dashboard route. */
  readonly dashboard?: DashboardArgs;
}

export interface DashboardAccess {
  readonly url: string;
  readonly user: string;
  /** The generated password, a Pulumi secret (also in the Secret traefik-dashboard-credentials). */
  readonly password: pulumi.Output<string>;
}

/** The values k3s merges over its Traefik release, as the YAML text HelmChartConfig carries. */
export function traefikValuesContent(a: TraefikValuesArgs): string {
  return sortedYaml(traefikValues(a));
}

export class TraefikIngress extends pulumi.ComponentResource {
  /** Hand this to the kit's emitRoute: HTTPS, these headers and this issuer for every route. */
  readonly routeDefaults: RouteDefaults;
  readonly securityHeaders: MiddlewareRef;
  readonly helmChartConfig: k8s.apiextensions.CustomResource;
  readonly dashboard?: DashboardAccess;

  constructor(name: string, args: TraefikIngressArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:ingress:Traefik", name, {}, opts);
    const labels = appLabels({ name: "traefik", component: "ingress" });

    this.helmChartConfig = new k8s.apiextensions.CustomResource("traefik", {
      apiVersion: "helm.cattle.io/v1",
      kind: "HelmChartConfig",
      metadata: { name: TRAEFIK_RELEASE, namespace: KUBE_SYSTEM, labels },
      spec: { valuesContent: traefikValuesContent(args) },
    }, { parent: this });

    const headers = new k8s.apiextensions.CustomResource(SECURITY_HEADERS, {
      apiVersion: "traefik.io/v1alpha1",
      kind: "Middleware",
      metadata: { name: SECURITY_HEADERS, namespace: args.namespace, labels },
      spec: { headers: securityHeaders(args.headers) },
    }, { parent: this, dependsOn: [...args.issuerReady] });
    this.securityHeaders = { name: SECURITY_HEADERS, namespace: args.namespace };
    this.routeDefaults = {
      domain: args.domain,
      securityHeaders: this.securityHeaders,
      issuer: args.issuer,
      dependsOn: [headers, ...args.issuerReady],
      ingressPods: { namespace: KUBE_SYSTEM, podSelector: TRAEFIK_POD_LABELS },
    };

    if (args.dashboard) this.dashboard = this.dashboardRoute(args, args.dashboard, labels);
    this.registerOutputs({ dashboardUrl: this.dashboard?.url });
  }

  private dashboardRoute(args: TraefikIngressArgs, d: DashboardArgs, labels: Record<string, string>): DashboardAccess {
    const password = new random.RandomPassword("traefik-dashboard-password", { length: 32, special: false }, { parent: this });
    // Traefik's basicAuth reads htpasswd lines; random computes a bcrypt hash of the password once
    // and keeps it in state, so the Secret does not change on every run.
    const users = new k8s.core.v1.Secret(DASHBOARD_USERS_SECRET, {
      metadata: { name: DASHBOARD_USERS_SECRET, namespace: args.namespace, labels },
      type: "Opaque",
      stringData: { users: pulumi.secret(pulumi.interpolate`${d.user}:${password.bcryptHash}`) },
    }, { parent: this });
    new k8s.core.v1.Secret(DASHBOARD_CREDENTIALS_SECRET, {
      metadata: { name: DASHBOARD_CREDENTIALS_SECRET, namespace: args.namespace, labels },
      type: "kubernetes.io/basic-auth",
      stringData: { username: d.user, password: pulumi.secret(password.result) },
    }, { parent: this });
    const auth = new k8s.apiextensions.CustomResource(`${DASHBOARD_ROUTE}-auth`, {
      apiVersion: "traefik.io/v1alpha1",
      kind: "Middleware",
      metadata: { name: `${DASHBOARD_ROUTE}-auth`, namespace: args.namespace, labels },
      spec: { basicAuth: { secret: DASHBOARD_USERS_SECRET, realm: "traefik", removeHeader: true } },
    }, { parent: this, dependsOn: [users, ...args.issuerReady] });
    const route = emitRoute(this, { ...this.routeDefaults, dependsOn: [...(this.routeDefaults.dependsOn ?? []), auth] }, {
      name: DASHBOARD_ROUTE,
      subdomain: d.subdomain,
      namespace: args.namespace,
      backend: traefikApiBackend(),
      middlewares: [{ name: `${DASHBOARD_ROUTE}-auth`, namespace: args.namespace }],
      identity: { name: DASHBOARD_ROUTE, component: "ingress" },
    });
    return { url: route.url, user: d.user, password: pulumi.secret(password.result) };
  }
}
