// PatroniPostgres, Qdrant and BackupFreshness given a backup bucket (hand-made S3 connections, as
// MinIO's connection(consumer) will return them), under the SDK's mock runtime: the CronJobs they
// emit, the allows those get (S3 and the data they read, nothing else), WAL-G on the members.
import * as pulumi from "@pulumi/pulumi";
import { recordResources } from "../lib/recording-mocks";
import { s3Fixture } from "../lib/s3-fixture";

// Generated passwords need a value: Patroni's config checks the REST API password's length.
const recorded = recordResources("unit", (r) => (r.type === "random:index/randomPassword:RandomPassword" ? { result: "p".repeat(r.inputs.length ?? 32) } : undefined));

// eslint-disable-next-line @typescript-eslint/no-require-imports
const { PatroniPostgres } = require("../../components/data/postgres") as typeof import("../../components/data/postgres");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Qdrant } = require("../../components/data/qdrant") as typeof import("../../components/data/qdrant");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { BackupFreshness } = require("../../components/data/backup") as typeof import("../../components/data/backup");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { BACKUP_LABEL, CONNECTS_TO_ANNOTATION } = require("../../components/kit") as typeof import("../../components/kit");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { DEFAULT_DCS, DEFAULT_PATRONI_TIMING } = require("../../components/data/postgres") as typeof import("../../components/data/postgres");

const MINIO = { "app.kubernetes.io/name": "minio", "app.kubernetes.io/instance": "homelab-platform" };
const s3 = s3Fixture;

const backupSettings = { schedule: "0 2 * * *", dumpSchedule: "30 2 * * *", verifySchedule: "0 */4 * * *", retentionDays: 30, walgPrefix: "walg/postgres" };
const pgBase = { namespace: "homelab", members: 1, version: "17", storage: "1Gi", resources: { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" }, timing: DEFAULT_PATRONI_TIMING, dcs: DEFAULT_DCS };

const settle = () => new Promise((r) => setTimeout(r, 50));
const of = (type: string, name: string) => recorded.filter((r) => r.type === type && r.name === name);
const cronJob = (name: string) => of("kubernetes:batch/v1:CronJob", name)[0]?.inputs;
const policy = (name: string) => recorded.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && r.inputs.metadata?.name === name)?.inputs;

let pgTargets: string[] = [];
let qdTargets: string[] = [];
beforeAll(async () => {
  const parent = new pulumi.ComponentResource("test:unit:Parent", "p", {});
  const pg = new PatroniPostgres("pg", { ...pgBase, backup: { ...backupSettings, s3: s3("postgres", "postgres-backups") } }, { parent });
  const qd = new Qdrant("qd", { namespace: "homelab", node: "asuna", storage: "1Gi", resources: { cpu: "200m", memory: "512Mi", memoryLimit: "2Gi" }, backup: { schedule: "15 2 * * *", retentionDays: 30, s3: s3("qdrant", "qdrant-snapshots") } }, { parent });
  new BackupFreshness("fresh", { namespace: "homelab", targets: [...pg.backupTargets, ...qd.backupTargets], schedule: "0 * * * *", maxAgeHours: 26 }, { parent });
  pgTargets = pg.backupTargets.map((t) => `${t.name} ${t.s3.bucket}/${t.path}`);
  qdTargets = qd.backupTargets.map((t) => `${t.name} ${t.s3.bucket}/${t.path}`);
  await settle();
  await settle();
});

describe("with a backup bucket", () => {
  it("postgres declares its dump, verify and suspended restore CronJobs, and Qdrant its snapshot and restore", () => {
    for (const n of ["postgres-backup-dump", "postgres-backup-verify", "postgres-restore-dump", "qdrant-backup-snapshot", "qdrant-restore-snapshot", "backup-freshness"]) {
      expect(cronJob(n)).toBeDefined();
      expect(cronJob(n).metadata.labels[BACKUP_LABEL]).toBeDefined();
      expect(cronJob(n).metadata.namespace).toBe("homelab");
    }
    expect(cronJob("postgres-restore-dump").spec.suspend).toBe(true);
    expect(cronJob("qdrant-restore-snapshot").spec.suspend).toBe(true);
    expect(cronJob("postgres-backup-dump").spec.schedule).toBe("30 2 * * *");
  });

  it("each job reaches S3 and the data it reads through one allow per connection, nothing else", () => {
    const from = (p: any) => p.spec.ingress[0].from[0].podSelector.matchLabels["app.kubernetes.io/name"];
    const toMinio = policy("postgres-backup-dump-to-minio")!;
    expect(from(toMinio)).toBe("postgres-backup-dump");
    expect(toMinio.spec.podSelector.matchLabels).toEqual(MINIO);
    expect(toMinio.spec.ingress[0].ports).toEqual([{ port: 9000, protocol: "TCP" }]);
    expect(from(policy("postgres-backup-dump-to-postgres-primary"))).toBe("postgres-backup-dump");
    expect(policy("postgres-backup-verify-to-postgres-primary")).toBeUndefined();
    expect(policy("postgres-backup-verify-to-minio")).toBeDefined();
    expect(from(policy("qdrant-backup-snapshot-to-qdrant"))).toBe("qdrant-backup-snapshot");
    expect(policy("qdrant-backup-snapshot-to-qdrant")!.spec.ingress[0].ports).toEqual([{ port: 6333, protocol: "TCP" }]);
    expect(policy("backup-freshness-to-minio")).toBeDefined();
    // The job pods carry the annotation the network invariant reads.
    expect(cronJob("postgres-backup-dump").spec.jobTemplate.spec.template.metadata.annotations[CONNECTS_TO_ANNOTATION]).toBe("minio.homelab:9000,postgres-primary.homelab:5432");
  });

  it("the Spilo members archive with WAL-G and may reach S3", () => {
    const sts = of("kubernetes:apps/v1:StatefulSet", "postgres")[0].inputs;
    const env = Object.fromEntries(sts.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env).toMatchObject({ USE_WALG_BACKUP: "true", WALG_S3_PREFIX: "s3://postgres-backups/walg/postgres", BACKUP_SCHEDULE: "0 2 * * *", BACKUP_NUM_TO_RETAIN: "30" });
    expect(env.AWS_SECRET_ACCESS_KEY).toEqual({ secretKeyRef: { name: "minio-postgres", key: "secret-access-key" } });
    expect(policy("postgres-to-minio")).toBeDefined();
  });

  it("the freshness check watches the dumps, the WAL-G base backups and the snapshots, each with its consumer's key", () => {
    expect(pgTargets).toEqual(["postgres-dump postgres-backups/dumps", "postgres-walg postgres-backups/walg/postgres/basebackups_005"]);
    expect(qdTargets).toEqual(["qdrant-snapshot qdrant-snapshots/snapshots"]);
    const c = cronJob("backup-freshness").spec.jobTemplate.spec.template.spec.containers[0];
    const env = Object.fromEntries(c.env.map((e: any) => [e.name, e.value ?? e.valueFrom]));
    expect(env.TARGETS.split("\n")).toEqual(["postgres-dump r0:postgres-backups/dumps", "postgres-walg r0:postgres-backups/walg/postgres/basebackups_005", "qdrant-snapshot r1:qdrant-snapshots/snapshots"]);
    expect(env.RCLONE_CONFIG_R1_SECRET_ACCESS_KEY).toEqual({ secretKeyRef: { name: "minio-qdrant", key: "secret-access-key" } });
    expect(cronJob("backup-freshness").spec.jobTemplate.spec.backoffLimit).toBe(0);
  });

  it("the scripts the jobs run are in their ConfigMaps", () => {
    expect(Object.keys(of("kubernetes:core/v1:ConfigMap", "postgres-backup-scripts")[0].inputs.data).sort()).toEqual(["pg-dump.sh", "pg-restore.sh", "pg-verify.sh", "s3-fetch.sh", "s3-upload.sh"]);
    expect(Object.keys(of("kubernetes:core/v1:ConfigMap", "qdrant-backup-scripts")[0].inputs.data).sort()).toEqual(["qdrant-restore.sh", "qdrant-snapshot.sh", "s3-fetch.sh", "s3-upload.sh"]);
  });
});

describe("the render summary", () => {
  it("lists the backup CronJobs with what they back up and when; restores as run by hand", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { backupsOf, summary } = require("../../tools/render") as typeof import("../../tools/render");
    const ms = recorded.filter((r) => r.type === "kubernetes:batch/v1:CronJob").map((r) => ({ kind: "CronJob", ...r.inputs })) as any[];
    const backups = backupsOf(ms);
    expect(backups.map((b) => b.job)).toEqual(["backup-freshness", "postgres-backup-dump", "postgres-backup-verify", "postgres-restore-dump", "qdrant-backup-snapshot", "qdrant-restore-snapshot"]);
    const text = summary({ stack: "t", resources: [], nodes: [], workloads: [], hosts: [], warnings: [], backups }, "out", 0);
    expect(text).toMatch(/postgres-backup-dump\s+postgres-dump\s+30 2 \* \* \*/);
    expect(text).toMatch(/postgres-restore-dump\s+postgres-dump\s+suspended \(restore: run by hand\)/);
    expect(summary({ stack: "t", resources: [], nodes: [], workloads: [], hosts: [], warnings: [] }, "out", 0)).not.toMatch(/backup job/);
  });
});
