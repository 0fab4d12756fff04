import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import {
  IMAGES,
  ImageRef,
  RouteDefaults,
  S3Connection,
  SecretKeyRef,
  allowConnections,
  appLabels,
  awaitTimeouts,
  containerSecurityContext,
  emitRoute,
  emitWorkload,
  generatedSecret,
  imageRef,
  jobTimeoutMinutes,
  podSecurityContext,
  selectorLabels,
  serviceBackend,
  serviceHost,
} from "../../kit";
import type { GeneratedSecret } from "../../kit";
import { BUCKETS_SCRIPT, bucketJobDigest, bucketJobFiles } from "./buckets";
import { MinioBucket, bucketsOf, minioConsumers } from "./settings";
import { MINIO_API_PORT, MINIO_REGION, MINIO_UID, MinioSpecArgs, ROOT_PASSWORD_KEY, ROOT_USER_KEY, minioSpec } from "./spec";

/** Keys of each consumer's credentials Secret (`minio-user-<consumer>`). */
export const ACCESS_KEY_ID_KEY = "access-key-id";
export const SECRET_ACCESS_KEY_KEY = "secret-access-key";
/** Deadline of the bucket Job: an image pull, MinIO's first start (WAIT_TRIES × WAIT_SECONDS) and retries. */
export const BUCKET_JOB_DEADLINE_SECONDS = 1200;

export interface MinioArgs extends Omit<MinioSpecArgs, "rootSecret" | "consoleUrl"> {
  /** Buckets with their consumers and expiry; each consumer gets one access key for its buckets. Default none. */
  readonly buckets?: readonly MinioBucket[];
  /** The client image of the bucket Job. Default: the catalog's mc. */
  readonly mcImage?: ImageRef;
  /** The console route (HTTPS, the security headers) at `<subdomain>.<domain>`; default: no route. */
  readonly console?: { readonly routes: RouteDefaults; readonly subdomain: string };
}

/** The credentials Secret of a consumer. */
export function consumerSecretName(name: string, consumer: string): string {
  return `${name}-user-${consumer}`;
}

/**
 * Distributed MinIO: one StatefulSet over named nodes (Parallel start, the server pool over the
 * headless Service's DNS names, EC parity from config), generated root credentials, a bucket Job
 * that creates buckets, lifecycle expiry and one least-privilege user per consumer, and the console
 * routed through the kit. Consumers take `connection(consumer)`.
 */
export class MinioCluster extends pulumi.ComponentResource {
  /** The API's in-cluster host. */
  readonly host: string;
  /** The console URL, when routed. */
  readonly consoleUrl?: string;
  /** The root password, a Pulumi secret. */
  readonly rootPassword: pulumi.Output<string>;
  private readonly ns: string;
  private readonly name: string;
  private readonly buckets: readonly MinioBucket[];
  private readonly selector: Record<string, string>;
  private readonly users = new Map<string, GeneratedSecret>();

  constructor(name: string, args: MinioArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:data:MinioCluster", name, {}, opts);
    const n = args.name ?? "minio";
    this.name = n;
    this.ns = args.namespace;
    this.buckets = args.buckets ?? [];
    const identity = { name: n, component: "object-storage" };
    const labels = appLabels(identity);
    const child = { parent: this };

    const root = generatedSecret(this, {
      name: `${n}-root`,
      namespace: args.namespace,
      labels,
      // Letters and digits only: the bucket Job puts them in an mc alias URL.
      generate: { [ROOT_USER_KEY]: { length: 20 }, [ROOT_PASSWORD_KEY]: { length: 40 } },
    });
    this.rootPassword = root.value(ROOT_PASSWORD_KEY);
    for (const c of minioConsumers(this.buckets)) {
      this.users.set(c, generatedSecret(this, {
        name: consumerSecretName(n, c),
        namespace: args.namespace,
        labels,
        generate: { [SECRET_ACCESS_KEY_KEY]: { length: 40 } },
        literals: { [ACCESS_KEY_ID_KEY]: c },
      }));
    }

    const consoleHost = args.console ? `${args.console.subdomain}.${args.console.routes.domain}` : undefined;
    this.consoleUrl = consoleHost ? `https://${consoleHost}` : undefined;
    const spec = minioSpec({ ...args, rootSecret: root.name, consoleUrl: this.consoleUrl });
    const w = emitWorkload(this, spec, { namespace: args.namespace, dependsOn: [root.secret] });
    this.selector = w.selector;
    this.host = serviceHost(w.serviceName!, args.namespace);

    if (args.console) {
      emitRoute(this, args.console.routes, {
        name: `${n}-console`,
        subdomain: args.console.subdomain,
        namespace: args.namespace,
        backend: serviceBackend(spec, "console", { emitted: w }),
      });
    }

    if (this.buckets.length > 0) this.bucketJob(args, root.ref(ROOT_USER_KEY), root.ref(ROOT_PASSWORD_KEY), [root.secret, w.workload], child);
    this.registerOutputs({ host: this.host, consoleUrl: this.consoleUrl });
  }

  /** The admin's view of the API, for the component's own Job. */
  private api(user: SecretKeyRef, password: SecretKeyRef, bucket = ""): S3Connection {
    return {
      kind: "s3",
      host: this.host,
      port: MINIO_API_PORT,
      service: this.name,
      endpoint: { namespace: this.ns, podSelector: this.selector, port: MINIO_API_PORT },
      url: `http://${this.host}:${MINIO_API_PORT}`,
      bucket,
      region: MINIO_REGION,
      accessKeyId: user,
      secretAccessKey: password,
    };
  }

  private bucketJob(args: MinioArgs, user: SecretKeyRef, password: SecretKeyRef, after: pulumi.Resource[], child: pulumi.CustomResourceOptions): void {
    const n = this.name;
    // Named after what it applies: a changed bucket, consumer, expiry or script is a new Job that runs again.
    const jobName = `${n}-buckets-${bucketJobDigest(this.buckets)}`;
    const jobIdentity = { name: `${n}-buckets`, component: "object-storage-setup" };
    const labels = appLabels({ name: n, component: "object-storage" });
    const config = new k8s.core.v1.ConfigMap(jobName, {
      metadata: { name: jobName, namespace: this.ns, labels },
      data: { ...bucketJobFiles(this.buckets), "minio-buckets.sh": BUCKETS_SCRIPT },
    }, child);
    const admin = this.api(user, password);
    const consumed = allowConnections(this, { name: jobIdentity.name, pods: { namespace: this.ns, podSelector: selectorLabels(jobIdentity) } }, [admin]);
    const image = args.mcImage ?? IMAGES.mc;
    const users = [...this.users.entries()];
    new k8s.batch.v1.Job(jobName, {
      metadata: { name: jobName, namespace: this.ns, labels },
      spec: {
        backoffLimit: 6,
        activeDeadlineSeconds: BUCKET_JOB_DEADLINE_SECONDS,
        template: {
          metadata: { labels: appLabels(jobIdentity), annotations: consumed.annotations },
          spec: {
            restartPolicy: "OnFailure",
            securityContext: podSecurityContext(MINIO_UID),
            automountServiceAccountToken: false,
            containers: [
              {
                name: "buckets",
                image: imageRef(image),
                command: ["/bin/sh", "/config/minio-buckets.sh"],
                env: [
                  { name: "MINIO_ENDPOINT", value: `${admin.host}:${admin.port}` },
                  { name: "MINIO_ROOT_USER", valueFrom: { secretKeyRef: { name: user.secretName, key: user.key } } },
                  { name: "MINIO_ROOT_PASSWORD", valueFrom: { secretKeyRef: { name: password.secretName, key: password.key } } },
                  // mc keeps its config under $MC_CONFIG_DIR: a writable emptyDir, the image's root is not ours.
                  { name: "HOME", value: "/tmp" },
                  { name: "MC_CONFIG_DIR", value: "/tmp/.mc" },
                ],
                volumeMounts: [
                  { name: "config", mountPath: "/config", readOnly: true },
                  { name: "tmp", mountPath: "/tmp" },
                  ...users.map(([c]) => ({ name: `user-${c}`, mountPath: `/users/${c}`, readOnly: true })),
                ],
                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                securityContext: containerSecurityContext(image, { runAsUser: MINIO_UID, runAsGroup: MINIO_UID }),
              },
            ],
            volumes: [
              { name: "config", configMap: { name: jobName } },
              { name: "tmp", emptyDir: { sizeLimit: "16Mi" } },
              // Group-readable for the pod's fsGroup: the script reads each consumer's key from a file.
              ...users.map(([c, s]) => ({ name: `user-${c}`, secret: { secretName: s.name, defaultMode: 0o440 } })),
            ],
          },
        },
      },
    }, {
      parent: this,
      dependsOn: [config, ...after, ...users.map(([, s]) => s.secret), ...consumed.policies],
      deleteBeforeReplace: true,
      customTimeouts: awaitTimeouts(jobTimeoutMinutes(BUCKET_JOB_DEADLINE_SECONDS)),
    });
  }

  /**
   * The S3 connection of a declared consumer: the API Service on 9000, its own access key (Secret
   * references) and its bucket — `bucket`, or its only one. Throws naming the consumer when it is
   * not declared in the buckets, or names a bucket it was not given.
   */
  connection(consumer: string, bucket?: string): S3Connection {
    const s = this.users.get(consumer);
    if (!s) {
      throw new Error(`MinIO has no consumer "${consumer}": declare it in a bucket's consumers (homelab:workloads.minio.buckets; consumers: ${[...this.users.keys()].join(", ") || "none"})`);
    }
    const own = bucketsOf(this.buckets, consumer);
    const chosen = bucket ?? (own.length === 1 ? own[0] : undefined);
    if (chosen === undefined) throw new Error(`MinIO consumer "${consumer}" has ${own.length} buckets (${own.join(", ")}): name the one to use`);
    if (!own.includes(chosen)) throw new Error(`MinIO consumer "${consumer}" has no access to bucket "${chosen}" (its buckets: ${own.join(", ")})`);
    return this.api(s.ref(ACCESS_KEY_ID_KEY), s.ref(SECRET_ACCESS_KEY_KEY), chosen);
  }
}
