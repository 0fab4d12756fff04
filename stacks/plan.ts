// Config → component args, in one place: the plan (pure workload specs that validation checks)
// and the platform (the resources) are built from the same args, so what was checked is what runs.
import { IMAGES } from "../components/kit/images";
import { qdrantSpec } from "../components/data/qdrant";
import type { QdrantArgs } from "../components/data/qdrant";
import { postgresSpec } from "../components/data/postgres/spec";
import type { PostgresArgs } from "../components/data/postgres/postgres";
import { minioSpec } from "../components/data/minio/spec";
import type { MinioArgs } from "../components/data/minio/minio";
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
  if (cfg.workloads.minio.enabled) {
    out.push({ spec: minioSpec({ ...minioArgs(cfg), rootSecret: "minio-root" }), path: workloadPath("minio"), acceptVolumeTemplateChange: cfg.workloads.minio.acceptVolumeTemplateChange });
  }
  return out;
}
