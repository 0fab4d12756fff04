// What the bucket Job applies, as files of a ConfigMap: the bucket list with expiry, the consumers,
// a lifecycle (S3 JSON, for `mc ilm rule import`) per expiring bucket and an IAM policy per consumer
// limited to its buckets. Pure, so the script's test feeds it exactly what the Job gets.
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { MinioBucket, bucketsOf, minioConsumers } from "./settings";

export const BUCKETS_SCRIPT = fs.readFileSync(path.join(__dirname, "minio-buckets.sh"), "utf8");

/** The lifecycle configuration of a bucket: one rule expiring every object after `days`. */
export function lifecycleJson(days: number): string {
  return JSON.stringify({ Rules: [{ ID: `expire-after-${days}-days`, Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: days } }] }, null, 1) + "\n";
}

/** A consumer's policy: list, read, write and delete objects in its own buckets, nothing else. */
export function policyJson(buckets: readonly string[]): string {
  return (
    JSON.stringify(
      {
        Version: "2012-10-17",
        Statement: [
          { Effect: "Allow", Action: ["s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"], Resource: buckets.map((b) => `arn:aws:s3:::${b}`) },
          {
            Effect: "Allow",
            Action: ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"],
            Resource: buckets.map((b) => `arn:aws:s3:::${b}/*`),
          },
        ],
      },
      null,
      1,
    ) + "\n"
  );
}

/** The ConfigMap's files (CONFIG_DIR of minio-buckets.sh). */
export function bucketJobFiles(buckets: readonly MinioBucket[]): Record<string, string> {
  const files: Record<string, string> = {
    buckets: buckets.map((b) => `${b.name} ${b.expireDays ?? "-"}\n`).join(""),
    users: minioConsumers(buckets).map((c) => `${c}\n`).join(""),
  };
  for (const b of buckets) if (b.expireDays !== undefined) files[`lifecycle-${b.name}.json`] = lifecycleJson(b.expireDays);
  for (const c of minioConsumers(buckets)) files[`policy-${c}.json`] = policyJson(bucketsOf(buckets, c));
  return files;
}

/** A short digest of what the Job applies (files and script): it names the Job, so a change runs it again. */
export function bucketJobDigest(buckets: readonly MinioBucket[]): string {
  const files = bucketJobFiles(buckets);
  const h = createHash("sha256").update(BUCKETS_SCRIPT);
  for (const k of Object.keys(files).sort()) h.update(`\0${k}\0${files[k]}`);
  return h.digest("hex").slice(0, 8);
}
