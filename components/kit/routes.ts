// The one way anything is exposed outside the cluster: a Traefik IngressRoute for `<name>.<domain>`,
// HTTPS only, with the platform's security headers and a cert-manager Certificate attached by
// default. Opting out is explicit (`insecure: {reason}`), and the reason is printed as a render
// warning and written on the route.
//
// A route's backend is derived from the WorkloadSpec the workload was emitted from, the same way
// emitWorkload derives its Services (name = service.name ?? identity.name, ports by container port
// name), so a route cannot point at a Service or a port that does not exist.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppIdentity, appLabels, assertDnsLabel } from "./labels";
import { EmittedWorkload, WorkloadSpec, podPorts } from "./workload";
import { ACME_HTTP01_SOLVER, PodGroup, emitAllow, policyName } from "./network";
import { selectorLabels } from "./labels";

/** Traefik's HTTPS entry point in the k3s chart (port 443). */
export const WEBSECURE = "websecure";
/** Traefik's plain HTTP entry point (port 80); it redirects to HTTPS except for explicitly insecure routes. */
export const WEB = "web";
/** Written on a route that opted out of HTTPS and headers, with the reason. */
export const INSECURE_REASON_ANNOTATION = "homelab.pesulabs.net/insecure-reason";
/** Written on every route: the host it serves. */
export const ROUTE_HOST_ANNOTATION = "homelab.pesulabs.net/host";

/** A Traefik Middleware. Traefik resolves only same-namespace references (cross-namespace is off). */
export interface MiddlewareRef {
  readonly name: string;
  readonly namespace: string;
}

/** A cert-manager issuer. */
export interface IssuerRef {
  readonly name: string;
  readonly kind: "ClusterIssuer" | "Issuer";
  /**
   * The issuer answers ACME HTTP-01 challenges through the ingress: cert-manager then runs solver
   * pods in the Certificate's namespace, and the ingress pods must reach them. Default false.
   */
  readonly solvesHttp01?: boolean;
}

/** What every route gets unless it opts out; the ingress component builds it. */
export interface RouteDefaults {
  /** Hosts are `<subdomain>.<domain>`. */
  readonly domain: string;
  /** The security-headers Middleware; routes must live in its namespace. */
  readonly securityHeaders: MiddlewareRef;
  /** Signs every route's certificate. */
  readonly issuer: IssuerRef;
  /** What a route needs first: the Middleware, the issuer, and whatever installs their CRDs. */
  readonly dependsOn?: readonly pulumi.Resource[];
  /** The ingress controller's pods: every Service route gets an allow from them to its backend. */
  readonly ingressPods: PodGroup;
}

declare const backendBrand: unique symbol;

/** A Service port of an emitted workload. Only serviceBackend() makes one. */
export interface ServiceBackend {
  readonly kind: "Service";
  readonly service: string;
  /** The Service port's name (emitWorkload names Service ports after container ports). */
  readonly port: string;
  readonly portNumber: number;
  /** The workload's identity: the route carries its labels, and its allow selects its pods. */
  readonly identity: AppIdentity;
  /** The container port behind the Service port (what the allow opens). */
  readonly targetPort: number;
  /** The Service resource, when the emitted workload was given. */
  readonly resource?: pulumi.Resource;
  /** For a chart's Service (chartServiceBackend): the chart's pods behind it. Default: the identity's selector labels. */
  readonly podSelector?: Readonly<Record<string, string>>;
  readonly [backendBrand]: true;
}

/** On a route to a chart's Service: JSON {pods, targetPort}, so checks know what the route reaches without the chart's objects. */
export const CHART_BACKEND_ANNOTATION = "homelab.pesulabs.net/chart-backend";

export interface ChartServiceBackendArgs {
  /** The Service the chart creates (pin its name with the chart's fullnameOverride). */
  readonly service: string;
  /** Its port's name (pin it in the chart's values). */
  readonly port: string;
  /** The container port behind it (what the allow opens). */
  readonly targetPort: number;
  /** Labels the chart puts on the pods behind the Service. */
  readonly podSelector: Readonly<Record<string, string>>;
  /** Labels for the route's objects. */
  readonly identity: AppIdentity;
}

/** A route target on a Service a Helm chart creates (e.g. Grafana's): not checked against a spec, so every name is given explicitly. */
export function chartServiceBackend(a: ChartServiceBackendArgs): ServiceBackend {
  assertDnsLabel(a.service, "chart Service name");
  if (Object.keys(a.podSelector).length === 0) throw new Error(`route to chart Service ${a.service}: the pod selector is empty`);
  return { kind: "Service", service: a.service, port: a.port, portNumber: a.targetPort, targetPort: a.targetPort, identity: a.identity, podSelector: a.podSelector } as ServiceBackend;
}

/** One of Traefik's own services (the dashboard/API). Only traefikApiBackend() makes one. */
export interface TraefikInternalBackend {
  readonly kind: "TraefikService";
  readonly name: "api@internal";
  readonly [backendBrand]: true;
}

export type RouteBackend = ServiceBackend | TraefikInternalBackend;

/** The Services emitWorkload creates for a spec (ClusterIP ones; the headless one is not routable). */
export function servicesOf(spec: WorkloadSpec): { name: string; ports: readonly string[]; servicePorts?: Readonly<Record<string, number>> }[] {
  const out: { name: string; ports: readonly string[]; servicePorts?: Readonly<Record<string, number>> }[] = [];
  if (spec.service) out.push({ name: spec.service.name ?? spec.identity.name, ports: spec.service.ports, servicePorts: spec.service.servicePorts });
  for (const s of spec.extraServices ?? []) out.push({ name: s.name, ports: s.ports, servicePorts: s.servicePorts });
  return out;
}

export interface ServiceBackendOptions {
  /** Which of the workload's Services; default its main Service. */
  readonly service?: string;
  /** The workload emitWorkload returned for this spec: checked against it, and the route waits for its Service. */
  readonly emitted?: EmittedWorkload;
}

/** A route target on a workload's Service port, by port name. Throws for a Service or port the workload does not have. */
export function serviceBackend(spec: WorkloadSpec, port: string, o: ServiceBackendOptions = {}): ServiceBackend {
  const where = `route to workload ${spec.identity.name}`;
  const services = servicesOf(spec);
  if (services.length === 0) throw new Error(`${where}: the workload exposes no Service (set service: {ports: [...]} in its spec)`);
  const wanted = o.service ?? services[0].name;
  const index = services.findIndex((s) => s.name === wanted);
  if (index === -1) throw new Error(`${where}: it has no Service "${wanted}" (Services: ${services.map((s) => s.name).join(", ")})`);
  const svc = services[index];
  if (!svc.ports.includes(port)) {
    throw new Error(`${where}: Service "${svc.name}" has no port "${port}" (ports: ${svc.ports.join(", ")})`);
  }
  let resource: pulumi.Resource | undefined;
  if (o.emitted) {
    if (index === 0 && spec.service) {
      if (o.emitted.serviceName !== svc.name) {
        throw new Error(`${where}: the emitted workload's Service is "${o.emitted.serviceName}", not "${svc.name}": pass the spec it was emitted from`);
      }
      resource = o.emitted.service;
    } else {
      resource = o.emitted.extraServices[index - (spec.service ? 1 : 0)];
    }
    if (!resource) throw new Error(`${where}: the emitted workload has no Service "${svc.name}": pass the spec it was emitted from`);
  }
  const targetPort = podPorts(spec).get(port)!.containerPort;
  const portNumber = svc.servicePorts?.[port] ?? targetPort;
  return { kind: "Service", service: svc.name, port, portNumber, targetPort, identity: spec.identity, resource } as ServiceBackend;
}

/** Traefik's API and dashboard (`api@internal`). */
export function traefikApiBackend(): TraefikInternalBackend {
  return { kind: "TraefikService", name: "api@internal" } as TraefikInternalBackend;
}

/** The pure part of a route: validation and render warnings are computed from it before deploy. */
export interface RouteSpec {
  /** Names the IngressRoute and its Certificate; a DNS label. */
  readonly name: string;
  /** The host is `<subdomain>.<domain>`. Default: the route's name. */
  readonly subdomain?: string;
  /**
   * Serve plain HTTP without the security headers and without a certificate. Never the default:
   * the reason is required, shown in render warnings and written on the route.
   */
  readonly insecure?: { readonly reason: string };
}

export function routeHost(spec: RouteSpec, domain: string): string {
  return `${spec.subdomain ?? spec.name}.${domain}`;
}

/** Throws when the spec breaks a routing rule. Pure: validation calls it before any resource exists. */
export function checkRouteSpec(spec: RouteSpec): void {
  assertDnsLabel(spec.name, "route name");
  if (spec.subdomain !== undefined) assertDnsLabel(spec.subdomain, `route ${spec.name}: subdomain`);
  if (spec.insecure !== undefined) {
    const reason = (spec.insecure as { reason?: unknown }).reason;
    if (typeof reason !== "string" || reason.trim() === "") {
      throw new Error(`route ${spec.name}: opting out of HTTPS and the security headers needs a reason: insecure: {reason: "why"}`);
    }
  }
}

/** The render warning for a route that opted out, if it did. */
export function insecureRouteWarning(spec: RouteSpec, domain: string): string | undefined {
  if (!spec.insecure) return undefined;
  return `route ${spec.name} (http://${routeHost(spec, domain)}) is served without HTTPS and without the security headers: ${spec.insecure.reason}`;
}

export interface RouteArgs extends RouteSpec {
  /** The route's namespace: the backend Service's and the Middlewares' namespace. */
  readonly namespace: string;
  readonly backend: RouteBackend;
  /** More Middlewares (e.g. basic auth), applied after the security headers. Same namespace. */
  readonly middlewares?: readonly MiddlewareRef[];
  /** Only requests under this path; default all. */
  readonly pathPrefix?: string;
  /** Labels for the route's objects when the backend is not a workload; default {name, component: "ingress"}. */
  readonly identity?: AppIdentity;
}

export interface EmittedRoute {
  readonly host: string;
  readonly url: string;
  readonly ingressRoute: k8s.apiextensions.CustomResource;
  /** Absent only for an insecure route. */
  readonly certificate?: k8s.apiextensions.CustomResource;
  /** The Secret cert-manager writes the certificate to. */
  readonly tlsSecret?: string;
  /** The allows the route needs: ingress → backend pods, and ingress → ACME solver pods when the issuer uses HTTP-01. */
  readonly policies: k8s.networking.v1.NetworkPolicy[];
}

interface IngressRouteService {
  name: string;
  kind: "Service" | "TraefikService";
  port?: string;
}

/** Creates the IngressRoute (and, unless insecure, its Certificate) as children of `parent`. */
export function emitRoute(parent: pulumi.Resource, defaults: RouteDefaults, args: RouteArgs): EmittedRoute {
  checkRouteSpec(args);
  const host = routeHost(args, defaults.domain);
  const where = `route ${args.name}`;
  const extra = args.middlewares ?? [];
  const secure = args.insecure === undefined;
  const middlewares = secure ? [defaults.securityHeaders, ...extra] : [...extra];
  for (const m of middlewares) {
    if (m.namespace !== args.namespace) {
      throw new Error(`${where}: Middleware ${m.namespace}/${m.name} is not in the route's namespace ${args.namespace} (Traefik refuses cross-namespace references)`);
    }
  }
  if (args.pathPrefix !== undefined && !/^\/[^`\s]*$/.test(args.pathPrefix)) {
    throw new Error(`${where}: pathPrefix "${args.pathPrefix}" must start with / and contain no spaces or backticks`);
  }
  const b = args.backend;
  const identity = b.kind === "Service" ? b.identity : (args.identity ?? { name: args.name, component: "ingress" });
  const labels = appLabels(identity);
  const service: IngressRouteService = b.kind === "Service" ? { name: b.service, kind: "Service", port: b.port } : { name: b.name, kind: "TraefikService" };
  const match = args.pathPrefix ? `Host(\`${host}\`) && PathPrefix(\`${args.pathPrefix}\`)` : `Host(\`${host}\`)`;
  const annotations: Record<string, string> = { [ROUTE_HOST_ANNOTATION]: host };
  if (b.kind === "Service" && b.podSelector) annotations[CHART_BACKEND_ANNOTATION] = JSON.stringify({ pods: b.podSelector, targetPort: b.targetPort });
  if (!secure) {
    annotations[INSECURE_REASON_ANNOTATION] = args.insecure!.reason;
    // Also said at deploy time, for a route that the stack's route plan (stacks/ingress.ts) misses.
    void pulumi.log.warn(insecureRouteWarning(args, defaults.domain)!, parent);
  }
  const dependsOn: pulumi.Resource[] = [...(defaults.dependsOn ?? []), ...(b.kind === "Service" && b.resource ? [b.resource] : [])];

  const policies: k8s.networking.v1.NetworkPolicy[] = [];
  if (b.kind === "Service") {
    policies.push(emitAllow(parent, {
      name: policyName(args.name, "ingress"),
      reason: "route",
      from: defaults.ingressPods,
      to: { namespace: args.namespace, podSelector: b.podSelector ?? selectorLabels(b.identity) },
      ports: [{ port: b.targetPort }],
      identity: b.identity,
    }));
  }
  if (secure && defaults.issuer.solvesHttp01) {
    // cert-manager serves the challenge from its solver pods behind an Ingress of the ingress class.
    policies.push(emitAllow(parent, {
      name: policyName(args.name, "acme-solver"),
      reason: "route",
      from: defaults.ingressPods,
      to: { namespace: args.namespace, podSelector: ACME_HTTP01_SOLVER.podSelector },
      ports: [{ port: ACME_HTTP01_SOLVER.port }],
      identity,
    }));
  }

  let certificate: k8s.apiextensions.CustomResource | undefined;
  let tlsSecret: string | undefined;
  if (secure) {
    tlsSecret = `${args.name}-tls`;
    certificate = new k8s.apiextensions.CustomResource(`${args.name}-tls`, {
      apiVersion: "cert-manager.io/v1",
      kind: "Certificate",
      metadata: { name: tlsSecret, namespace: args.namespace, labels },
      spec: {
        secretName: tlsSecret,
        dnsNames: [host],
        issuerRef: { name: defaults.issuer.name, kind: defaults.issuer.kind, group: "cert-manager.io" },
        privateKey: { algorithm: "ECDSA", size: 256, rotationPolicy: "Always" },
      },
      // The HTTP-01 solver must be reachable before cert-manager presents the challenge.
    }, { parent, dependsOn: [...dependsOn, ...policies] });
  }

  const ingressRoute = new k8s.apiextensions.CustomResource(args.name, {
    apiVersion: "traefik.io/v1alpha1",
    kind: "IngressRoute",
    metadata: { name: args.name, namespace: args.namespace, labels, annotations },
    spec: {
      entryPoints: [secure ? WEBSECURE : WEB],
      routes: [{ kind: "Rule", match, middlewares: middlewares.map((m) => ({ name: m.name, namespace: m.namespace })), services: [service] }],
      ...(secure ? { tls: { secretName: tlsSecret } } : {}),
    },
  }, { parent, dependsOn: [...dependsOn, ...(certificate ? [certificate] : []), ...policies] });

  return { host, url: `${secure ? "https" : "http"}://${host}${args.pathPrefix ?? "/"}`, ingressRoute, certificate, tlsSecret, policies };
}
