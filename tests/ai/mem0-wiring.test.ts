// Mem0 as rendered: every environment variable that names a Service, a port or a Secret resolves to
// one that exists in the same render (with the right port), and the connections it takes are typed.
import { MEM0_PORT } from "../../components/ai/mem0";
import { CONNECTS_TO_ANNOTATION } from "../../components/kit";
import { ofKind, rendered, RenderedStack } from "../harness";
import type { Manifest } from "../../tools/lib/manifests";

const HOST = /\b([a-z0-9-]+)\.([a-z0-9-]+)\.svc\.cluster\.local(?::(\d+))?/g;

/** What an env var points at that does not exist (or not on that port) in the render. */
function unresolved(s: RenderedStack, owner: Manifest): string[] {
  const ns = owner.metadata.namespace;
  const problems: string[] = [];
  const secrets = ofKind(s, "Secret");
  const services = ofKind(s, "Service");
  for (const c of owner.spec.template.spec.containers) {
    const vars: Record<string, any> = Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e]));
    for (const e of c.env ?? []) {
      const ref = e.valueFrom?.secretKeyRef;
      if (ref) {
        const secret = secrets.find((x) => x.metadata.namespace === ns && x.metadata.name === ref.name);
        if (!secret) problems.push(`${c.name} ${e.name}: no Secret ${ns}/${ref.name}`);
        else if (!(ref.key in { ...(secret.stringData ?? {}), ...(secret.data ?? {}) })) problems.push(`${c.name} ${e.name}: Secret ${ref.name} has no key ${ref.key}`);
      }
      for (const h of String(e.value ?? "").matchAll(HOST)) {
        const svc = services.find((x) => x.metadata.namespace === h[2] && x.metadata.name === h[1]);
        if (!svc) { problems.push(`${c.name} ${e.name}: no Service ${h[2]}/${h[1]}`); continue; }
        // A host without a port in the value takes its port from the matching *_PORT variable.
        const port = Number(h[3] ?? vars[e.name.replace(/_HOST$/, "_PORT")]?.value);
        if (!svc.spec.ports.some((p: any) => p.port === port)) problems.push(`${c.name} ${e.name}: Service ${h[1]} has no port ${port}`);
      }
    }
  }
  return problems;
}

describe.each(["homelab", "prod"])("Mem0 in %s", (stack) => {
  const s = () => rendered(stack);
  const mem0 = () => ofKind(s(), "Deployment").find((d) => d.metadata.name === "mem0")!;
  const env = (container: string) => Object.fromEntries(mem0().spec.template.spec.containers.find((c: any) => c.name === container).env.map((e: any) => [e.name, e.value ?? e.valueFrom]));

  it("every env var naming a Service, port or Secret resolves to one in the same render", () => {
    expect(unresolved(s(), mem0())).toEqual([]);
    const pull = ofKind(s(), "Job").find((j) => j.metadata.name.startsWith("ollama-pull-"))!;
    expect(unresolved(s(), pull)).toEqual([]);
  });

  it("the check can fail: a Service port or a Secret key that does not exist is reported", () => {
    const broken = JSON.parse(JSON.stringify(mem0()));
    const c = broken.spec.template.spec.containers.find((x: any) => x.name === "configure");
    c.env.find((e: any) => e.name === "QDRANT_URL").value = "http://qdrant.homelab.svc.cluster.local:6399";
    c.env.find((e: any) => e.name === "QDRANT_API_KEY").valueFrom.secretKeyRef.key = "apikey";
    broken.spec.template.spec.containers[0].env.find((e: any) => e.name === "POSTGRES_PORT").value = "5433";
    const problems = unresolved(s(), broken);
    expect(problems).toEqual(expect.arrayContaining([
      "configure QDRANT_URL: Service qdrant has no port 6399",
      "configure QDRANT_API_KEY: Secret qdrant-api-key has no key apikey",
      "mem0 POSTGRES_HOST: Service postgres-primary has no port 5433",
    ]));
  });

  it("takes its database, Qdrant (with its key) and Ollama's /v1 from the typed connections, and declares them", () => {
    expect(env("mem0")).toMatchObject({
      POSTGRES_HOST: "postgres-primary.homelab.svc.cluster.local",
      POSTGRES_PORT: "5432",
      POSTGRES_DB: "mem0",
      POSTGRES_USER: "mem0",
      POSTGRES_PASSWORD: { secretKeyRef: { name: "postgres-mem0", key: "password" } },
      JWT_SECRET: { secretKeyRef: { name: "mem0-keys", key: "jwt-secret" } },
      ADMIN_API_KEY: { secretKeyRef: { name: "mem0-keys", key: "admin-api-key" } },
      OPENAI_BASE_URL: "http://ollama.homelab.svc.cluster.local:11434/v1",
    });
    expect(env("configure")).toMatchObject({
      QDRANT_URL: "http://qdrant.homelab.svc.cluster.local:6333",
      QDRANT_API_KEY: { secretKeyRef: { name: "qdrant-api-key", key: "api-key" } },
      MEM0_URL: `http://127.0.0.1:${MEM0_PORT}`,
    });
    expect(mem0().spec.template.metadata.annotations[CONNECTS_TO_ANNOTATION]).toBe(
      "ollama.homelab:11434,postgres-primary.homelab:5432,qdrant.homelab:6333",
    );
  });

  it("generates its JWT secret and admin key", () => {
    const names = s().resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => r.name);
    expect(names).toEqual(expect.arrayContaining(["mem0-keys-jwt-secret", "mem0-keys-admin-api-key"]));
  });

  it("probes /openapi.json (it has no health route), is ready only once configured, runs on compute nodes, has no route", () => {
    const [server, sidecar] = mem0().spec.template.spec.containers;
    for (const p of [server.readinessProbe, server.livenessProbe, server.startupProbe]) expect(p.httpGet).toEqual({ path: "/openapi.json", port: "http" });
    expect(sidecar.readinessProbe.exec.command.join(" ")).toMatch(/test -f \/state\/mem0-configured/);
    expect(Object.keys(mem0().spec.template.spec.nodeSelector)).toEqual(["homelab.pesulabs.net/role-compute"]);
    expect(ofKind(s(), "IngressRoute").filter((r) => r.metadata.name.startsWith("mem0"))).toEqual([]);
    expect(server.image).toBe("ghcr.io/pesulabs/mem0-server:v3.0.7");
  });
});

it("dev runs no Mem0", () => {
  expect(ofKind(rendered("dev"), "Deployment").find((d) => d.metadata.name === "mem0")).toBeUndefined();
});
