// `homelab:workloads.minio`: distributed MinIO's settings (layout, parity, buckets and their
// consumers, image), defaults and docs. The erasure layout is checked here; that each consumer is an
// enabled workload of the stack is checked with the rest of the stack (stacks/minio.ts).
import { z } from "zod";
import { intBetween, isDns1035Label, nodeName, says, shown, subdomainLabel } from "../../kit/formats";
import { isPinnedTag } from "../../kit/images";
import { StackView, storageSetting, workloadSettings } from "../../kit/settings";
import { MAX_SET_DRIVES, MIN_SET_DRIVES, erasureSetSize } from "./erasure";

export const DEFAULT_PODS = 4;

/** What a bucket is called: S3's rules without dots (path-style addressing, DNS-safe). */
const BUCKET = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/;

/** The buckets a stack gets when it declares none, each kept only while one of its consumers is enabled. */
export const DEFAULT_BUCKETS: readonly MinioBucket[] = [
  { name: "postgres-backups", consumers: ["postgres"], expireDays: 30 },
  { name: "qdrant-snapshots", consumers: ["qdrant"], expireDays: 30 },
];

export interface MinioBucket {
  readonly name: string;
  /** Workloads of the stack that get an access key limited to their buckets. */
  readonly consumers: readonly string[];
  /** Objects older than this are deleted by MinIO's lifecycle (default: kept). */
  readonly expireDays?: number;
}

const imageOverride = (what: string, d: string) =>
  z
    .strictObject({
      repository: z.string().min(1).describe("e.g. docker.io/pgsty/silo or quay.io/minio/minio"),
      tag: z.string().refine(isPinnedTag, {
        error: (iss) => says(`${shown(iss.input)} is not a pinned version tag`, "use a RELEASE.<date> or version tag, never latest"),
      }).describe("a pinned tag, e.g. RELEASE.2025-09-07T16-13-09Z"),
      digest: z.string().regex(/^sha256:[0-9a-f]{64}$/, { error: says("not a sha256 digest", "write sha256:<64 hex digits>, or leave digest out") }).optional().describe("content digest (optional)"),
    })
    .optional()
    .describe(`${what} image instead of the catalog's (default ${d}); README: MinIO, "Which image and how to swap it"`);

const bucket = z.strictObject({
  name: z.string().refine((b) => BUCKET.test(b), {
    error: (iss) => says(`${shown(iss.input)} is not a usable bucket name`, "use 3-63 lower-case letters, digits and '-', starting and ending with a letter or digit"),
  }).describe("bucket name"),
  consumers: z
    .array(z.string().refine(isDns1035Label, { error: (iss) => says(`${shown(iss.input)} is not a workload name`, "name an enabled workload of the stack, e.g. postgres") }))
    .min(1, { error: says("a bucket needs at least one consumer", "list the workloads that write to it, e.g. [postgres]") })
    .describe("workloads that get an access key for this bucket (each an enabled workload: postgres, qdrant, …)"),
  expireDays: intBetween(1, 36500).optional().describe("delete objects older than this many days (MinIO lifecycle; default: keep)"),
});

export const minioSettings = workloadSettings(
  // Two pods share a node on a two-node stack: 2 × (100m, 384Mi) fits the service node's budget.
  { cpu: "100m", memory: "384Mi", memoryLimit: "1Gi" },
  {
    enabled: z.boolean().default(false).describe("run it (default false; the committed homelab and prod stacks enable it)"),
    replicas: intBetween(1, 16).default(DEFAULT_PODS).describe(`MinIO pods (default ${DEFAULT_PODS}), spread evenly over nodes`),
    drivesPerPod: intBetween(1, 16).default(1).describe("volumes (MinIO drives) per pod (default 1); pods × drivesPerPod drives form the erasure set(s)"),
    parity: intBetween(2, 8).default(2).describe("erasure-code parity EC:N, drives of each set that may fail (default 2; at most half the set)"),
    nodes: z.array(nodeName).min(1).optional().describe("nodes the pods spread over, evenly (default: every node with the service or compute role)"),
    storage: storageSetting("10Gi").describe("volume size per drive (default 10Gi)"),
    image: imageOverride("server", "the catalog's pgsty/silo"),
    mcImage: imageOverride("client (mc)", "the catalog's pgsty/mc"),
    console: z
      .strictObject({
        enabled: z.boolean().default(true).describe("route the web console (default true)"),
        subdomain: subdomainLabel.default("minio").describe("console host <subdomain>.<domain> (default minio)"),
      })
      .prefault({})
      .describe("the MinIO console, through the platform's HTTPS route with its security headers"),
    buckets: z
      .array(bucket)
      .optional()
      .describe("buckets with their consumers and expiry (default: postgres-backups for postgres and qdrant-snapshots for qdrant, 30 days, each while its consumer is enabled)"),
  },
)
  .superRefine((s, ctx) => {
    if (s.node !== undefined) {
      ctx.addIssue({ code: "custom", path: ["node"], message: says("MinIO is not pinned to one node", "list the nodes its pods spread over in nodes: [...]") });
    }
    if (s.migrateFrom !== undefined) {
      ctx.addIssue({ code: "custom", path: ["migrateFrom"], message: says("MinIO's drives do not move with migrateFrom: each pod's volumes stay on the node they were made on", "remove migrateFrom (README: MinIO, \"Changing the layout\")") });
    }
    const pods: number = (s.replicas as number | undefined) ?? DEFAULT_PODS;
    const drives = pods * s.drivesPerPod;
    const set = erasureSetSize(pods, s.drivesPerPod);
    if (set === undefined || set < MIN_SET_DRIVES) {
      ctx.addIssue({
        code: "custom",
        path: ["replicas"],
        message: says(
          `${drives} drive${drives === 1 ? "" : "s"} (${pods} pod${pods === 1 ? "" : "s"} × ${s.drivesPerPod}) cannot form erasure sets of ${MIN_SET_DRIVES}-${MAX_SET_DRIVES} drives${set ? ` (MinIO would use sets of ${set})` : ""}`,
          "use 4 pods with drivesPerPod 1, 2 pods with drivesPerPod 2, or another layout whose drive count has a divisor from 4 to 16",
        ),
      });
    } else if (s.parity > set / 2) {
      ctx.addIssue({
        code: "custom",
        path: ["parity"],
        message: says(`EC:${s.parity} on erasure sets of ${set} drives: parity may be at most half a set (${Math.floor(set / 2)})`, `lower parity to ${Math.floor(set / 2)} or add drives`),
      });
    }
    (s.buckets ?? []).forEach((b, i) => {
      if ((s.buckets ?? []).findIndex((x) => x.name === b.name) < i) {
        ctx.addIssue({ code: "custom", path: ["buckets", i, "name"], message: says(`bucket "${b.name}" is declared twice`, "declare each bucket once, with all its consumers") });
      }
      b.consumers.forEach((c, j) => {
        if (b.consumers.indexOf(c) < j) ctx.addIssue({ code: "custom", path: ["buckets", i, "consumers", j], message: says(`"${c}" is listed twice`, "list each consumer once") });
      });
    });
  })
  .prefault({})
  .describe("MinIO: distributed object storage (erasure coded) for backups, with buckets and one access key per consumer");

export type MinioSettings = ReturnType<typeof resolveMinio>;

/**
 * Defaults that depend on the stack: the nodes (every service or compute node), and the buckets
 * (the default ones whose consumers are enabled; `enabledWorkloads` are the workload keys that run).
 */
export function resolveMinio(s: z.output<typeof minioSettings>, view: StackView, enabledWorkloads: readonly string[]) {
  const nodes = s.nodes ?? view.nodes.filter((n) => n.roles.includes("service") || n.roles.includes("compute")).map((n) => n.name);
  const buckets: MinioBucket[] = s.buckets ?? DEFAULT_BUCKETS.filter((b) => b.consumers.some((c) => enabledWorkloads.includes(c))).map((b) => ({ ...b, consumers: b.consumers.filter((c) => enabledWorkloads.includes(c)) }));
  return { ...s, replicas: ((s.replicas as number | undefined) ?? DEFAULT_PODS) as number, nodes, buckets };
}

/** The consumers that get an access key, in declaration order. */
export function minioConsumers(buckets: readonly MinioBucket[]): string[] {
  return [...new Set(buckets.flatMap((b) => b.consumers))];
}

/** The buckets a consumer may use (pure: stacks/plan.ts and the backup wiring read it). */
export function bucketsOf(buckets: readonly MinioBucket[], consumer: string): string[] {
  return buckets.filter((b) => b.consumers.includes(consumer)).map((b) => b.name);
}
