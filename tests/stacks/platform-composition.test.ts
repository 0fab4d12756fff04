// HomelabPlatform built in-process under the SDK's mock runtime, for small stack configs that differ
// in one setting each: which components and resources it registers (type, name, parent, provider,
// what each waits for), and the outputs the program exports from it (PlatformOutputs).
import * as pulumi from "@pulumi/pulumi";
import { recordResources } from "../lib/recording-mocks";
import { Raw, stackRaw } from "../lib/stack-config";
import { unwrapSecrets, watchRegistrations } from "../../tools/lib/mock-runtime";

interface Registration {
  readonly type: string;
  readonly name: string;
  /** The parent's URN ("" for none). */
  readonly parent: string;
  /** The provider reference (urn::id) a custom resource was registered with ("" for none). */
  readonly provider: string;
  /** The providers a component hands its children (package → urn::id). */
  readonly providers: Record<string, string>;
  readonly dependencies: string[];
}

interface Built {
  readonly resources: Registration[];
  /** Inputs of each resource, by type and name, secrets unwrapped. */
  readonly inputs: (type: string, name: string) => any;
  /** The platform's own URN, and its cluster provider's reference (urn::id). */
  readonly urn: string;
  readonly provider: string;
  /** The platform's `outputs`, every Output resolved. */
  readonly outputs: Record<string, unknown>;
  /** The outputs the platform registered with the engine. */
  readonly registeredOutputs: Record<string, unknown> | undefined;
  readonly platform: import("../../stacks").HomelabPlatform;
}

const resolve = <T>(o: pulumi.Input<T>): Promise<pulumi.Unwrap<T>> => new Promise((r) => pulumi.output(o).apply(r as any));

async function settle(): Promise<void> {
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs(): Promise<void> };
  for (let i = 0; i < 3; i++) {
    await settings.waitForRPCs();
    await new Promise((r) => setImmediate(r));
  }
}

/** Builds the platform for a raw stack config (validated first), without any secret set. */
async function build(raw: Raw): Promise<Built> {
  const recorded = recordResources("test", (r) => (r.type.startsWith("random:") ? { result: `mock-${r.name}` } : undefined));
  const extra = new Map<string, { provider: string; providers: Record<string, string> }>();
  watchRegistrations((req) => {
    const providers: Record<string, string> = {};
    req.getProvidersMap().forEach((v: string, k: string) => (providers[k] = v));
    extra.set(`${req.getType()}::${req.getName()}`, { provider: req.getProvider(), providers });
  });
  const outputsByUrn = new Map<string, Record<string, unknown>>();
  const monitor = (require("@pulumi/pulumi/runtime/settings") as { getMonitor(): any }).getMonitor();
  const registerOutputs = monitor.registerResourceOutputs.bind(monitor);
  monitor.registerResourceOutputs = (req: any, callback: unknown) => {
    outputsByUrn.set(req.getUrn(), req.getOutputs().toJavaScript());
    return registerOutputs(req, callback);
  };
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { HomelabPlatform, validateRaw } = require("../../stacks") as typeof import("../../stacks");
  const loaded = validateRaw("test", { raw, secretsPresent: [] }, { requireSecrets: false });
  const platform = new HomelabPlatform("homelab", { ...loaded, secrets: {} });
  const urn = await resolve(platform.urn);
  const provider = `${await resolve(platform.provider.urn)}::${await resolve(platform.provider.id)}`;
  const outputs = (await resolve(platform.outputs as any)) as Record<string, unknown>;
  await settle();
  const resources = recorded.map((r) => ({ type: r.type, name: r.name, parent: r.parent, dependencies: r.dependencies, ...extra.get(`${r.type}::${r.name}`)! }));
  const inputs = (type: string, name: string) => unwrapSecrets(recorded.find((r) => r.type === type && r.name === name)?.inputs);
  return { resources, inputs, urn, provider, outputs, registeredOutputs: unwrapSecrets(outputsByUrn.get(urn)), platform };
}

/** The cluster provider's reference, as every Kubernetes resource must carry it. */
const CLUSTER_PROVIDER = "urn:pulumi:test::homelab::homelab:cluster:K3sCluster$pulumi:providers:kubernetes::cluster-provider::cluster-provider-id";

/** "type name" of a URN (the last type of its chain). */
function ref(urn: string): string {
  const [, , chain, name] = urn.split("::");
  return `${chain.slice(chain.lastIndexOf("$") + 1)} ${name}`;
}

interface Child {
  readonly child: string;
  readonly dependsOn: string[];
  /** The Kubernetes provider it is registered with (a resource) or hands its children (a component). */
  readonly kubernetes: string;
}

/** The platform's own children, sorted: what each waits for and which Kubernetes provider it uses. */
function children(b: Built): Child[] {
  return b.resources
    .filter((r) => r.parent === b.urn)
    .map((r) => {
      const p = r.type.startsWith("kubernetes:") ? r.provider : r.providers.kubernetes;
      return { child: `${r.type} ${r.name}`, dependsOn: r.dependencies.map(ref).sort(), kubernetes: p === CLUSTER_PROVIDER ? "cluster-provider" : p || "none" };
    })
    .sort((x, y) => x.child.localeCompare(y.child));
}

/** The sorted "type name" of the platform's children. */
const childNames = (b: Built): string[] => children(b).map((c) => c.child);

/** Resources registered under `parentType::parentName`, as sorted "type name". */
const under = (b: Built, parent: string): string[] => b.resources.filter((r) => r.parent.endsWith(`$${parent}`) || r.parent.endsWith(`::${parent}`)).map((r) => `${r.type} ${r.name}`).sort();

const deps = (b: Built, type: string, name: string): string[] => b.resources.find((r) => r.type === type && r.name === name)!.dependencies.map(ref).sort();

// What every application workload waits for: the namespace with its default-deny policy, and cert-manager's readiness Job.
const IN_NAMESPACE = ["kubernetes:batch/v1:Job cert-manager-ready", "kubernetes:core/v1:Namespace homelab", "kubernetes:networking.k8s.io/v1:NetworkPolicy homelab-default-deny-ingress"];
const workload = (child: string): Child => ({ child, dependsOn: IN_NAMESPACE, kubernetes: "cluster-provider" });

/** The platform's children every stack has: the cluster, the namespace, ingress and monitoring. */
const ALWAYS: Child[] = [
  { child: "homelab:cluster:K3sCluster cluster", dependsOn: [], kubernetes: "none" },
  { child: "homelab:ingress:CertManager cert-manager", dependsOn: [], kubernetes: "cluster-provider" },
  { child: "homelab:ingress:Traefik traefik", dependsOn: ["kubernetes:core/v1:Namespace homelab", "kubernetes:networking.k8s.io/v1:NetworkPolicy homelab-default-deny-ingress"], kubernetes: "cluster-provider" },
  { child: "homelab:observability:Observability observability", dependsOn: [], kubernetes: "cluster-provider" },
  { child: "kubernetes:core/v1:Namespace homelab", dependsOn: [], kubernetes: "cluster-provider" },
  { child: "kubernetes:networking.k8s.io/v1:NetworkPolicy homelab-default-deny-ingress", dependsOn: ["kubernetes:core/v1:Namespace homelab"], kubernetes: "cluster-provider" },
];
const sorted = (c: Child[]): Child[] => [...c].sort((x, y) => x.child.localeCompare(y.child));

const endpoint = (app: string, port: number) => ({ namespace: "homelab", podSelector: { "app.kubernetes.io/name": app, "app.kubernetes.io/instance": "homelab-platform" }, port });
const http = (service: string, port: number, apiKey?: { secretName: string; key: string }) => ({
  kind: "http", host: `${service}.homelab.svc.cluster.local`, port, service, endpoint: endpoint(service, port), url: `http://${service}.homelab.svc.cluster.local:${port}`, ...(apiKey ? { apiKey } : {}),
});
const database = (db: string, secret: string) => ({
  kind: "postgres", host: "postgres-primary.homelab.svc.cluster.local", port: 5432, service: "postgres-primary", endpoint: endpoint("postgres", 5432),
  database: db, user: db, password: { secretName: secret, key: "password" },
});

/** homelab's settings (every workload on, a GPU node) on an existing cluster: no SSH install to mock. */
function homelabOnExistingCluster(): Raw {
  const raw = stackRaw("homelab");
  raw.cluster = { mode: "existing" };
  return raw;
}

describe("HomelabPlatform composes the stack's components", () => {
  it("dev as committed: the cluster, namespace, ingress, monitoring, Qdrant, PostgreSQL and the Family Assistant, nothing that is off", async () => {
    const b = await build(stackRaw("dev"));
    expect(children(b)).toStrictEqual(sorted([
      ...ALWAYS,
      workload("homelab:apps:FamilyAssistant family-assistant"),
      workload("homelab:data:PatroniPostgres postgres"),
      workload("homelab:data:Qdrant qdrant"),
    ]));
    const outputs = {
      namespace: "homelab",
      qdrant: http("qdrant", 6333, { secretName: "qdrant-api-key", key: "api-key" }),
      postgresPrimary: "postgres-primary.homelab.svc.cluster.local",
      databases: { family_assistant: database("family_assistant", "postgres-family-assistant") },
      dashboardUrl: "https://dash.homelab.test/",
      familyAssistantUrl: "https://family-assistant.homelab.test/",
      grafanaUrl: "https://grafana.homelab.test/",
    };
    expect(b.outputs).toEqual(outputs);
    // The engine receives the same outputs (the stack's state shows them).
    expect(b.registeredOutputs).toEqual(outputs);
    expect(b.platform.minio).toBeUndefined();
  });

  it("every Kubernetes resource goes through the cluster's provider, the only provider registered", async () => {
    const b = await build(stackRaw("dev"));
    expect(b.resources.filter((r) => r.type.startsWith("pulumi:providers:")).map((r) => `${r.type} ${r.name}`)).toStrictEqual(["pulumi:providers:kubernetes cluster-provider"]);
    const k8s = b.resources.filter((r) => r.type.startsWith("kubernetes:"));
    expect(k8s.length).toBeGreaterThan(50);
    expect(k8s.filter((r) => r.provider !== CLUSTER_PROVIDER).map((r) => `${r.type} ${r.name}`)).toStrictEqual([]);
    expect(b.provider).toBe(CLUSTER_PROVIDER);
  });

  it("monitoring's custom resources wait for cert-manager's readiness Job (it waits for the monitoring CRDs)", async () => {
    const b = await build(stackRaw("dev"));
    expect(deps(b, "kubernetes:monitoring.coreos.com/v1:PrometheusRule", "homelab-alerts")).toStrictEqual([
      "kubernetes:batch/v1:Job cert-manager-ready",
      "kubernetes:helm.cattle.io/v1:HelmChart kube-prometheus-stack",
    ]);
  });

  it("dev without Qdrant, PostgreSQL and the Family Assistant: only the cluster, namespace, ingress and monitoring, no databases", async () => {
    const raw = stackRaw("dev");
    raw.workloads.qdrant.enabled = false;
    raw.workloads.postgres.enabled = false;
    raw.workloads.familyAssistant.enabled = false;
    const b = await build(raw);
    expect(children(b)).toStrictEqual(sorted(ALWAYS));
    expect(b.outputs).toEqual({ namespace: "homelab", databases: {}, dashboardUrl: "https://dash.homelab.test/", grafanaUrl: "https://grafana.homelab.test/" });
  });

  it("homelab (every workload on, a GPU node): MinIO with its console, the device plugin, Ollama, Mem0, Redis, n8n, one freshness check over every backup", async () => {
    const b = await build(homelabOnExistingCluster());
    expect(children(b)).toStrictEqual(sorted([
      ...ALWAYS,
      { child: "homelab:ai:NvidiaDevicePlugin nvidia-device-plugin", dependsOn: [], kubernetes: "cluster-provider" },
      workload("homelab:ai:Mem0 mem0"),
      workload("homelab:ai:Ollama ollama"),
      workload("homelab:apps:FamilyAssistant family-assistant"),
      workload("homelab:apps:N8n n8n"),
      workload("homelab:data:BackupFreshness backup-freshness"),
      workload("homelab:data:MinioCluster minio"),
      workload("homelab:data:PatroniPostgres postgres"),
      workload("homelab:data:Qdrant qdrant"),
      workload("homelab:data:Redis redis"),
    ]));
    const outputs = {
      namespace: "homelab",
      qdrant: http("qdrant", 6333, { secretName: "qdrant-api-key", key: "api-key" }),
      postgresPrimary: "postgres-primary.homelab.svc.cluster.local",
      databases: {
        family_assistant: database("family_assistant", "postgres-family-assistant"),
        n8n: database("n8n", "postgres-n8n"),
        mem0: database("mem0", "postgres-mem0"),
      },
      dashboardUrl: "https://dash.homelab.pesulabs.net/",
      ollama: http("ollama", 11434),
      mem0: http("mem0", 8000, { secretName: "mem0-keys", key: "admin-api-key" }),
      minioConsoleUrl: "https://minio.homelab.pesulabs.net",
      redis: {
        kind: "redis", host: "redis.homelab.svc.cluster.local", port: 6379, service: "redis", endpoint: endpoint("redis", 6379),
        url: "redis://redis.homelab.svc.cluster.local:6379/0", password: { secretName: "redis-password", key: "password" },
      },
      n8nUrl: "https://n8n.homelab.pesulabs.net/",
      familyAssistantUrl: "https://family-assistant.homelab.pesulabs.net/",
      grafanaUrl: "https://grafana.homelab.pesulabs.net/",
    };
    expect(b.outputs).toEqual(outputs);
    expect(b.registeredOutputs).toEqual(outputs);
    expect(await resolve(b.platform.minio!.urn)).toBe("urn:pulumi:test::homelab::homelab:platform:HomelabPlatform$homelab:data:MinioCluster::minio");

    // Ollama in GPU mode starts after the device plugin advertises the GPUs.
    expect(deps(b, "kubernetes:apps/v1:StatefulSet", "ollama")).toStrictEqual(["kubernetes:apps/v1:DaemonSet nvidia-device-plugin", "kubernetes:core/v1:Service ollama-headless"]);
    // The Family Assistant is handed Redis, Qdrant, Mem0 and Ollama besides its database.
    expect(under(b, "homelab:apps:FamilyAssistant::family-assistant").filter((r) => r.includes("NetworkPolicy homelab-family-assistant-to-"))).toStrictEqual([
      "kubernetes:networking.k8s.io/v1:NetworkPolicy homelab-family-assistant-to-mem0",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy homelab-family-assistant-to-ollama",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy homelab-family-assistant-to-postgres-primary",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy homelab-family-assistant-to-qdrant",
      "kubernetes:networking.k8s.io/v1:NetworkPolicy homelab-family-assistant-to-redis",
    ]);
    // PostgreSQL and Qdrant back up into their own MinIO buckets (own keys); the freshness check watches all three backups.
    const cronJobs = b.resources.filter((r) => r.type === "kubernetes:batch/v1:CronJob").map((r) => r.name).sort();
    expect(cronJobs).toStrictEqual(["backup-freshness", "postgres-backup-dump", "postgres-backup-verify", "postgres-restore-dump", "qdrant-backup-snapshot", "qdrant-restore-snapshot"]);
    const env = b.inputs("kubernetes:batch/v1:CronJob", "backup-freshness").spec.jobTemplate.spec.template.spec.containers[0].env as { name: string; value?: string; valueFrom?: any }[];
    const value = (n: string) => env.find((e) => e.name === n);
    expect(value("TARGETS")).toStrictEqual({ name: "TARGETS", value: "postgres-dump r0:postgres-backups/dumps\npostgres-walg r0:postgres-backups/walg/postgres/basebackups_005\nqdrant-snapshot r1:qdrant-snapshots/snapshots" });
    expect([value("RCLONE_CONFIG_R0_ACCESS_KEY_ID"), value("RCLONE_CONFIG_R1_ACCESS_KEY_ID")]).toStrictEqual([
      { name: "RCLONE_CONFIG_R0_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: "minio-user-postgres", key: "access-key-id" } } },
      { name: "RCLONE_CONFIG_R1_ACCESS_KEY_ID", valueFrom: { secretKeyRef: { name: "minio-user-qdrant", key: "access-key-id" } } },
    ]);
  });

  it("homelab with n8n off (its database still listed), Ollama on CPU beside a GPU node, MinIO's console off", async () => {
    const raw = homelabOnExistingCluster();
    raw.workloads.n8n.enabled = false;
    raw.workloads.ollama.mode = "cpu";
    raw.workloads.minio.console = { enabled: false };
    const b = await build(raw);
    const names = childNames(b);
    // The device plugin follows the GPU nodes, not Ollama's mode; no n8n although its database exists.
    expect(names.filter((c) => /NvidiaDevicePlugin|Ollama|N8n|MinioCluster/.test(c))).toStrictEqual([
      "homelab:ai:NvidiaDevicePlugin nvidia-device-plugin",
      "homelab:ai:Ollama ollama",
      "homelab:data:MinioCluster minio",
    ]);
    expect(Object.keys(b.outputs.databases as object)).toStrictEqual(["family_assistant", "n8n", "mem0"]);
    expect([b.outputs.n8nUrl, b.outputs.minioConsoleUrl]).toStrictEqual([undefined, undefined]);
    // On CPU, Ollama does not wait for the device plugin.
    expect(deps(b, "kubernetes:apps/v1:StatefulSet", "ollama")).toStrictEqual(["kubernetes:core/v1:Service ollama-headless"]);
  });
});
