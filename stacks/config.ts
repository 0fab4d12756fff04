// Raw stack config → the validated, resolved StackConfig. Field rules come from the schema; the
// defaults that depend on other sections (a workload's node, replica counts, trusted proxies) are
// filled in here, after parsing.
import { z } from "zod";
import { resolveClusterSettings } from "../components/cluster/settings";
import { resolveMinio } from "../components/data/minio/settings";
import { resolvePostgres } from "../components/data/postgres/settings";
import { resolveQdrant } from "../components/data/qdrant/settings";
import { resolveOllama } from "../components/ai/ollama/settings";
import { resolveRedis } from "../components/data/redis/settings";
import { resolveN8n } from "../components/apps/n8n/settings";
import { resolveFamilyAssistant } from "../components/apps/family-assistant/settings";
import { resolveIngress, traefikNodes } from "../components/ingress/settings";
import { resolveObservability } from "../components/observability/settings";
import { Problem, parseSettings, schemaAt, settingsErrorMap } from "../components/kit/problems";
import { resolveNode } from "./nodes";
import { PROJECT, StackSettings, stackSchema } from "./schema";

export interface ValidateOptions {
  /** A real deployment needs the secret config values; an offline render only warns. */
  readonly requireSecrets: boolean;
}

/** What a validated Pulumi.<stack>.yaml means: settings with every default resolved. */
export type StackConfig = ReturnType<typeof resolveStack>;

export function resolveStack(stack: string, s: StackSettings, secretsPresent: readonly string[]) {
  const nodes = s.nodes.map(resolveNode);
  const view = { domain: s.domain, namespace: s.namespace, nodes };
  return {
    stack,
    ...s,
    nodes,
    cluster: resolveClusterSettings(s.cluster, nodes.map((n) => n.address)),
    workloads: {
      qdrant: resolveQdrant(s.workloads.qdrant, view),
      postgres: resolvePostgres(s.workloads.postgres, view),
      ollama: resolveOllama(s.workloads.ollama, view),
      mem0: s.workloads.mem0,
      // Its default buckets follow the workloads that run (a bucket's consumer must be enabled).
      minio: resolveMinio(s.workloads.minio, view, enabledWorkloads(s.workloads)),
      redis: resolveRedis(s.workloads.redis, view),
      n8n: resolveN8n(s.workloads.n8n, view),
      familyAssistant: resolveFamilyAssistant(s.workloads.familyAssistant, view),
    },
    ingress: resolveIngress(s.ingress, {
      domain: s.domain,
      nodeAddresses: nodes.flatMap((n) => [n.address, n.lanAddress]).filter((a): a is string => a !== undefined),
      schedulableNodes: traefikNodes(nodes).length,
    }),
    observability: resolveObservability(s.observability, view),
    /** Names of secret config keys that are set (their values never enter the config). */
    secretsPresent,
  };
}

/** The keys of the workloads that run (`enabled`), e.g. ["qdrant", "postgres"]. */
export function enabledWorkloads(w: Readonly<Record<string, unknown>>): string[] {
  return Object.entries(w).filter(([, v]) => (v as { enabled?: boolean }).enabled === true).map(([k]) => k);
}

const OPTIONAL = ["optional", "default", "prefault"];
const typeOf = (s: z.ZodType | undefined) => (s as unknown as { _zod?: { def: { type: string } } } | undefined)?._zod?.def.type;

function deleteAt(root: Record<string, unknown>, path: readonly PropertyKey[]): void {
  let o: unknown = root;
  for (const p of path.slice(0, -1)) o = (o as Record<PropertyKey, unknown>)?.[p];
  if (o && typeof o === "object") delete (o as Record<PropertyKey, unknown>)[path[path.length - 1]];
}

/**
 * Parses one section, leaving out what is wrong where the schema has a default: the result lets
 * cross-field rules run in the same pass as the field rules, so every problem is reported at once.
 * Undefined when a required value is wrong.
 */
function parseLeniently<S extends z.ZodType>(schema: S, value: unknown): z.output<S> | undefined {
  const holder: Record<string, unknown> = { v: structuredClone(value) };
  for (let round = 0; round < 10; round++) {
    const r = schema.safeParse(holder.v, { error: settingsErrorMap });
    if (r.success) return r.data;
    let changed = false;
    for (const iss of r.error.issues) {
      const paths = iss.code === "unrecognized_keys" ? iss.keys.map((k) => [...iss.path, k]) : [iss.path];
      for (const path of paths) {
        const unknownKey = iss.code === "unrecognized_keys";
        for (let n = path.length; n >= 1; n--) {
          if (unknownKey && n === path.length ? true : OPTIONAL.includes(typeOf(schemaAt(schema, path.slice(0, n))) ?? "")) {
            deleteAt(holder, ["v", ...path.slice(0, n)]);
            changed = true;
            break;
          }
        }
      }
    }
    if (!changed) return undefined;
  }
  return undefined;
}

/**
 * The field problems of `raw` (keys without the namespace), and the resolved config when every
 * section could be read (with wrong optional values left at their defaults, see parseLeniently).
 */
export function parseStack(stack: string, raw: Record<string, unknown>, secretsPresent: readonly string[]): { problems: Problem[]; config?: StackConfig } {
  const { data, problems } = parseSettings(stackSchema, raw, `${PROJECT}:`);
  if (data) return { problems, config: resolveStack(stack, data, secretsPresent) };
  // Some field is wrong: read each section leniently so the cross-field rules can still run.
  const sections: Record<string, unknown> = {};
  for (const [k, schema] of Object.entries(stackSchema.shape)) {
    const v = parseLeniently(schema as z.ZodType, raw[k]);
    if (v === undefined) return { problems };
    sections[k] = v;
  }
  return { problems, config: resolveStack(stack, sections as StackSettings, secretsPresent) };
}
