// The backup CronJobs as pure specs: what runs, with which image, user, environment and deadline.
// Two-step jobs hand a directory over in an emptyDir: the first container produces (dump,
// snapshot, download), the second consumes (upload + retention, verify, restore). Every secret
// arrives by Secret reference; the scripts come from a ConfigMap.
import { CronJobSpec, EnvValue, HttpConnection, IMAGES, InitContainerSpec, PodVolume, PostgresConnection, ResourceSpec, S3Connection } from "../../kit";
import type { BackupScript } from "./scripts";
import { BACKUP_REMOTE, RCLONE_HOME_ENV, rcloneRemoteEnv, remotePath } from "./s3";

/** BACKUP_LABEL values: what each job backs up (its checks and restores carry the same value). */
export const BACKUP_KINDS = { postgresDump: "postgres-dump", postgresWalg: "postgres-walg", qdrant: "qdrant-snapshot", freshness: "freshness" } as const;

/** Where each kind lives inside its bucket. */
export const DUMPS_PREFIX = "dumps";
export const QDRANT_PREFIX = "snapshots";

const SCRIPTS = "scripts";
const WORK = "work";
const TMP = "tmp";
/** nobody: rclone's image runs as root unless told otherwise. */
export const RCLONE_UID = 65534;

export const JOB_RESOURCES: Readonly<Record<"tool" | "transfer", ResourceSpec>> = {
  /** pg_dump/pg_restore, curl against Qdrant. */
  tool: { cpu: "100m", memory: "128Mi", memoryLimit: "512Mi" },
  /** rclone: streams files, small buffers. */
  transfer: { cpu: "50m", memory: "64Mi", memoryLimit: "256Mi" },
};

export const DEADLINES = { backup: 3 * 3600, verify: 3600, restore: 6 * 3600, freshness: 600 } as const;

/** Scripts ConfigMap, scratch space for the files in transit, and a writable /tmp. */
function volumes(scriptsConfigMap: string): PodVolume[] {
  return [
    { name: SCRIPTS, configMap: { name: scriptsConfigMap, defaultMode: 0o555 } },
    { name: WORK, emptyDir: {} },
    { name: TMP, emptyDir: { sizeLimit: "64Mi" } },
  ];
}

const mounts = [
  { volume: SCRIPTS, mountPath: "/scripts", readOnly: true },
  { volume: WORK, mountPath: "/work" },
  { volume: TMP, mountPath: "/tmp" },
];

function run(script: BackupScript): string[] {
  return ["/bin/sh", `/scripts/${script}`];
}

function rclone(name: string, script: BackupScript, env: Record<string, EnvValue>): InitContainerSpec {
  return {
    name,
    image: IMAGES.rclone,
    command: run(script),
    env: { ...RCLONE_HOME_ENV, TZ: "UTC", ...env },
    mounts,
    resources: JOB_RESOURCES.transfer,
    security: { runAsUser: RCLONE_UID, runAsGroup: RCLONE_UID },
  };
}

function pgEnv(c: PostgresConnection): Record<string, EnvValue> {
  return { PGHOST: c.host, PGPORT: String(c.port), PGUSER: c.user, PGDATABASE: c.database, PGPASSWORD: { secret: c.password }, PGCONNECT_TIMEOUT: "10" };
}

function postgresTool(name: string, script: BackupScript, env: Record<string, EnvValue>): InitContainerSpec {
  return { name, image: IMAGES.postgresClient, command: run(script), env: { TMPDIR: "/tmp", ...env }, mounts, resources: JOB_RESOURCES.tool };
}

function qdrantEnv(q: HttpConnection): Record<string, EnvValue> {
  if (!q.apiKey) throw new Error(`the Qdrant connection to ${q.service} has no API key reference`);
  return { QDRANT_URL: q.url, QDRANT_API_KEY: { secret: q.apiKey }, HEADER_FILE: "/tmp/qdrant-api-key.header" };
}

export interface PostgresBackupJobArgs {
  /** The database workload's name, e.g. "postgres": the jobs are `<name>-backup-dump`, … */
  readonly name: string;
  /** A superuser connection to the primary (dumps read every database; restores create them). */
  readonly database: PostgresConnection;
  readonly s3: S3Connection;
  readonly scriptsConfigMap: string;
  readonly dumpSchedule: string;
  readonly verifySchedule: string;
  readonly retentionDays: number;
}

/** Nightly logical dump of every database, uploaded, then retention. Independent of Spilo and WAL-G. */
export function postgresDumpJob(a: PostgresBackupJobArgs): CronJobSpec {
  return {
    identity: { name: `${a.name}-backup-dump`, component: "backup" },
    schedule: a.dumpSchedule,
    backup: BACKUP_KINDS.postgresDump,
    activeDeadlineSeconds: DEADLINES.backup,
    volumes: volumes(a.scriptsConfigMap),
    initContainers: [postgresTool("dump", "pg-dump.sh", { ...pgEnv(a.database), OUT_DIR: "/work/out" })],
    containers: [
      rclone("upload", "s3-upload.sh", {
        ...rcloneRemoteEnv(BACKUP_REMOTE, a.s3),
        S3_REMOTE: BACKUP_REMOTE,
        S3_PATH: `${a.s3.bucket}/${DUMPS_PREFIX}`,
        RETENTION_DAYS: String(a.retentionDays),
        SRC_DIR: "/work/out",
      }),
    ],
  };
}

function fetchNewest(s3: S3Connection, prefix: string): InitContainerSpec {
  return rclone("fetch", "s3-fetch.sh", {
    ...rcloneRemoteEnv(BACKUP_REMOTE, s3),
    S3_REMOTE: BACKUP_REMOTE,
    S3_PATH: `${s3.bucket}/${prefix}`,
    BACKUP_ID: "latest",
    DEST_DIR: "/work/in",
  });
}

/** Every few hours: the newest dump read back (checksums, gzip -t, pg_restore --list). Needs no database. */
export function postgresVerifyJob(a: PostgresBackupJobArgs): CronJobSpec {
  return {
    identity: { name: `${a.name}-backup-verify`, component: "backup-verify" },
    schedule: a.verifySchedule,
    backup: BACKUP_KINDS.postgresDump,
    activeDeadlineSeconds: DEADLINES.verify,
    volumes: volumes(a.scriptsConfigMap),
    initContainers: [fetchNewest(a.s3, DUMPS_PREFIX)],
    containers: [postgresTool("verify", "pg-verify.sh", { SRC_DIR: "/work/in" })],
  };
}

/**
 * Declared, never scheduled: `kubectl create job --from=cronjob/<name>-restore-dump <job>` restores
 * the newest dump into `<db>_restored` databases next to the live ones (BACKUP_ID, DATABASES,
 * RESTORE_SUFFIX, RESTORE_CLEAN override it: README, Restore).
 */
export function postgresRestoreJob(a: PostgresBackupJobArgs): CronJobSpec {
  return {
    identity: { name: `${a.name}-restore-dump`, component: "restore" },
    schedule: a.dumpSchedule,
    suspend: true,
    backup: BACKUP_KINDS.postgresDump,
    activeDeadlineSeconds: DEADLINES.restore,
    backoffLimit: 0,
    volumes: volumes(a.scriptsConfigMap),
    initContainers: [fetchNewest(a.s3, DUMPS_PREFIX)],
    containers: [postgresTool("restore", "pg-restore.sh", { ...pgEnv(a.database), SRC_DIR: "/work/in", RESTORE_SUFFIX: "_restored", RESTORE_CLEAN: "false", RESTORE_GLOBALS: "true" })],
  };
}

export interface QdrantBackupJobArgs {
  /** The Qdrant workload's name, e.g. "qdrant". */
  readonly name: string;
  readonly qdrant: HttpConnection;
  readonly s3: S3Connection;
  readonly scriptsConfigMap: string;
  readonly schedule: string;
  readonly retentionDays: number;
}

/** Snapshot of every collection, downloaded, deleted on the server, uploaded, then retention. */
export function qdrantSnapshotJob(a: QdrantBackupJobArgs): CronJobSpec {
  return {
    identity: { name: `${a.name}-backup-snapshot`, component: "backup" },
    schedule: a.schedule,
    backup: BACKUP_KINDS.qdrant,
    activeDeadlineSeconds: DEADLINES.backup,
    volumes: volumes(a.scriptsConfigMap),
    initContainers: [{ name: "snapshot", image: IMAGES.kubectl, command: run("qdrant-snapshot.sh"), env: { ...qdrantEnv(a.qdrant), OUT_DIR: "/work/out", HOME: "/tmp" }, mounts, resources: JOB_RESOURCES.tool }],
    containers: [
      rclone("upload", "s3-upload.sh", {
        ...rcloneRemoteEnv(BACKUP_REMOTE, a.s3),
        S3_REMOTE: BACKUP_REMOTE,
        S3_PATH: `${a.s3.bucket}/${QDRANT_PREFIX}`,
        RETENTION_DAYS: String(a.retentionDays),
        SRC_DIR: "/work/out",
      }),
    ],
  };
}

/** Declared, never scheduled: restores every collection (or COLLECTIONS) of the newest (or BACKUP_ID) snapshot set. */
export function qdrantRestoreJob(a: QdrantBackupJobArgs): CronJobSpec {
  return {
    identity: { name: `${a.name}-restore-snapshot`, component: "restore" },
    schedule: a.schedule,
    suspend: true,
    backup: BACKUP_KINDS.qdrant,
    activeDeadlineSeconds: DEADLINES.restore,
    backoffLimit: 0,
    volumes: volumes(a.scriptsConfigMap),
    initContainers: [fetchNewest(a.s3, QDRANT_PREFIX)],
    containers: [{ name: "restore", image: IMAGES.kubectl, command: run("qdrant-restore.sh"), env: { ...qdrantEnv(a.qdrant), SRC_DIR: "/work/in", HOME: "/tmp" }, mounts, resources: JOB_RESOURCES.tool }],
  };
}

/** One backup the freshness check watches: its newest object must be younger than the limit. */
export interface FreshnessTarget {
  /** Shown in the log line, e.g. "postgres-dump". */
  readonly name: string;
  readonly s3: S3Connection;
  /** Path inside the connection's bucket. */
  readonly path: string;
}

export interface FreshnessJobArgs {
  readonly name: string;
  readonly targets: readonly FreshnessTarget[];
  readonly scriptsConfigMap: string;
  readonly schedule: string;
  readonly maxAgeHours: number;
}

/**
 * The rclone remotes of the targets: one per distinct connection (bucket + key), named r0, r1, …
 * in first-seen order, so each target is listed with its own consumer's key.
 */
export function freshnessRemotes(targets: readonly FreshnessTarget[]): { env: Record<string, EnvValue>; lines: string[]; connections: S3Connection[] } {
  const remotes = new Map<string, { name: string; s3: S3Connection }>();
  const id = (s: S3Connection) => `${s.url}|${s.bucket}|${s.accessKeyId.secretName}/${s.accessKeyId.key}`;
  for (const t of targets) if (!remotes.has(id(t.s3))) remotes.set(id(t.s3), { name: `r${remotes.size}`, s3: t.s3 });
  const env: Record<string, EnvValue> = {};
  for (const r of remotes.values()) Object.assign(env, rcloneRemoteEnv(r.name, r.s3));
  const lines = targets.map((t) => {
    if (!/^[A-Za-z0-9._-]+$/.test(t.name)) throw new Error(`freshness target name "${t.name}" must be one word`);
    return `${t.name} ${remotePath(remotes.get(id(t.s3))!.name, t.s3, t.path)}`;
  });
  return { env, lines, connections: [...remotes.values()].map((r) => r.s3) };
}

/** Fails (a failed Job, a log line per backup with its age) when any backup's newest object is older than the limit. */
export function freshnessJob(a: FreshnessJobArgs): CronJobSpec {
  if (a.targets.length === 0) throw new Error("the freshness check needs at least one backup to watch");
  const r = freshnessRemotes(a.targets);
  return {
    identity: { name: a.name, component: "backup-freshness" },
    schedule: a.schedule,
    backup: BACKUP_KINDS.freshness,
    activeDeadlineSeconds: DEADLINES.freshness,
    // A stale backup is a fact, not a flake: no retry, the failed Job stays to be seen.
    backoffLimit: 0,
    volumes: volumes(a.scriptsConfigMap),
    containers: [rclone("check", "freshness.sh", { ...r.env, TARGETS: r.lines.join("\n"), MAX_AGE_HOURS: String(a.maxAgeHours) })],
  };
}
