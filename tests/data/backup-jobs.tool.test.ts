// The backup CronJobs as specs and as rendered objects: labels, policies, users, environment (secrets
// by reference only), and what WAL-G gets; the scripts against shellcheck and their images' tools.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import {
  BACKUP_KINDS,
  BACKUP_SCRIPTS,
  RCLONE_UID,
  SCRIPT_IMAGES,
  freshnessJob,
  freshnessRemotes,
  postgresDumpJob,
  postgresRestoreJob,
  postgresVerifyJob,
  qdrantRestoreJob,
  qdrantSnapshotJob,
  walgEnv,
} from "../../components/data/backup";
import { BACKUP_LABEL, IMAGES, PostgresConnection, checkCronJobSpec, cronJobBody, httpConnection } from "../../components/kit";
import { postgresSpec } from "../../components/data/postgres/spec";
import { DEFAULT_DCS, DEFAULT_PATRONI_TIMING } from "../../components/data/postgres";
import { missingTools } from "../kit/images.test";
import { s3Fixture } from "../lib/s3-fixture";
import { scratchDir } from "../lib/scratch";

const s3 = s3Fixture;
const pgS3 = s3("postgres", "postgres-backups");
const qdS3 = s3("qdrant", "qdrant-snapshots");
const admin: PostgresConnection = {
  kind: "postgres",
  host: "postgres-primary.homelab.svc.cluster.local",
  port: 5432,
  service: "postgres-primary",
  endpoint: { namespace: "homelab", podSelector: { "app.kubernetes.io/name": "postgres" }, port: 5432 },
  database: "postgres",
  user: "postgres",
  password: { secretName: "postgres-credentials", key: "superuser-password" },
};
const qdrant = httpConnection("qdrant", "homelab", 6333, { "app.kubernetes.io/name": "qdrant" }, { secretName: "qdrant-api-key", key: "api-key" });
const pgArgs = { name: "postgres", database: admin, s3: pgS3, scriptsConfigMap: "postgres-backup-scripts", dumpSchedule: "30 2 * * *", verifySchedule: "0 */4 * * *", retentionDays: 30 };
const qdArgs = { name: "qdrant", qdrant, s3: qdS3, scriptsConfigMap: "qdrant-backup-scripts", schedule: "15 2 * * *", retentionDays: 14 };

const allJobs = () => ({
  dump: postgresDumpJob(pgArgs),
  verify: postgresVerifyJob(pgArgs),
  restore: postgresRestoreJob(pgArgs),
  snapshot: qdrantSnapshotJob(qdArgs),
  qdrantRestore: qdrantRestoreJob(qdArgs),
  freshness: freshnessJob({ name: "backup-freshness", targets: [{ name: "postgres-dump", s3: pgS3, path: "dumps" }, { name: "qdrant-snapshot", s3: qdS3, path: "snapshots" }], scriptsConfigMap: "f", schedule: "0 * * * *", maxAgeHours: 26 }),
});

const containersOf = (body: any) => [...(body.jobTemplate.spec.template.spec.initContainers ?? []), ...body.jobTemplate.spec.template.spec.containers];
const envOf = (c: any): Record<string, any> => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));

describe("every backup CronJob", () => {
  it.each(Object.entries(allJobs()))("%s: labelled with what it backs up, never overlapping, bounded, history kept", (_, spec) => {
    const body: any = cronJobBody(spec);
    expect(body.jobTemplate.metadata.labels[BACKUP_LABEL]).toBe(spec.backup);
    expect(body.jobTemplate.spec.template.metadata.labels[BACKUP_LABEL]).toBe(spec.backup);
    expect(Object.values(BACKUP_KINDS)).toContain(spec.backup);
    expect(body.concurrencyPolicy).toBe("Forbid");
    expect(body.failedJobsHistoryLimit).toBeGreaterThanOrEqual(1);
    expect(body.successfulJobsHistoryLimit).toBeGreaterThanOrEqual(1);
    expect(body.jobTemplate.spec.activeDeadlineSeconds).toBeGreaterThan(0);
    expect(body.jobTemplate.spec.activeDeadlineSeconds).toBeLessThanOrEqual(6 * 3600);
    expect(body.jobTemplate.spec.template.spec.restartPolicy).toBe("Never");
    expect(body.jobTemplate.spec.template.spec.automountServiceAccountToken).toBe(false);
    expect(body.jobTemplate.spec.template.spec.securityContext.seccompProfile).toEqual({ type: "RuntimeDefault" });
  });

  it.each(Object.entries(allJobs()))("%s: every container non-root, no privilege escalation, a pinned catalog image, a memory limit", (_, spec) => {
    const catalog = Object.values(IMAGES).map((i) => `${i.repository}:${i.tag}`);
    for (const c of containersOf(cronJobBody(spec))) {
      expect(c.securityContext).toMatchObject({ runAsNonRoot: true, allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] } });
      expect(c.securityContext.runAsUser).toBeGreaterThan(0);
      expect(catalog).toContain(c.image);
      expect(c.resources.limits.memory).toBeDefined();
    }
  });

  it.each(Object.entries(allJobs()))("%s: secrets only by Secret reference (no literal key, password or token)", (_, spec) => {
    for (const c of containersOf(cronJobBody(spec))) {
      for (const [name, v] of Object.entries(envOf(c))) {
        if (/PASSWORD|SECRET|ACCESS_KEY|API_KEY/.test(name)) expect(v).toHaveProperty("secretKeyRef");
      }
      expect(c.command.join(" ")).not.toMatch(/S3RVER|password|api-key:/i);
    }
  });

  it("rclone runs as nobody with a writable home; the dump as Alpine's postgres user", () => {
    const body: any = cronJobBody(postgresDumpJob(pgArgs));
    const [dump, upload] = containersOf(body);
    expect(upload.image).toBe(`${IMAGES.rclone.repository}:${IMAGES.rclone.tag}`);
    expect(upload.securityContext).toMatchObject({ runAsUser: RCLONE_UID, runAsGroup: RCLONE_UID, runAsNonRoot: true });
    expect(envOf(upload).HOME).toBe("/tmp");
    expect(dump.securityContext).toMatchObject({ runAsUser: 70, runAsGroup: 70 });
  });

  it("restores are declared but suspended; backups and checks are scheduled", () => {
    const j = allJobs();
    expect(cronJobBody(j.restore).suspend).toBe(true);
    expect(cronJobBody(j.qdrantRestore).suspend).toBe(true);
    for (const s of [j.dump, j.verify, j.snapshot, j.freshness]) expect(cronJobBody(s).suspend).toBe(false);
    expect(j.restore.identity.name).toBe("postgres-restore-dump");
    expect(j.qdrantRestore.identity.name).toBe("qdrant-restore-snapshot");
  });

  it("refuses a schedule that is not cron, an over-long name and a mount of an undeclared volume", () => {
    const base = postgresDumpJob(pgArgs);
    expect(() => checkCronJobSpec({ ...base, schedule: "daily" })).toThrow(/schedule "daily" is not a five-field cron/);
    expect(() => checkCronJobSpec({ ...base, identity: { name: "a".repeat(53), component: "backup" } })).toThrow(/longer than 52/);
    expect(() => checkCronJobSpec({ ...base, volumes: [] })).toThrow(/mounts volume "scripts" that the pod does not declare/);
  });
});

describe("the dump, verify and restore jobs", () => {
  it("dump: superuser connection to the primary, upload to <bucket>/dumps with the retention", () => {
    const [dump, upload] = containersOf(cronJobBody(postgresDumpJob(pgArgs)));
    expect(dump.command).toEqual(["/bin/sh", "/scripts/pg-dump.sh"]);
    expect(envOf(dump)).toMatchObject({ PGHOST: admin.host, PGPORT: "5432", PGUSER: "postgres", PGPASSWORD: { secretKeyRef: { name: "postgres-credentials", key: "superuser-password" } } });
    expect(upload.command).toEqual(["/bin/sh", "/scripts/s3-upload.sh"]);
    expect(envOf(upload)).toMatchObject({
      S3_REMOTE: "store",
      S3_PATH: "postgres-backups/dumps",
      RETENTION_DAYS: "30",
      RCLONE_CONFIG_STORE_TYPE: "s3",
      RCLONE_CONFIG_STORE_ENDPOINT: "http://minio.homelab.svc.cluster.local:9000",
      RCLONE_CONFIG_STORE_FORCE_PATH_STYLE: "true",
      RCLONE_CONFIG_STORE_ACCESS_KEY_ID: { secretKeyRef: { name: "minio-postgres", key: "access-key-id" } },
      RCLONE_CONFIG_STORE_SECRET_ACCESS_KEY: { secretKeyRef: { name: "minio-postgres", key: "secret-access-key" } },
    });
  });

  it("verify needs no database; restore targets the primary into <db>_restored unless told otherwise", () => {
    const verify = containersOf(cronJobBody(postgresVerifyJob(pgArgs)));
    expect(verify.map((c: any) => c.name)).toEqual(["fetch", "verify"]);
    expect(Object.keys(envOf(verify[1])).filter((k) => k.startsWith("PG"))).toEqual([]);
    const [fetch, restore] = containersOf(cronJobBody(postgresRestoreJob(pgArgs)));
    expect(envOf(fetch)).toMatchObject({ BACKUP_ID: "latest", S3_PATH: "postgres-backups/dumps" });
    expect(envOf(restore)).toMatchObject({ PGHOST: admin.host, RESTORE_SUFFIX: "_restored", RESTORE_CLEAN: "false" });
  });

  it("Qdrant: the API key by reference, snapshots under <bucket>/snapshots", () => {
    const [snap, upload] = containersOf(cronJobBody(qdrantSnapshotJob(qdArgs)));
    expect(envOf(snap)).toMatchObject({ QDRANT_URL: "http://qdrant.homelab.svc.cluster.local:6333", QDRANT_API_KEY: { secretKeyRef: { name: "qdrant-api-key", key: "api-key" } } });
    expect(envOf(upload)).toMatchObject({ S3_PATH: "qdrant-snapshots/snapshots", RETENTION_DAYS: "14" });
    expect(() => qdrantSnapshotJob({ ...qdArgs, qdrant: { ...qdrant, apiKey: undefined } })).toThrow(/no API key/);
  });

  it("freshness: one rclone remote per consumer key, each backup listed with its own", () => {
    const r = freshnessRemotes([
      { name: "postgres-dump", s3: pgS3, path: "dumps" },
      { name: "postgres-walg", s3: pgS3, path: "walg/postgres/basebackups_005" },
      { name: "qdrant-snapshot", s3: qdS3, path: "snapshots" },
    ]);
    expect(r.lines).toEqual(["postgres-dump r0:postgres-backups/dumps", "postgres-walg r0:postgres-backups/walg/postgres/basebackups_005", "qdrant-snapshot r1:qdrant-snapshots/snapshots"]);
    expect(r.env.RCLONE_CONFIG_R0_ACCESS_KEY_ID).toEqual({ secret: pgS3.accessKeyId });
    expect(r.env.RCLONE_CONFIG_R1_ACCESS_KEY_ID).toEqual({ secret: qdS3.accessKeyId });
    expect(r.connections).toHaveLength(2);
    const env = envOf(containersOf(cronJobBody(allJobs().freshness))[0]);
    expect(env).toMatchObject({ MAX_AGE_HOURS: "26" });
    expect(env.TARGETS.split("\n")).toHaveLength(2);
    expect(() => freshnessJob({ name: "f", targets: [], scriptsConfigMap: "f", schedule: "0 * * * *", maxAgeHours: 26 })).toThrow(/at least one/);
  });
});

describe("WAL-G in Spilo", () => {
  const walg = { s3: pgS3, prefix: "walg/postgres", schedule: "0 2 * * *", retain: 30 };

  it("archives and base-backs-up into the bucket, path style, keys by reference", () => {
    expect(walgEnv(walg)).toEqual({
      USE_WALG_BACKUP: "true",
      USE_WALG_RESTORE: "true",
      WALG_S3_PREFIX: "s3://postgres-backups/walg/postgres",
      AWS_ENDPOINT: "http://minio.homelab.svc.cluster.local:9000",
      AWS_S3_FORCE_PATH_STYLE: "true",
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: { secret: pgS3.accessKeyId },
      AWS_SECRET_ACCESS_KEY: { secret: pgS3.secretAccessKey },
      BACKUP_SCHEDULE: "0 2 * * *",
      BACKUP_NUM_TO_RETAIN: "30",
    });
  });

  it("a clone recovers from another prefix to a point in time, never into its own", () => {
    const env = walgEnv({ ...walg, prefix: "walg/postgres-2", clone: { prefix: "walg/postgres", targetTime: "2026-12-01T10:00:00+00:00" } });
    expect(env).toMatchObject({
      CLONE_METHOD: "CLONE_WITH_WALE",
      CLONE_SCOPE: "postgres",
      CLONE_USE_WALG_RESTORE: "true",
      CLONE_WALG_S3_PREFIX: "s3://postgres-backups/walg/postgres",
      CLONE_AWS_ENDPOINT: pgS3.url,
      CLONE_AWS_S3_FORCE_PATH_STYLE: "true",
      CLONE_AWS_SECRET_ACCESS_KEY: { secret: pgS3.secretAccessKey },
      CLONE_TARGET_TIME: "2026-12-01T10:00:00+00:00",
      WALG_S3_PREFIX: "s3://postgres-backups/walg/postgres-2",
    });
    expect(() => walgEnv({ ...walg, clone: { prefix: "walg/postgres/" } })).toThrow(/would archive into the backups it restores from/);
  });

  it("reaches the Spilo container only when a backup bucket is given", () => {
    const base = { members: 1, version: "17", storage: "1Gi", resources: { cpu: "1", memory: "1Gi", memoryLimit: "1Gi" }, timing: DEFAULT_PATRONI_TIMING, dcs: DEFAULT_DCS, credentialsSecret: "c", spiloConfigurationSecret: "s", scriptConfigMap: "d", serviceAccount: "a", primaryService: "p" };
    const envNames = (spec: ReturnType<typeof postgresSpec>) => Object.keys(spec.containers[0].env ?? {});
    expect(envNames(postgresSpec(base))).not.toContain("USE_WALG_BACKUP");
    expect(postgresSpec({ ...base, walg }).containers[0].env).toMatchObject({ USE_WALG_BACKUP: "true", BACKUP_NUM_TO_RETAIN: "30" });
  });
});

describe("the backup scripts", () => {
  it.each(Object.keys(BACKUP_SCRIPTS) as (keyof typeof BACKUP_SCRIPTS)[])("%s: its image provides every tool it calls", (name) => {
    expect(missingTools(BACKUP_SCRIPTS[name], IMAGES[SCRIPT_IMAGES[name]].provides)).toEqual([]);
  });

  it("are POSIX sh and shellcheck-clean", async () => {
    const dir = scratchDir("backup-shellcheck-");
    const files = Object.entries(BACKUP_SCRIPTS).map(([n, text]) => {
      fs.writeFileSync(path.join(dir, n), text);
      return path.join(dir, n);
    });
    const { status, output } = await new Promise<{ status: number | null; output: string }>((resolve) => {
      const child = spawn("shellcheck", ["--shell=sh", "--severity=style", ...files]);
      let out = "";
      child.stdout.on("data", (d) => (out += d));
      child.stderr.on("data", (d) => (out += d));
      child.on("close", (code) => resolve({ status: code, output: out }));
    });
    expect(output).toBe("");
    expect(status).toBe(0);
  });

  it("never put a credential on a command line: keys come from the environment", () => {
    for (const text of Object.values(BACKUP_SCRIPTS)) {
      expect(text).not.toMatch(/--(s3-)?(access-key|secret)/);
      expect(text).not.toMatch(/curl[^\n]*\$QDRANT_API_KEY/);
      expect(text).not.toMatch(/PGPASSWORD=/);
    }
  });
});
