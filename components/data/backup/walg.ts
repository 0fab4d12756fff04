// Spilo's WAL-G settings from an S3 connection: continuous WAL archiving and scheduled base backups
// (point-in-time recovery), and the CLONE_* settings that bootstrap a new cluster from them.
// Names from Spilo's ENVIRONMENT.rst / configure_spilo.py and the postgres-operator's pod env.
import type { EnvValue, S3Connection } from "../../kit";

export interface WalgArgs {
  readonly s3: S3Connection;
  /** Path inside the bucket this cluster archives into, e.g. "walg/postgres". */
  readonly prefix: string;
  /** Cron of WAL-G base backups (Spilo's BACKUP_SCHEDULE). */
  readonly schedule: string;
  /** Base backups kept (Spilo's BACKUP_NUM_TO_RETAIN): one a day for `retentionDays` days. */
  readonly retain: number;
  /** Bootstrap from another cluster's WAL-G backups instead of initdb (only on an empty volume). */
  readonly clone?: { readonly prefix: string; readonly targetTime?: string };
}

export function walgPrefixUrl(s3: S3Connection, prefix: string): string {
  return `s3://${s3.bucket}/${prefix.replace(/^\/+|\/+$/g, "")}`;
}

/** Where WAL-G keeps base backups under a prefix (what the freshness check watches). */
export const WALG_BASEBACKUPS = "basebackups_005";

export function walgEnv(a: WalgArgs): Record<string, EnvValue> {
  const s3 = (p: string): Record<string, EnvValue> => ({
    [`${p}AWS_ENDPOINT`]: a.s3.url,
    [`${p}AWS_S3_FORCE_PATH_STYLE`]: "true",
    [`${p}AWS_REGION`]: a.s3.region,
    [`${p}AWS_ACCESS_KEY_ID`]: { secret: a.s3.accessKeyId },
    [`${p}AWS_SECRET_ACCESS_KEY`]: { secret: a.s3.secretAccessKey },
  });
  const env: Record<string, EnvValue> = {
    // Without USE_WALG_BACKUP Spilo archives with WAL-E.
    USE_WALG_BACKUP: "true",
    USE_WALG_RESTORE: "true",
    WALG_S3_PREFIX: walgPrefixUrl(a.s3, a.prefix),
    ...s3(""),
    BACKUP_SCHEDULE: a.schedule,
    BACKUP_NUM_TO_RETAIN: String(a.retain),
  };
  if (a.clone) {
    if (a.clone.prefix.replace(/\/+$/, "") === a.prefix.replace(/\/+$/, "")) {
      throw new Error(`clone: the new cluster would archive into the backups it restores from (${a.prefix}): give it its own prefix`);
    }
    Object.assign(env, {
      CLONE_METHOD: "CLONE_WITH_WALE",
      // The source cluster's name; Spilo reads it whenever it clones (the prefix names the backups).
      CLONE_SCOPE: a.clone.prefix.replace(/\/+$/, "").split("/").pop()!,
      CLONE_USE_WALG_RESTORE: "true",
      CLONE_WALG_S3_PREFIX: walgPrefixUrl(a.s3, a.clone.prefix),
      ...s3("CLONE_"),
      ...(a.clone.targetTime ? { CLONE_TARGET_TIME: a.clone.targetTime } : {}),
    });
  }
  return env;
}
