// A hand-made S3 connection, shaped as MinIO's connection(consumer) returns it (tests/data/minio.test.ts
// checks that contract against the component itself), for tests of the consumers (the backups).
import type { S3Connection } from "../../components/kit";

export function s3Fixture(consumer: string, bucket: string): S3Connection {
  return {
    kind: "s3",
    host: "minio.homelab.svc.cluster.local",
    port: 9000,
    service: "minio",
    endpoint: { namespace: "homelab", podSelector: { "app.kubernetes.io/name": "minio", "app.kubernetes.io/instance": "homelab-platform" }, port: 9000 },
    url: "http://minio.homelab.svc.cluster.local:9000",
    bucket,
    region: "us-east-1",
    accessKeyId: { secretName: `minio-${consumer}`, key: "access-key-id" },
    secretAccessKey: { secretName: `minio-${consumer}`, key: "secret-access-key" },
  };
}
