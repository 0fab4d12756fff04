// Redis as a pure workload spec: the server, its config file from a Secret, its append-only volume,
// and the redis_exporter sidecar.
import { IMAGES, ResourceSpec, WorkloadSpec, pinned } from "../../kit";
import { redisPingCommand } from "./redis-conf";

export const REDIS_PORT = 6379;
export const REDIS_METRICS_PORT = 9121;
/** Key of the password in the password Secret. */
export const REDIS_PASSWORD_KEY = "password";
/** Key of the generated redis.conf in the config Secret. */
export const REDIS_CONF_KEY = "redis.conf";
export const REDIS_CONF_DIR = "/etc/redis";
export const REDIS_DATA_DIR = "/data";
/** The exporter sidecar: a small Go binary. */
export const EXPORTER_RESOURCES: ResourceSpec = { cpu: "20m", memory: "32Mi", memoryLimit: "64Mi" };

export interface RedisSpecArgs {
  /** Workload and Service name. Default "redis". */
  readonly name?: string;
  /** The node holding the volume (a service node). */
  readonly node: string;
  readonly storage: string;
  readonly resources: ResourceSpec;
  /** Secret with the password under REDIS_PASSWORD_KEY (probes and the exporter read it). */
  readonly passwordSecret: string;
  /** Secret with the generated redis.conf under REDIS_CONF_KEY. */
  readonly configSecret: string;
}

export function redisSpec(a: RedisSpecArgs): WorkloadSpec {
  const password = { secret: { secretName: a.passwordSecret, key: REDIS_PASSWORD_KEY } };
  const ping = { exec: redisPingCommand(REDIS_PORT) };
  return {
    identity: { name: a.name ?? "redis", component: "cache" },
    kind: "StatefulSet",
    replicas: 1,
    placement: pinned(a.node, "service"),
    fsGroup: IMAGES.redis.gid,
    volumeClaims: [{ name: "data", size: a.storage }],
    // 0440: the owner (root) and the pod's fsGroup (redis's group) read it; nobody writes it.
    volumes: [{ name: "config", secret: { secretName: a.configSecret, defaultMode: 0o440 } }],
    service: { ports: ["redis"] },
    metrics: { port: "metrics" },
    containers: [
      {
        name: "redis",
        image: IMAGES.redis,
        // The config file path only: the password is inside the file.
        command: ["redis-server", `${REDIS_CONF_DIR}/${REDIS_CONF_KEY}`],
        ports: [{ name: "redis", containerPort: REDIS_PORT }],
        // redis-cli reads REDISCLI_AUTH, so the probe's command line never carries the password.
        env: { REDISCLI_AUTH: password },
        mounts: [
          { volume: "data", mountPath: REDIS_DATA_DIR },
          { volume: "config", mountPath: REDIS_CONF_DIR, readOnly: true },
        ],
        resources: a.resources,
        security: { readOnlyRootFilesystem: true },
        readiness: { action: ping, periodSeconds: 5 },
        liveness: { action: ping, periodSeconds: 10, failureThreshold: 6 },
        // Replaying a large append-only file after a restart takes a while.
        startup: { action: ping, periodSeconds: 5, failureThreshold: 60 },
      },
      {
        name: "exporter",
        image: IMAGES.redisExporter,
        ports: [{ name: "metrics", containerPort: REDIS_METRICS_PORT }],
        env: { REDIS_ADDR: `redis://127.0.0.1:${REDIS_PORT}`, REDIS_PASSWORD: password },
        resources: EXPORTER_RESOURCES,
        security: { readOnlyRootFilesystem: true },
        readiness: { action: { tcp: { port: "metrics" } }, periodSeconds: 10 },
        liveness: { action: { tcp: { port: "metrics" } }, periodSeconds: 20 },
      },
    ],
  };
}
