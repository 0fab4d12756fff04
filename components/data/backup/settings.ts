// Backup settings: each stateful service declares its own (`workloads.<name>.backup`, built here),
// and `homelab:backups` holds what watches all of them (the freshness check).
import { z } from "zod";
import { cron, intBetween, isS3Folder, isTimestamp, says, shown } from "../../kit/formats";

const retentionDays = intBetween(1, 3650).default(30).describe("days a backup is kept in the bucket (default 30; at least 1)");

const folder = z.string().refine(isS3Folder, {
  error: (iss) => says(`${shown(iss.input)} is not a path inside a bucket`, "use A-Z a-z 0-9 . _ / -, e.g. walg/postgres"),
});

const timestamp = z.string().refine(isTimestamp, {
  error: (iss) => says(`${shown(iss.input)} is not a timestamp with its offset`, 'write e.g. "2026-12-01T10:00:00+00:00" (UTC) — the moment to recover to'),
});

export const DEFAULT_WALG_PREFIX = "walg/postgres";

export const postgresBackupSettings = z
  .strictObject({
    enabled: z.boolean().default(true).describe("back the database up when the stack has a backup bucket (default true)"),
    schedule: cron.default("0 2 * * *").describe("cron (UTC) of WAL-G base backups; WAL is archived continuously in between (default 0 2 * * *)"),
    dumpSchedule: cron.default("30 2 * * *").describe("cron (UTC) of the logical dump of every database, the second line that does not need Spilo (default 30 2 * * *)"),
    verifySchedule: cron.default("0 */4 * * *").describe("cron (UTC) of reading the newest dump back: checksums, gzip -t, pg_restore --list (default every 4 hours)"),
    retentionDays,
    walgPrefix: folder.default(DEFAULT_WALG_PREFIX).describe(`where this cluster's WAL-G archive lives in the bucket (default ${DEFAULT_WALG_PREFIX}); a cluster cloned from another needs its own`),
    clone: z
      .strictObject({
        fromPrefix: folder.describe("the WAL-G prefix of the cluster to recover from, e.g. walg/postgres"),
        targetTime: timestamp.optional().describe("recover to this moment (default: the end of the archive)"),
      })
      .optional()
      .describe("bootstrap a NEW cluster (empty volumes) from another cluster's WAL-G backups, point in time (README: Restore)"),
  })
  .superRefine((b, ctx) => {
    if (b.clone && b.clone.fromPrefix.replace(/\/+$/, "") === b.walgPrefix.replace(/\/+$/, "")) {
      ctx.addIssue({
        code: "custom",
        path: ["walgPrefix"],
        message: says(`the cloned cluster would archive into ${b.walgPrefix}, the backups it recovers from`, `set walgPrefix to a new path, e.g. ${b.clone.fromPrefix.replace(/\/+$/, "")}-2`),
      });
    }
  })
  .prefault({})
  .describe("WAL-G archiving and base backups, nightly dumps, their verification (needs a backup bucket)");

export const qdrantBackupSettings = z
  .strictObject({
    enabled: z.boolean().default(true).describe("snapshot every collection when the stack has a backup bucket (default true)"),
    schedule: cron.default("15 2 * * *").describe("cron (UTC) of the snapshots (default 15 2 * * *)"),
    retentionDays,
  })
  .prefault({})
  .describe("scheduled snapshots of every collection, uploaded to the backup bucket");

export const backupsSettings = z
  .strictObject({
    freshness: z
      .strictObject({
        schedule: cron.default("0 * * * *").describe("cron (UTC) of the freshness check (default hourly)"),
        maxAgeHours: intBetween(1, 24 * 30).default(26).describe("a backup whose newest object is older fails the check (default 26: a daily backup plus slack)"),
      })
      .prefault({})
      .describe("a CronJob that fails (failed Job, a log line per backup with its age) when any backup is too old"),
  })
  .prefault({})
  .describe("what watches every service's backups");

export type PostgresBackupSettings = z.output<typeof postgresBackupSettings>;
export type QdrantBackupSettings = z.output<typeof qdrantBackupSettings>;
export type BackupsSettings = z.output<typeof backupsSettings>;
