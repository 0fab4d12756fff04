// The kit's route helper: HTTPS, the security headers and a certificate by default; a backend that
// can only name a Service port the workload really has; an opt-out that needs a reason.
import * as pulumi from "@pulumi/pulumi";
import {
  EmittedWorkload,
  IMAGES,
  INSECURE_REASON_ANNOTATION,
  RouteDefaults,
  WorkloadSpec,
  checkRouteSpec,
  emitRoute,
  emitWorkload,
  insecureRouteWarning,
  serviceBackend,
  traefikApiBackend,
} from "../../components/kit";
import { Recorded, recordResources, registered } from "../lib/recording-mocks";
import { qdrantSpec } from "../../components/data/qdrant";

let recorded: Recorded[] = [];
beforeAll(() => {
  recorded = recordResources("routes-unit");
});


function inputsOf(type: string, name: string): Record<string, any> {
  const r = recorded.find((x) => x.type === type && x.name === name);
  if (!r) throw new Error(`no ${type} ${name} was registered (have: ${recorded.map((x) => `${x.type} ${x.name}`).join(", ")})`);
  return r.inputs;
}

const NS = "homelab";
const defaults: RouteDefaults = {
  domain: "homelab.pesulabs.net",
  securityHeaders: { name: "security-headers", namespace: NS },
  issuer: { name: "letsencrypt", kind: "ClusterIssuer" },
  ingressPods: { namespace: "kube-system", podSelector: { "app.kubernetes.io/name": "traefik" } },
};
const qdrant = qdrantSpec({ node: "asuna", storage: "1Gi", resources: { cpu: "100m", memory: "128Mi", memoryLimit: "256Mi" }, apiKeySecret: "qdrant-api-key" });

const web: WorkloadSpec = {
  identity: { name: "n8n", component: "automation" },
  kind: "Deployment",
  replicas: 1,
  placement: { kind: "role", role: "compute" },
  service: { ports: ["http"] },
  extraServices: [{ name: "n8n-metrics", ports: ["metrics"] }],
  containers: [
    {
      name: "n8n",
      image: IMAGES.kubectl,
      ports: [{ name: "http", containerPort: 5678 }, { name: "metrics", containerPort: 9090 }, { name: "debug", containerPort: 9229 }],
      resources: { cpu: "100m", memory: "128Mi", memoryLimit: "256Mi" },
      readiness: { action: { http: { path: "/healthz", port: "http" } } },
      liveness: { action: { http: { path: "/healthz", port: "http" } } },
    },
  ],
};

describe("serviceBackend: a route can only name a Service port the workload has", () => {
  it("derives the Service name and port from the spec, the way emitWorkload does", () => {
    expect(serviceBackend(qdrant, "http")).toMatchObject({ kind: "Service", service: "qdrant", port: "http", portNumber: 6333 });
    expect(serviceBackend(web, "metrics", { service: "n8n-metrics" })).toMatchObject({ service: "n8n-metrics", port: "metrics", portNumber: 9090 });
  });
  it("throws for a port the Service lacks, even one a container has", () => {
    expect(() => serviceBackend(qdrant, "metrics")).toThrow(/Service "qdrant" has no port "metrics" \(ports: http, grpc\)/);
    expect(() => serviceBackend(web, "debug")).toThrow(/Service "n8n" has no port "debug"/);
    expect(() => serviceBackend(web, "http", { service: "n8n-metrics" })).toThrow(/Service "n8n-metrics" has no port "http"/);
  });
  it("throws for a Service the workload does not have, or a workload without one", () => {
    expect(() => serviceBackend(web, "http", { service: "n8n-admin" })).toThrow(/has no Service "n8n-admin" \(Services: n8n, n8n-metrics\)/);
    expect(() => serviceBackend({ ...web, service: undefined, extraServices: undefined }, "http")).toThrow(/exposes no Service/);
  });
});

describe("emitRoute", () => {
  let emitted: EmittedWorkload;
  let parent: pulumi.ComponentResource;
  beforeAll(() => {
    parent = new pulumi.ComponentResource("test:unit:Parent", "p", {});
    emitted = emitWorkload(parent, qdrant, { namespace: NS });
  });

  it("routes Qdrant's emitted Service over HTTPS with the security headers and a certificate by default", async () => {
    const route = emitRoute(parent, defaults, { name: "qdrant", namespace: NS, backend: serviceBackend(qdrant, "http", { emitted }) });
    await registered(route.ingressRoute);
    await registered(route.certificate!);
    expect(route.url).toBe("https://qdrant.homelab.pesulabs.net/");
    const ir = inputsOf("kubernetes:traefik.io/v1alpha1:IngressRoute", "qdrant");
    expect(ir.spec.entryPoints).toEqual(["websecure"]);
    expect(ir.spec.tls).toEqual({ secretName: "qdrant-tls" });
    const r = ir.spec.routes[0];
    expect(r.match).toBe("Host(`qdrant.homelab.pesulabs.net`)");
    expect(r.middlewares[0]).toEqual({ name: "security-headers", namespace: NS });
    expect(r.services).toEqual([{ name: "qdrant", kind: "Service", port: "http" }]);
    // The Service emitWorkload made really has that port.
    const svc = inputsOf("kubernetes:core/v1:Service", "qdrant");
    expect(svc.spec.ports.map((p: any) => p.name)).toContain("http");
    expect(ir.metadata.labels["app.kubernetes.io/name"]).toBe("qdrant");
    const cert = inputsOf("kubernetes:cert-manager.io/v1:Certificate", "qdrant-tls");
    expect(cert.spec).toMatchObject({ secretName: "qdrant-tls", dnsNames: ["qdrant.homelab.pesulabs.net"], issuerRef: { name: "letsencrypt", kind: "ClusterIssuer", group: "cert-manager.io" } });
  });

  it("opens the backend's pods to the ingress pods on the routed port, and the ACME solver pods when the issuer uses HTTP-01", async () => {
    const http01 = { ...defaults, issuer: { ...defaults.issuer, solvesHttp01: true } };
    const route = emitRoute(parent, http01, { name: "qdrant-web", namespace: NS, backend: serviceBackend(qdrant, "http", { emitted }) });
    await Promise.all(route.policies.map(registered));
    const np = (name: string) => inputsOf("kubernetes:networking.k8s.io/v1:NetworkPolicy", `${NS}-${name}`).spec;
    const fromTraefik = [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "traefik" } }, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "kube-system" } } }];
    expect(np("qdrant-web-ingress")).toEqual({
      podSelector: { matchLabels: emitted.selector },
      policyTypes: ["Ingress"],
      ingress: [{ from: fromTraefik, ports: [{ port: 6333, protocol: "TCP" }] }],
    });
    expect(np("qdrant-web-acme-solver")).toEqual({
      podSelector: { matchLabels: { "acme.cert-manager.io/http01-solver": "true" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: fromTraefik, ports: [{ port: 8089, protocol: "TCP" }] }],
    });
    // No HTTP-01 issuer, no solver allow; Traefik's own API needs none at all.
    expect(emitRoute(parent, defaults, { name: "qdrant-dns", namespace: NS, backend: serviceBackend(qdrant, "http", { emitted }) }).policies).toHaveLength(1);
    expect(emitRoute(parent, defaults, { name: "api", namespace: NS, backend: traefikApiBackend() }).policies).toHaveLength(0);
  });

  it("puts extra middlewares after the headers and routes Traefik's API by its internal name", async () => {
    const route = emitRoute(parent, defaults, {
      name: "traefik-dash",
      subdomain: "dash",
      namespace: NS,
      backend: traefikApiBackend(),
      middlewares: [{ name: "auth", namespace: NS }],
    });
    await registered(route.ingressRoute);
    const r = inputsOf("kubernetes:traefik.io/v1alpha1:IngressRoute", "traefik-dash").spec.routes[0];
    expect(r.match).toBe("Host(`dash.homelab.pesulabs.net`)");
    expect(r.middlewares.map((m: any) => m.name)).toEqual(["security-headers", "auth"]);
    expect(r.services).toEqual([{ name: "api@internal", kind: "TraefikService" }]);
  });

  it("refuses a Middleware in another namespace (Traefik would ignore the route)", () => {
    expect(() => emitRoute(parent, defaults, { name: "x", namespace: "apps", backend: traefikApiBackend() })).toThrow(/security-headers is not in the route's namespace apps/);
  });

  it("refuses an emitted workload that is not the one the spec describes", () => {
    expect(() => serviceBackend(web, "http", { emitted })).toThrow(/emitted workload's Service is "qdrant", not "n8n"/);
  });

  it("opting out needs a reason: a type error without one, and a throw at run time", () => {
    // @ts-expect-error: `reason` is required
    expect(() => emitRoute(parent, defaults, { name: "hook", namespace: NS, backend: traefikApiBackend(), insecure: {} })).toThrow(/needs a reason/);
    expect(() => checkRouteSpec({ name: "hook", insecure: { reason: "  " } })).toThrow(/needs a reason/);
  });

  it("an explicit opt-out serves plain HTTP without headers or certificate, says why on the route and in a warning", async () => {
    const reason = "the printer's firmware cannot follow redirects";
    // Without an engine, Pulumi's log.warn goes to console.warn.
    const warn = jest.spyOn(console, "warn").mockImplementation(() => undefined);
    const route = emitRoute(parent, defaults, { name: "printer", namespace: NS, backend: serviceBackend(web, "http"), insecure: { reason } });
    expect(warn.mock.calls.map((c) => String(c[0]))).toEqual([expect.stringMatching(/route printer .* is served without HTTPS .*cannot follow redirects/)]);
    warn.mockRestore();
    await registered(route.ingressRoute);
    expect(route.certificate).toBeUndefined();
    expect(route.url).toBe("http://printer.homelab.pesulabs.net/");
    const ir = inputsOf("kubernetes:traefik.io/v1alpha1:IngressRoute", "printer");
    expect(ir.spec.entryPoints).toEqual(["web"]);
    expect(ir.spec.tls).toBeUndefined();
    expect(ir.spec.routes[0].middlewares).toEqual([]);
    expect(ir.metadata.annotations[INSECURE_REASON_ANNOTATION]).toBe(reason);
    expect(insecureRouteWarning({ name: "printer", insecure: { reason } }, defaults.domain)).toMatch(/printer \(http:\/\/printer\.homelab\.pesulabs\.net\) is served without HTTPS.*cannot follow redirects/);
    expect(insecureRouteWarning({ name: "qdrant" }, defaults.domain)).toBeUndefined();
  });

  it("refuses names and subdomains that are not DNS labels", () => {
    expect(() => checkRouteSpec({ name: "Family_Assistant" })).toThrow(/not a valid Kubernetes name/);
    expect(() => checkRouteSpec({ name: "fa", subdomain: "a.b" })).toThrow(/subdomain "a\.b"/);
  });
});
