// The ingress layer's custom resources (traefik.io, cert-manager.io, helm.cattle.io) in every
// rendered stack: a structural check of the fields each kind requires, and validation against the
// published CRD schemas (@kubernetes-models/traefik and /cert-manager, their CommonJS releases).
import YAML from "yaml";
import type { Manifest } from "../../tools/lib/manifests";
import { RenderedStack, allStacks } from "../harness";
import { Model, validateWith } from "../lib/schema";


// The schema packages are devDependencies: if they do not load, the test fails (never skips).
function loadModels(): Record<string, Model> {
  return {
      "traefik.io/v1alpha1/Middleware": require("@kubernetes-models/traefik/traefik.io/v1alpha1/Middleware").Middleware,
      "traefik.io/v1alpha1/IngressRoute": require("@kubernetes-models/traefik/traefik.io/v1alpha1/IngressRoute").IngressRoute,
      "cert-manager.io/v1/Certificate": require("@kubernetes-models/cert-manager/cert-manager.io/v1/Certificate").Certificate,
      "cert-manager.io/v1/ClusterIssuer": require("@kubernetes-models/cert-manager/cert-manager.io/v1/ClusterIssuer").ClusterIssuer,
  };
}

const models = loadModels();

/** Every custom resource of the ingress layer, with helm.cattle.io objects read from the recorded resources. */
function customResources(s: RenderedStack): Manifest[] {
  const groups = ["traefik.io/", "cert-manager.io/"];
  const crs = s.manifests.filter((m) => groups.some((g) => String(m.apiVersion).startsWith(g)));
  const helm = s.resources.filter((r) => r.type.startsWith("kubernetes:helm.cattle.io/")).map((r) => r.inputs);
  const fromManifests = s.manifests.filter((m) => String(m.apiVersion).startsWith("helm.cattle.io/"));
  return [...crs, ...(fromManifests.length ? fromManifests : helm)];
}

const MIDDLEWARE_TYPES = ["headers", "basicAuth", "redirectScheme", "stripPrefix", "ipAllowList", "rateLimit", "forwardAuth", "chain", "compress"];
const isStr = (v: unknown) => typeof v === "string" && v !== "";

/** What each kind needs to be accepted and to mean anything; returns problems. */
function structural(m: Manifest): string[] {
  const p: string[] = [];
  const need = (ok: boolean, what: string) => (ok ? undefined : p.push(what));
  const s = m.spec ?? {};
  need(isStr(m.metadata?.name), "metadata.name");
  const namespaced = ["Middleware", "IngressRoute", "Certificate", "HelmChart", "HelmChartConfig"].includes(m.kind);
  need(!namespaced || isStr(m.metadata?.namespace), "metadata.namespace");
  switch (`${m.apiVersion}/${m.kind}`) {
    case "traefik.io/v1alpha1/Middleware": {
      const types = Object.keys(s).filter((k) => MIDDLEWARE_TYPES.includes(k));
      need(types.length === 1, "spec: exactly one middleware type");
      if (s.headers) for (const k of ["browserXssFilter", "frameDeny", "contentTypeNosniff", "stsIncludeSubdomains", "stsPreload"]) need(typeof s.headers[k] === "boolean", `spec.headers.${k} boolean`);
      if (s.headers) need(Number.isInteger(s.headers.stsSeconds), "spec.headers.stsSeconds integer");
      if (s.basicAuth) need(isStr(s.basicAuth.secret), "spec.basicAuth.secret");
      break;
    }
    case "traefik.io/v1alpha1/IngressRoute":
      need(Array.isArray(s.entryPoints) && s.entryPoints.every(isStr), "spec.entryPoints");
      need(Array.isArray(s.routes) && s.routes.length > 0, "spec.routes");
      for (const r of s.routes ?? []) {
        need(r.kind === "Rule" && isStr(r.match), "spec.routes[].kind Rule and match");
        need(Array.isArray(r.services) && r.services.length > 0 && r.services.every((x: any) => isStr(x.name)), "spec.routes[].services[].name");
        for (const x of r.middlewares ?? []) need(isStr(x.name), "spec.routes[].middlewares[].name");
      }
      if (s.tls) need(isStr(s.tls.secretName), "spec.tls.secretName");
      break;
    case "cert-manager.io/v1/Certificate":
      need(isStr(s.secretName), "spec.secretName");
      need(isStr(s.issuerRef?.name) && ["ClusterIssuer", "Issuer"].includes(s.issuerRef?.kind), "spec.issuerRef");
      need((Array.isArray(s.dnsNames) && s.dnsNames.length > 0) || isStr(s.commonName), "spec.dnsNames or commonName");
      break;
    case "cert-manager.io/v1/ClusterIssuer": {
      const types = ["acme", "ca", "selfSigned", "vault", "venafi"].filter((k) => s[k] !== undefined);
      need(types.length === 1, "spec: exactly one issuer type");
      if (s.acme) {
        need(/^https:\/\//.test(s.acme.server), "spec.acme.server");
        need(isStr(s.acme.privateKeySecretRef?.name), "spec.acme.privateKeySecretRef.name");
        need(Array.isArray(s.acme.solvers) && s.acme.solvers.length > 0, "spec.acme.solvers");
      }
      if (s.ca) need(isStr(s.ca.secretName), "spec.ca.secretName");
      break;
    }
    case "helm.cattle.io/v1/HelmChart":
      for (const k of ["chart", "repo", "version", "targetNamespace"]) need(isStr(s[k]), `spec.${k}`);
      need(typeof YAML.parse(s.valuesContent ?? "") === "object", "spec.valuesContent YAML mapping");
      break;
    case "helm.cattle.io/v1/HelmChartConfig":
      need(typeof YAML.parse(s.valuesContent ?? "") === "object", "spec.valuesContent YAML mapping");
      break;
    default:
      p.push(`no check for ${m.apiVersion} ${m.kind}: add one`);
  }
  return p;
}

describe("ingress custom resources", () => {
  it("have the fields their kinds require, in every stack", () => {
    const errors: string[] = [];
    let checked = 0;
    for (const s of allStacks()) {
      for (const m of customResources(s)) {
        checked++;
        for (const e of structural(m)) errors.push(`${s.stack} ${m.kind} ${m.metadata?.name}: ${e}`);
      }
    }
    expect(errors).toEqual([]);
    expect(checked).toBeGreaterThan(20);
  });

  it("the structural check refuses what it should", () => {
    expect(structural({ apiVersion: "traefik.io/v1alpha1", kind: "IngressRoute", metadata: { name: "x", namespace: "n" }, spec: { entryPoints: ["websecure"], routes: [{ kind: "Rule", services: [] }] } })).toEqual(["spec.routes[].kind Rule and match", "spec.routes[].services[].name"]);
    expect(structural({ apiVersion: "cert-manager.io/v1", kind: "ClusterIssuer", metadata: { name: "x" }, spec: { acme: { server: "https://x", solvers: [] } } })).toEqual(["spec.acme.privateKeySecretRef.name", "spec.acme.solvers"]);
  });

  it("validate against the published Traefik and cert-manager CRD schemas, in every stack", () => {
    const objects = allStacks().flatMap((s) => customResources(s).map((m) => ({ stack: s.stack, m })));
    const { errors, checked } = validateWith(objects, (m) => models[`${m.apiVersion}/${m.kind}`]);
    expect(errors).toEqual([]);
    expect(checked).toBeGreaterThan(15);
  });

  it("the schema validator rejects a malformed Middleware and IngressRoute", () => {
    const M = models["traefik.io/v1alpha1/Middleware"];
    expect(() => new M({ metadata: { name: "x" }, spec: { headers: { frameDeny: "yes" } } }).validate()).toThrow(/frameDeny must be boolean/);
    const R = models["traefik.io/v1alpha1/IngressRoute"];
    expect(() => new R({ metadata: { name: "x" }, spec: { routes: [{ kind: "Rule" }] } }).validate()).toThrow(/required property 'match'|match/);
  });
});
