// Qdrant as a pure workload spec: the component emits it, and validation counts its footprint
// before anything is deployed.
import { IMAGES, ResourceSpec, WorkloadSpec, pinned } from "../../kit";

export const QDRANT_HTTP_PORT = 6333;
export const QDRANT_GRPC_PORT = 6334;
export const QDRANT_API_KEY = "api-key";

export interface QdrantSpecArgs {
  /** Workload and Service name. Default "qdrant". */
  readonly name?: string;
  /** The node holding the local-path volume; every restart lands there. */
  readonly node: string;
  /** Volume size, e.g. "10Gi". */
  readonly storage: string;
  readonly resources: ResourceSpec;
  /** Name of the Secret holding the API key under `api-key`. */
  readonly apiKeySecret: string;
}

export function qdrantSpec(a: QdrantSpecArgs): WorkloadSpec {
  return {
    identity: { name: a.name ?? "qdrant", component: "vector-store" },
    kind: "StatefulSet",
    replicas: 1,
    placement: pinned(a.node, "service"),
    fsGroup: 1000,
    volumeClaims: [{ name: "storage", size: a.storage }],
    service: { ports: ["http", "grpc"] },
    // /metrics sits behind the API key (unlike the health routes): Prometheus sends it as a bearer token.
    metrics: { port: "http", bearerToken: { secretName: a.apiKeySecret, key: QDRANT_API_KEY } },
    containers: [
      {
        name: "qdrant",
        image: IMAGES.qdrant,
        ports: [
          { name: "http", containerPort: QDRANT_HTTP_PORT },
          { name: "grpc", containerPort: QDRANT_GRPC_PORT },
        ],
        env: {
          QDRANT__SERVICE__API_KEY: { secret: { secretName: a.apiKeySecret, key: QDRANT_API_KEY } },
          // Telemetry phones home; a homelab has no business doing that by default.
          QDRANT__TELEMETRY_DISABLED: "true",
        },
        mounts: [{ volume: "storage", mountPath: "/qdrant/storage" }],
        resources: a.resources,
        // /readyz and /livez are exempt from the API key, so kubelet can probe without it.
        readiness: { action: { http: { path: "/readyz", port: "http" } }, periodSeconds: 5 },
        liveness: { action: { http: { path: "/livez", port: "http" } }, periodSeconds: 10, failureThreshold: 6 },
        // Loading large collections from disk can take a while after a restart.
        startup: { action: { http: { path: "/livez", port: "http" } }, periodSeconds: 5, failureThreshold: 60 },
      },
    ],
  };
}
