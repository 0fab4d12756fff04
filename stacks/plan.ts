// Config → component args, in one place: the plan (pure workload specs that validation checks)
// and the platform (the resources) are built from the same args, so what was checked is what runs.
import { qdrantSpec } from "../components/data/qdrant";
import type { QdrantArgs } from "../components/data/qdrant";
import { postgresSpec } from "../components/data/postgres/spec";
import type { PostgresArgs } from "../components/data/postgres/postgres";
import { redisSpec } from "../components/data/redis/spec";
import type { RedisArgs } from "../components/data/redis/redis";
import { n8nSpec } from "../components/apps/n8n/spec";
import type { N8nArgs } from "../components/apps/n8n/n8n";
import { familyAssistantSpecs } from "../components/apps/family-assistant/spec";
import type { FamilyAssistantArgs } from "../components/apps/family-assistant/family-assistant";
import type { PostgresConnection } from "../components/kit";
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
