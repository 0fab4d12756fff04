// n8n and the Family Assistant as rendered for the committed stacks, and the Family Assistant's
// optional connections (Mem0, Ollama) from its pure spec.
import { rendered, ofKind } from "../harness";
import { httpConnection } from "../../components/kit";
import { FA_ENV, familyAssistantEnv, familyAssistantSpecs } from "../../components/apps/family-assistant";

const env = (c: any, name: string) => (c.env ?? []).find((e: any) => e.name === name);
const names = (c: any) => (c.env ?? []).map((e: any) => e.name);

describe("n8n in homelab", () => {
  const s = () => rendered("homelab");
  const sts = () => ofKind(s(), "StatefulSet").find((w) => w.metadata.name === "n8n")!;
  const container = (n: string) => sts().spec.template.spec.containers.find((c: any) => c.name === n);

  it("runs the pinned 2.x image on the compute node with its data volume at /home/node/.n8n", () => {
    expect(container("n8n").image).toMatch(/^docker\.n8n\.io\/n8nio\/n8n:2\.\d+\.\d+$/);
    expect(sts().spec.template.spec.nodeSelector).toEqual({ "kubernetes.io/hostname": "pesubuntu" });
    expect(container("n8n").volumeMounts).toEqual([{ name: "data", mountPath: "/home/node/.n8n" }]);
    expect(s().plan.nodes.find((n) => n.node === "pesubuntu")!.pods).toContain("n8n");
  });

  it("uses its own PostgreSQL database, the password by Secret reference", () => {
    const c = container("n8n");
    expect(Object.fromEntries(["DB_TYPE", "DB_POSTGRESDB_HOST", "DB_POSTGRESDB_PORT", "DB_POSTGRESDB_DATABASE", "DB_POSTGRESDB_USER"].map((n) => [n, env(c, n).value]))).toEqual({
      DB_TYPE: "postgresdb",
      DB_POSTGRESDB_HOST: "postgres-primary.homelab.svc.cluster.local",
      DB_POSTGRESDB_PORT: "5432",
      DB_POSTGRESDB_DATABASE: "n8n",
      DB_POSTGRESDB_USER: "n8n",
    });
    expect(env(c, "DB_POSTGRESDB_PASSWORD").valueFrom.secretKeyRef).toEqual({ name: "postgres-n8n", key: "password" });
  });

  it("keeps a generated encryption key in a Secret (stable: a random resource, not regenerated per deploy)", () => {
    expect(env(container("n8n"), "N8N_ENCRYPTION_KEY").valueFrom.secretKeyRef).toEqual({ name: "n8n-secrets", key: "encryption-key" });
    expect(s().resources.filter((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name.startsWith("n8n-secrets-")).map((r) => r.name).sort()).toEqual(["n8n-secrets-encryption-key", "n8n-secrets-runners-auth-token"]);
  });

  it("probes /healthz (alive) and /healthz/readiness (database migrated); exposes metrics", () => {
    expect(container("n8n").livenessProbe.httpGet).toEqual({ path: "/healthz", port: "http" });
    expect(container("n8n").readinessProbe.httpGet).toEqual({ path: "/healthz/readiness", port: "http" });
    expect(env(container("n8n"), "N8N_METRICS").value).toBe("true");
  });

  it("runs Code nodes in the external task runners sidecar, same version, authenticated by a generated token", () => {
    const n8n = container("n8n");
    const runners = container("runners");
    expect(env(n8n, "N8N_RUNNERS_MODE").value).toBe("external");
    expect(runners.image.split(":").pop()).toBe(n8n.image.split(":").pop());
    expect(runners.image).toMatch(/^docker\.io\/n8nio\/runners:/);
    expect(env(runners, "N8N_RUNNERS_TASK_BROKER_URI").value).toBe(`http://127.0.0.1:${env(n8n, "N8N_RUNNERS_BROKER_PORT").value}`);
    expect(env(runners, "N8N_RUNNERS_AUTH_TOKEN").valueFrom.secretKeyRef).toEqual(env(n8n, "N8N_RUNNERS_AUTH_TOKEN").valueFrom.secretKeyRef);
  });

  it("is routed at n8n.<domain>, and its editor URLs say so", () => {
    const route = ofKind(s(), "IngressRoute").find((r) => r.metadata.name === "n8n")!;
    expect(route.spec.routes[0].match).toBe("Host(`n8n.homelab.pesulabs.net`)");
    expect(env(container("n8n"), "WEBHOOK_URL").value).toBe("https://n8n.homelab.pesulabs.net/");
  });
});

describe("the Family Assistant in homelab", () => {
  const s = () => rendered("homelab");
  const dep = (n: string) => ofKind(s(), "Deployment").find((w) => w.metadata.name === n)!;
  const backend = () => dep("family-assistant").spec.template.spec.containers[0];
  const svc = (n: string) => ofKind(s(), "Service").find((x) => x.metadata.name === n)!;

  it("runs the configured backend image on pesubuntu, container port 8001 named http, /health probes", () => {
    expect(backend().image).toBe("ghcr.io/pesulabs/family-assistant-backend:0.1.0");
    expect(dep("family-assistant").spec.template.spec.nodeSelector).toEqual({ "homelab.pesulabs.net/role-compute": "true" });
    expect(s().plan.nodes.find((n) => n.node === "pesubuntu")!.pods).toContain("family-assistant");
    expect(backend().ports).toEqual([{ name: "http", containerPort: 8001, protocol: "TCP" }]);
    for (const p of ["readinessProbe", "livenessProbe"]) expect(backend()[p].httpGet).toEqual({ path: "/health", port: "http" });
  });

  it("its Service offers 8000 → http, and the NodePort 30801 selects the same pods", () => {
    expect(svc("family-assistant").spec.ports).toEqual([{ name: "http", port: 8000, targetPort: "http", protocol: "TCP" }]);
    const np = svc("family-assistant-nodeport");
    expect(np.spec).toMatchObject({ type: "NodePort", ports: [{ name: "http", port: 8000, targetPort: "http", nodePort: 30801, protocol: "TCP" }] });
    expect(np.spec.selector).toEqual(dep("family-assistant").spec.selector.matchLabels);
  });

  it("takes its environment from the connections: database URL (password from the Postgres Secret), Redis, Qdrant", () => {
    const b = backend();
    expect(env(b, "DATABASE_URL").value).toBe("postgresql://family_assistant:$(DATABASE_URL_PASSWORD)@postgres-primary.homelab.svc.cluster.local:5432/family_assistant");
    expect(env(b, "DATABASE_URL_PASSWORD").valueFrom.secretKeyRef).toEqual({ name: "postgres-family-assistant", key: "password" });
    expect(env(b, "REDIS_URL").value).toBe("redis://:$(REDIS_URL_PASSWORD)@redis.homelab.svc.cluster.local:6379/0");
    expect(env(b, "QDRANT_URL").value).toBe("http://qdrant.homelab.svc.cluster.local:6333");
    expect(env(b, "QDRANT_API_KEY").valueFrom.secretKeyRef).toEqual({ name: "qdrant-api-key", key: "api-key" });
    // Mem0 (with its admin key) and Ollama, from their connections.
    expect(env(b, "MEM0_URL").value).toBe("http://mem0.homelab.svc.cluster.local:8000");
    expect(env(b, "MEM0_API_KEY").valueFrom.secretKeyRef).toEqual({ name: "mem0-keys", key: expect.any(String) });
    expect(env(b, "OLLAMA_URL").value).toBe("http://ollama.homelab.svc.cluster.local:11434");
    expect(dep("family-assistant").spec.template.metadata.annotations["homelab.pesulabs.net/connects-to"]).toBe(
      "mem0.homelab:8000,ollama.homelab:11434,postgres-primary.homelab:5432,qdrant.homelab:6333,redis.homelab:6379",
    );
  });

  it("serves the frontend at family-assistant.<domain> and the API at family-assistant-api.<domain>", () => {
    const host = (n: string) => ofKind(s(), "IngressRoute").find((r) => r.metadata.name === n)!.spec.routes[0];
    expect(host("family-assistant")).toMatchObject({ match: "Host(`family-assistant.homelab.pesulabs.net`)", services: [{ name: "family-assistant-frontend", port: "http" }] });
    expect(host("family-assistant-api")).toMatchObject({ match: "Host(`family-assistant-api.homelab.pesulabs.net`)", services: [{ name: "family-assistant", port: "http" }] });
    expect(env(dep("family-assistant-frontend").spec.template.spec.containers[0], "FAMILY_ASSISTANT_API_URL").value).toBe("https://family-assistant-api.homelab.pesulabs.net/");
  });
});

describe("the Family Assistant in dev: the smallest set that starts it", () => {
  it("runs with PostgreSQL and Qdrant only: no Redis, no n8n, no frontend, no NodePort", () => {
    const s = rendered("dev");
    const workloads = [...ofKind(s, "Deployment"), ...ofKind(s, "StatefulSet")].map((w) => w.metadata.name).sort();
    expect(workloads).toEqual(["family-assistant", "postgres", "qdrant"]);
    const b = ofKind(s, "Deployment").find((w) => w.metadata.name === "family-assistant")!.spec.template.spec.containers[0];
    expect(names(b)).toEqual(["DATABASE_URL_PASSWORD", "QDRANT_API_KEY", "QDRANT_URL", "DATABASE_URL"]);
    expect(ofKind(s, "IngressRoute").find((r) => r.metadata.name === "family-assistant")!.spec.routes[0].services).toEqual([{ name: "family-assistant", kind: "Service", port: "http" }]);
  });
});

describe("the Family Assistant's optional connections", () => {
  const pg = { kind: "postgres" as const, host: "postgres-primary.ns.svc.cluster.local", port: 5432, service: "postgres-primary", endpoint: { namespace: "ns", podSelector: { a: "b" }, port: 5432 }, database: "family_assistant", user: "family_assistant", password: { secretName: "postgres-family-assistant", key: "password" } };
  const mem0 = httpConnection("mem0", "ns", 8000, { app: "mem0" }, { secretName: "mem0-keys", key: "admin-api-key" });
  const ollama = httpConnection("ollama", "ns", 11434, { app: "ollama" });

  it("Mem0's URL and key and Ollama's URL appear only when given", () => {
    expect(familyAssistantEnv({ database: pg })).not.toHaveProperty(FA_ENV.mem0Url);
    const e = familyAssistantEnv({ database: pg, mem0, ollama });
    expect(e[FA_ENV.mem0Url]).toBe("http://mem0.ns.svc.cluster.local:8000");
    expect(e[FA_ENV.mem0Key]).toEqual({ secret: { secretName: "mem0-keys", key: "admin-api-key" } });
    expect(e[FA_ENV.ollama]).toBe("http://ollama.ns.svc.cluster.local:11434");
  });

  it("placement: pinned to a compute node when one is named, else any compute node", () => {
    const base = { replicas: 2, resources: { cpu: "1", memory: "1Gi", memoryLimit: "1Gi" }, backendImage: { repository: "r", tag: "1.0.0" }, runAsUser: 1000, nodePortFrom: [], database: pg };
    expect(familyAssistantSpecs({ ...base, node: "pesubuntu" }).backend.placement).toEqual({ kind: "pinned", node: "pesubuntu", role: "compute" });
    expect(familyAssistantSpecs(base).backend.placement).toEqual({ kind: "role", role: "compute", spread: "preferred" });
  });
});
