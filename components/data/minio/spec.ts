// Distributed MinIO as a pure workload spec: one StatefulSet whose pods spread evenly over named
// nodes, each with `drivesPerPod` local volumes, all of them one MinIO server pool addressed through
// the headless Service's per-pod DNS names. The component emits it; validation counts it first.
import { IMAGES, ImageRef, ResourceSpec, WorkloadSpec, overNodes } from "../../kit";

export const MINIO_API_PORT = 9000;
export const MINIO_CONSOLE_PORT = 9001;
/** Keys of the root credentials Secret. */
export const ROOT_USER_KEY = "user";
export const ROOT_PASSWORD_KEY = "password";
/** MinIO ignores the region, but S3 clients require one. */
export const MINIO_REGION = "us-east-1";
/** Cluster metrics (v2) for the whole cluster from any node; public auth, the network policy limits who reaches it. */
export const MINIO_METRICS_PATH = "/minio/v2/metrics/cluster";
/** The pods run as this user and group (the image would run as root). */
export const MINIO_UID = 1000;

export interface MinioSpecArgs {
  /** Workload and Service name. Default "minio". */
  readonly name?: string;
  readonly namespace: string;
  /** Pods (StatefulSet replicas). */
  readonly pods: number;
  readonly drivesPerPod: number;
  /** EC:<parity> for the STANDARD storage class. */
  readonly parity: number;
  /** Nodes the pods spread over, evenly. */
  readonly nodes: readonly string[];
  /** Volume size per drive. */
  readonly storage: string;
  readonly resources: ResourceSpec;
  /** Default: the catalog's MinIO image. */
  readonly image?: ImageRef;
  /** Secret with the root credentials under ROOT_USER_KEY / ROOT_PASSWORD_KEY. */
  readonly rootSecret: string;
  /** The console's public URL, when it is routed (MinIO builds its redirects from it). */
  readonly consoleUrl?: string;
}

/** `{0...n-1}` (MinIO's ellipses) for a range of more than one, else the single index. */
function range(n: number): string {
  return n > 1 ? `{0...${n - 1}}` : "0";
}

/** Where drive `i` of a pod is mounted. */
export function drivePath(i: number): string {
  return `/data${i}`;
}

/**
 * The one server-pool argument: every pod through the headless Service, every drive of each. One
 * argument with ellipses is one pool; MinIO expands it to exactly the pods the StatefulSet has.
 */
export function minioEndpoints(a: Pick<MinioSpecArgs, "name" | "namespace" | "pods" | "drivesPerPod">): string {
  const name = a.name ?? "minio";
  return `http://${name}-${range(a.pods)}.${name}-headless.${a.namespace}.svc.cluster.local/data${range(a.drivesPerPod)}`;
}

/** Expands MinIO's `{a...b}` ellipses in an endpoint argument (what the server does at start; tests compare it with the pods). */
export function expandEllipses(arg: string): string[] {
  const m = /\{(\d+)\.\.\.(\d+)\}/.exec(arg);
  if (!m) return [arg];
  const out: string[] = [];
  for (let i = Number(m[1]); i <= Number(m[2]); i++) out.push(...expandEllipses(arg.slice(0, m.index) + String(i) + arg.slice(m.index + m[0].length)));
  return out;
}

export function minioSpec(a: MinioSpecArgs): WorkloadSpec {
  const name = a.name ?? "minio";
  const drives = Array.from({ length: a.drivesPerPod }, (_, i) => ({ name: `data-${i}`, path: drivePath(i) }));
  return {
    identity: { name, component: "object-storage" },
    kind: "StatefulSet",
    replicas: a.pods,
    // Several pods per node (4 pods on 2 nodes: 2 + 2), evenly; each pod stays with its volumes.
    placement: overNodes(a.nodes),
    // Every member must be up before any has its quorum: start them all at once.
    podManagementPolicy: "Parallel",
    fsGroup: MINIO_UID,
    volumeClaims: drives.map((d) => ({ name: d.name, size: a.storage })),
    volumes: [{ name: "tmp", emptyDir: { sizeLimit: "64Mi" } }],
    service: { ports: ["api", "console"] },
    // Members talk to each other on the API port (storage REST, locks, peer calls).
    peerPorts: ["api"],
    metrics: { port: "api", path: MINIO_METRICS_PATH },
    containers: [
      {
        name: "minio",
        image: a.image ?? IMAGES.minio,
        // Arguments only: the image's entrypoint prepends its binary (silo, or minio on quay.io builds).
        args: ["server", "--address", `:${MINIO_API_PORT}`, "--console-address", `:${MINIO_CONSOLE_PORT}`, "--certs-dir", "/tmp/certs", minioEndpoints(a)],
        ports: [
          { name: "api", containerPort: MINIO_API_PORT },
          { name: "console", containerPort: MINIO_CONSOLE_PORT },
        ],
        env: {
          MINIO_ROOT_USER: { secret: { secretName: a.rootSecret, key: ROOT_USER_KEY } },
          MINIO_ROOT_PASSWORD: { secret: { secretName: a.rootSecret, key: ROOT_PASSWORD_KEY } },
          MINIO_STORAGE_CLASS_STANDARD: `EC:${a.parity}`,
          MINIO_PROMETHEUS_AUTH_TYPE: "public",
          MINIO_REGION,
          // No phoning home for updates: the image is pinned.
          MINIO_UPDATE: "off",
          HOME: "/tmp",
          ...(a.consoleUrl ? { MINIO_BROWSER_REDIRECT_URL: a.consoleUrl } : {}),
        },
        mounts: [...drives.map((d) => ({ volume: d.name, mountPath: d.path })), { volume: "tmp", mountPath: "/tmp" }],
        resources: a.resources,
        security: { runAsUser: MINIO_UID, runAsGroup: MINIO_UID },
        readiness: { action: { http: { path: "/minio/health/ready", port: "api" } }, periodSeconds: 10 },
        liveness: { action: { http: { path: "/minio/health/live", port: "api" } }, periodSeconds: 10, failureThreshold: 6 },
        // A distributed start waits for its peers (and formats drives the first time).
        startup: { action: { http: { path: "/minio/health/live", port: "api" } }, periodSeconds: 5, failureThreshold: 60 },
      },
    ],
  };
}
