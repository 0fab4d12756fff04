// An S3 connection as rclone's environment: a remote configured entirely from
// RCLONE_CONFIG_<REMOTE>_* variables, the keys by Secret reference. No config file, nothing secret
// on a command line.
import type { EnvValue, S3Connection } from "../../kit";

/** The remote name the backup jobs use for their own bucket. */
export const BACKUP_REMOTE = "store";

/** Where rclone may write (the images' root filesystem is not its home when running non-root). */
export const RCLONE_HOME_ENV: Readonly<Record<string, string>> = { HOME: "/tmp", RCLONE_CONFIG: "/tmp/rclone.conf" };

export function rcloneRemoteEnv(remote: string, c: S3Connection): Record<string, EnvValue> {
  if (!/^[a-z][a-z0-9]*$/.test(remote)) throw new Error(`rclone remote name "${remote}" must be lower-case letters and digits`);
  const p = `RCLONE_CONFIG_${remote.toUpperCase()}_`;
  return {
    [`${p}TYPE`]: "s3",
    // "Other": plain S3 API (MinIO, or any S3 endpoint), no provider quirks.
    [`${p}PROVIDER`]: "Other",
    [`${p}ENDPOINT`]: c.url,
    [`${p}REGION`]: c.region,
    [`${p}FORCE_PATH_STYLE`]: "true",
    // The consumer's key may only touch its own bucket: never try to create it.
    [`${p}NO_CHECK_BUCKET`]: "true",
    [`${p}ACCESS_KEY_ID`]: { secret: c.accessKeyId },
    [`${p}SECRET_ACCESS_KEY`]: { secret: c.secretAccessKey },
  };
}

/** `<remote>:<bucket>/<path>`. */
export function remotePath(remote: string, c: S3Connection, p: string): string {
  return `${remote}:${c.bucket}/${p.replace(/^\/+|\/+$/g, "")}`;
}
