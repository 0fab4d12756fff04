// The backup scripts, read once: the ConfigMaps mount exactly these files, and the integration test
// runs the same files against a real PostgreSQL and a real S3 API.
import * as fs from "node:fs";
import * as path from "node:path";

const read = (f: string) => fs.readFileSync(path.join(__dirname, "scripts", f), "utf8");

export const BACKUP_SCRIPTS = {
  "pg-dump.sh": read("pg-dump.sh"),
  "pg-verify.sh": read("pg-verify.sh"),
  "pg-restore.sh": read("pg-restore.sh"),
  "s3-upload.sh": read("s3-upload.sh"),
  "s3-fetch.sh": read("s3-fetch.sh"),
  "freshness.sh": read("freshness.sh"),
  "qdrant-snapshot.sh": read("qdrant-snapshot.sh"),
  "qdrant-restore.sh": read("qdrant-restore.sh"),
} as const;

export type BackupScript = keyof typeof BACKUP_SCRIPTS;

/** Which image runs each script (a test checks every script against its image's tools). */
export const SCRIPT_IMAGES: Record<BackupScript, "postgresClient" | "rclone" | "kubectl"> = {
  "pg-dump.sh": "postgresClient",
  "pg-verify.sh": "postgresClient",
  "pg-restore.sh": "postgresClient",
  "s3-upload.sh": "rclone",
  "s3-fetch.sh": "rclone",
  "freshness.sh": "rclone",
  "qdrant-snapshot.sh": "kubectl",
  "qdrant-restore.sh": "kubectl",
};
