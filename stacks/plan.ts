// Config → component args, in one place: the plan (pure workload specs that validation checks)
// and the platform (the resources) are built from the same args, so what was checked is what runs.
import { IMAGES } from "../components/kit/images";
import { qdrantSpec } from "../components/data/qdrant";
import type { QdrantArgs, QdrantBackupArgs } from "../components/data/qdrant";
import type { S3Connection } from "../components/kit";
import { postgresSpec } from "../components/data/postgres/spec";
import { devicePluginSpec, ollamaSpec } from "../components/ai/ollama/spec";
import type { OllamaArgs } from "../components/ai/ollama/ollama";
import { mem0Spec } from "../components/ai/mem0/spec";
import type { Mem0Args } from "../components/ai/mem0/mem0";
import { httpConnection } from "../components/kit/connections";
import type { HttpConnection, PostgresConnection } from "../components/kit";
import type { PostgresArgs, PostgresBackupArgs } from "../components/data/postgres/postgres";
import { minioSpec } from "../components/data/minio/spec";
import type { MinioArgs } from "../components/data/minio/minio";
import { redisSpec } from "../components/data/redis/spec";
import type { RedisArgs } from "../components/data/redis/redis";
import { n8nSpec } from "../components/apps/n8n/spec";
import type { N8nArgs } from "../components/apps/n8n/n8n";
import { familyAssistantSpecs } from "../components/apps/family-assistant/spec";
import type { FamilyAssistantArgs } from "../components/apps/family-assistant/family-assistant";
import type { StackConfig } from "./config";
import type { PlannedWorkload } from "./validate";
import { key } from "./schema";

/** The config path of a workload's settings, for messages. */
export const workloadPath = (name: keyof StackConfig["workloads"]): string => `${key("workloads")}.${name}`;

export function postgresArgs(cfg: StackConfig): PostgresArgs {
  const p = cfg.workloads.postgres;
  return { namespace: cfg.namespace, members: p.replicas, version: p.version, storage: p.storage, resources: p.resources, timing: p.timing, dcs: p.dcs, pollSeconds: p.pollSeconds };
}

export function qdrantArgs(cfg: StackConfig): QdrantArgs {
  const q = cfg.workloads.qdrant;
  return { namespace: cfg.namespace, node: q.node, storage: q.storage, resources: q.resources };
}

export function ollamaArgs(cfg: StackConfig): OllamaArgs {
  const o = cfg.workloads.ollama;
  return {
    namespace: cfg.namespace, mode: o.mode, node: o.node, gpus: o.gpus, storage: o.storage, resources: o.resources,
    keepAlive: o.keepAlive, numParallel: o.numParallel, maxLoadedModels: o.maxLoadedModels, models: o.models, pullDeadlineMinutes: o.pullDeadlineMinutes,
  };
}

/** The nodes with the gpu role: each runs the NVIDIA device plugin. */
export const gpuNodes = (cfg: StackConfig): number => cfg.nodes.filter((n) => n.roles.includes("gpu")).length;

/** Mem0's args from config and the connections the platform wires in. */
export function mem0Args(cfg: StackConfig, c: { postgres: PostgresConnection; qdrant: HttpConnection; ollama: HttpConnection }): Mem0Args {
  const m = cfg.workloads.mem0;
  if (!m.image) throw new Error(`${workloadPath("mem0")}.image is not set`);
  return {
    namespace: cfg.namespace, replicas: m.replicas ?? 1, image: m.image, resources: m.resources, collection: m.collection,
    llmModel: m.llmModel, embeddingModel: m.embeddingModel, embeddingDims: m.embeddingDims, ...c,
  };
}

/** Backup buckets, one per consuming service (MinIO's `connection(consumer)`); a service without one is not backed up. */
export interface BackupBuckets {
  readonly postgres?: S3Connection;
  readonly qdrant?: S3Connection;
}

/** Postgres's backup args: its settings and its bucket, or none (no bucket, or backup disabled). */
export function postgresBackupArgs(cfg: StackConfig, s3: S3Connection | undefined): PostgresBackupArgs | undefined {
  const { enabled, ...b } = cfg.workloads.postgres.backup;
  return enabled && s3 ? { ...b, s3 } : undefined;
}

/** Qdrant's backup args: its settings and its bucket, or none. */
export function qdrantBackupArgs(cfg: StackConfig, s3: S3Connection | undefined): QdrantBackupArgs | undefined {
  const { enabled, ...b } = cfg.workloads.qdrant.backup;
  return enabled && s3 ? { ...b, s3 } : undefined;
}

/** MinIO's args without the console route (the platform adds the ingress's route defaults). */
export function minioArgs(cfg: StackConfig): MinioArgs {
  const m = cfg.workloads.minio;
  return {
    namespace: cfg.namespace,
    pods: m.replicas,
    drivesPerPod: m.drivesPerPod,
    parity: m.parity,
    nodes: m.nodes,
    storage: m.storage,
    resources: m.resources,
    buckets: m.buckets,
    ...(m.image ? { image: { ...IMAGES.minio, ...m.image, digest: m.image.digest, seenIn: `${workloadPath("minio")}.image` } } : {}),
    ...(m.mcImage ? { mcImage: { ...IMAGES.mc, ...m.mcImage, digest: m.mcImage.digest, seenIn: `${workloadPath("minio")}.mcImage` } } : {}),
  };
}

export function redisArgs(cfg: StackConfig): RedisArgs {
  const r = cfg.workloads.redis;
  return { namespace: cfg.namespace, node: r.node, storage: r.storage, resources: r.resources };
}

/** n8n's args without its wiring (its database and the route defaults come from the platform). */
export function n8nArgs(cfg: StackConfig): Omit<N8nArgs, "database" | "routes"> {
  const n = cfg.workloads.n8n;
  return { namespace: cfg.namespace, node: n.node, storage: n.storage, resources: n.resources, runners: n.runners };
}

/** The Family Assistant's args without its wiring (connections and route defaults come from the platform). */
export function familyAssistantArgs(cfg: StackConfig): Omit<FamilyAssistantArgs, "database" | "redis" | "qdrant" | "mem0" | "ollama" | "routes"> | undefined {
  const f = cfg.workloads.familyAssistant;
  if (!f.backend) return undefined;
  return {
    namespace: cfg.namespace,
    replicas: f.replicas ?? 1,
    node: f.node,
    resources: f.resources,
    backendImage: f.backend.image,
    frontend: f.frontend,
    runAsUser: f.runAsUser,
    nodePort: f.nodePort,
    nodePortFrom: f.nodePortFrom,
  };
}

/** Stands in for a database connection while planning: placement and footprint do not depend on it. */
const PLANNED_DATABASE: PostgresConnection = {
  kind: "postgres",
  host: "planned",
  port: 5432,
  service: "planned",
  endpoint: { namespace: "planned", podSelector: { planned: "true" }, port: 5432 },
  database: "planned",
  user: "planned",
  password: { secretName: "planned", key: "password" },
};

/** Every workload the stack runs, as pure specs (secret names are placeholders: they do not affect placement). */
export function planWorkloads(cfg: StackConfig): PlannedWorkload[] {
  const out: PlannedWorkload[] = [];
  if (cfg.workloads.qdrant.enabled) {
    out.push({ spec: qdrantSpec({ ...qdrantArgs(cfg), apiKeySecret: "qdrant-api-key" }), path: workloadPath("qdrant"), migrateFrom: cfg.workloads.qdrant.migrateFrom, acceptVolumeTemplateChange: cfg.workloads.qdrant.acceptVolumeTemplateChange });
  }
  if (cfg.workloads.postgres.enabled) {
    const names = { credentialsSecret: "-", spiloConfigurationSecret: "-", scriptConfigMap: "-", serviceAccount: "-", primaryService: "-" };
    out.push({ spec: postgresSpec({ ...postgresArgs(cfg), ...names }), path: workloadPath("postgres"), migrateFrom: cfg.workloads.postgres.migrateFrom, acceptVolumeTemplateChange: cfg.workloads.postgres.acceptVolumeTemplateChange });
  }
  if (gpuNodes(cfg) > 0) {
    out.push({ spec: devicePluginSpec({ gpuNodes: gpuNodes(cfg) }), path: key("nodes") });
  }
  // Without a node for its mode, stacks/ai.ts reports the problem (naming ollama.mode).
  if (cfg.workloads.ollama.enabled && cfg.workloads.ollama.node !== "") {
    out.push({ spec: ollamaSpec(ollamaArgs(cfg)), path: workloadPath("ollama"), migrateFrom: cfg.workloads.ollama.migrateFrom, acceptVolumeTemplateChange: cfg.workloads.ollama.acceptVolumeTemplateChange });
  }
  if (cfg.workloads.mem0.enabled && cfg.workloads.mem0.image) {
    // Placeholder connections: they shape env vars, not placement.
    const placeholder = (svc: string, port: number) => httpConnection(svc, cfg.namespace, port, { "app.kubernetes.io/name": svc }, { secretName: "-", key: "-" });
    const postgres: PostgresConnection = { ...placeholder("postgres-primary", 5432), kind: "postgres", database: cfg.workloads.mem0.database, user: "-", password: { secretName: "-", key: "-" } };
    out.push({ spec: mem0Spec({ ...mem0Args(cfg, { postgres, qdrant: placeholder("qdrant", 6333), ollama: placeholder("ollama", 11434) }), keysSecret: "mem0-keys" }), path: workloadPath("mem0"), migrateFrom: cfg.workloads.mem0.migrateFrom });
  }
  if (cfg.workloads.minio.enabled) {
    out.push({ spec: minioSpec({ ...minioArgs(cfg), rootSecret: "minio-root" }), path: workloadPath("minio"), acceptVolumeTemplateChange: cfg.workloads.minio.acceptVolumeTemplateChange });
  }
  if (cfg.workloads.redis.enabled) {
    out.push({ spec: redisSpec({ ...redisArgs(cfg), passwordSecret: "-", configSecret: "-" }), path: workloadPath("redis"), migrateFrom: cfg.workloads.redis.migrateFrom, acceptVolumeTemplateChange: cfg.workloads.redis.acceptVolumeTemplateChange });
  }
  if (cfg.workloads.n8n.enabled) {
    out.push({ spec: n8nSpec({ ...n8nArgs(cfg), host: "planned", database: PLANNED_DATABASE, secret: "-" }), path: workloadPath("n8n"), migrateFrom: cfg.workloads.n8n.migrateFrom, acceptVolumeTemplateChange: cfg.workloads.n8n.acceptVolumeTemplateChange });
  }
  const fa = familyAssistantArgs(cfg);
  if (cfg.workloads.familyAssistant.enabled && fa) {
    const specs = familyAssistantSpecs({ ...fa, database: PLANNED_DATABASE, apiUrl: "planned" });
    for (const spec of [specs.backend, ...(specs.frontend ? [specs.frontend] : [])]) out.push({ spec, path: workloadPath("familyAssistant") });
  }
  return out;
}
