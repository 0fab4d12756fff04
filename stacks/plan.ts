// Config → component args, in one place: the plan (pure workload specs that validation checks)
// and the platform (the resources) are built from the same args, so what was checked is what runs.
import { qdrantSpec } from "../components/data/qdrant";
import type { QdrantArgs, QdrantBackupArgs } from "../components/data/qdrant";
import type { S3Connection } from "../components/kit";
import { postgresSpec } from "../components/data/postgres/spec";
import type { PostgresArgs, PostgresBackupArgs } from "../components/data/postgres/postgres";
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
  return out;
}
