import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HttpConnection, S3Connection, appLabels, emitCronJob, emitWorkload, generatedSecret, httpConnection } from "../../kit";
import { BACKUP_KINDS, BACKUP_SCRIPTS, FreshnessTarget, QDRANT_PREFIX, QdrantBackupJobArgs, qdrantRestoreJob, qdrantSnapshotJob } from "../backup";
import type { QdrantBackupSettings } from "../backup/settings";
import { QDRANT_API_KEY, QDRANT_HTTP_PORT, QdrantSpecArgs, qdrantSpec } from "./spec";

export interface QdrantArgs extends Omit<QdrantSpecArgs, "apiKeySecret"> {
  /** Namespace to deploy into (must exist). */
  readonly namespace: string;
  /** Scheduled snapshots into this S3 bucket, and the suspended restore CronJob. Default none: no backup. */
  readonly backup?: QdrantBackupArgs;
}

/** A backup bucket and how to use it (`workloads.qdrant.backup`). */
export type QdrantBackupArgs = Omit<QdrantBackupSettings, "enabled"> & { readonly s3: S3Connection };

/** Qdrant vector database: a pinned single-replica StatefulSet with a generated API key. */
export class Qdrant extends pulumi.ComponentResource {
  /** URL + API key reference, for consumers such as Mem0. */
  readonly connection: HttpConnection;
  /** The API key, a Pulumi secret. */
  readonly apiKey: pulumi.Output<string>;
  /** What the freshness check watches (none without a backup bucket). */
  readonly backupTargets: FreshnessTarget[] = [];

  constructor(name: string, args: QdrantArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:data:Qdrant", name, {}, opts);
    const svc = args.name ?? "qdrant";
    const secret = generatedSecret(this, {
      name: `${svc}-api-key`,
      namespace: args.namespace,
      labels: appLabels({ name: svc, component: "vector-store" }),
      generate: { [QDRANT_API_KEY]: { length: 48 } },
    });
    const spec = qdrantSpec({ ...args, apiKeySecret: secret.name });
    const w = emitWorkload(this, spec, { namespace: args.namespace, dependsOn: [secret.secret] });
    this.apiKey = secret.value(QDRANT_API_KEY);
    this.connection = httpConnection(w.serviceName!, args.namespace, QDRANT_HTTP_PORT, w.selector, secret.ref(QDRANT_API_KEY));
    const b = args.backup;
    if (b) {
      const scriptsName = `${svc}-backup-scripts`;
      const files = ["qdrant-snapshot.sh", "qdrant-restore.sh", "s3-upload.sh", "s3-fetch.sh"] as const;
      const scripts = new k8s.core.v1.ConfigMap(scriptsName, {
        metadata: { name: scriptsName, namespace: args.namespace, labels: appLabels({ name: svc, component: "backup" }) },
        data: Object.fromEntries(files.map((f) => [f, BACKUP_SCRIPTS[f]])),
      }, { parent: this });
      const jobArgs: QdrantBackupJobArgs = { name: svc, qdrant: this.connection, s3: b.s3, scriptsConfigMap: scriptsName, schedule: b.schedule, retentionDays: b.retentionDays };
      const deps = { namespace: args.namespace, connections: [this.connection, b.s3], dependsOn: [scripts, secret.secret, w.workload] };
      emitCronJob(this, qdrantSnapshotJob(jobArgs), deps);
      emitCronJob(this, qdrantRestoreJob(jobArgs), deps);
      this.backupTargets = [{ name: BACKUP_KINDS.qdrant, s3: b.s3, path: QDRANT_PREFIX }];
    }
    this.registerOutputs({ connection: this.connection, apiKey: this.apiKey });
  }
}
