// The Family Assistant as pure workload specs: the backend (and the optional frontend). Its
// environment comes only from typed connections; URLs with passwords are built by the kit.
import { HttpConnection, ImageRef, PostgresConnection, RedisConnection, ResourceSpec, WorkloadSpec, onRole, pinned, urlWithPasswordEnv } from "../../kit";
import type { EnvValue } from "../../kit";

/** The backend's container port (uvicorn) and the port its Service offers. */
export const FA_CONTAINER_PORT = 8001;
export const FA_SERVICE_PORT = 8000;

/**
 * The environment variable names the backend reads. The seed reports do not record the app's own
 * names, so these are the platform's contract; change them here (one place) if the app differs.
 */
export const FA_ENV = {
  database: "DATABASE_URL",
  redis: "REDIS_URL",
  qdrantUrl: "QDRANT_URL",
  qdrantKey: "QDRANT_API_KEY",
  mem0Url: "MEM0_URL",
  mem0Key: "MEM0_API_KEY",
  ollama: "OLLAMA_URL",
} as const;

/** An image given in the stack file. */
export interface ConfiguredImage {
  readonly repository: string;
  readonly tag: string;
  readonly digest?: string;
}

export interface FamilyAssistantSpecArgs {
  /** Backend workload and Service name; the frontend is `<name>-frontend`. Default "family-assistant". */
  readonly name?: string;
  readonly replicas: number;
  /** Pin to this compute node; default any compute node (spread preferred). */
  readonly node?: string;
  readonly resources: ResourceSpec;
  readonly backendImage: ConfiguredImage;
  readonly frontend?: { readonly image: ConfiguredImage; readonly port: number; readonly healthPath: string; readonly resources: ResourceSpec };
  readonly runAsUser: number;
  /** A NodePort for the backend, and who may reach it. */
  readonly nodePort?: number;
  readonly nodePortFrom: readonly string[];
  readonly database: PostgresConnection;
  readonly redis?: RedisConnection;
  readonly qdrant?: HttpConnection;
  readonly mem0?: HttpConnection;
  readonly ollama?: HttpConnection;
  /** The API's public URL, given to the frontend when there is one. */
  readonly apiUrl?: string;
}

function appImage(i: ConfiguredImage, uid: number, field: string): ImageRef {
  return { repository: i.repository, tag: i.tag, digest: i.digest, seenIn: `stack config ${field}`, runsAsNonRoot: true, uid, gid: uid };
}

/** The backend's environment: every value from a typed connection (optional ones only when given). */
export function familyAssistantEnv(a: Pick<FamilyAssistantSpecArgs, "database" | "redis" | "qdrant" | "mem0" | "ollama">): Record<string, EnvValue> {
  const env: Record<string, EnvValue> = { ...urlWithPasswordEnv(FA_ENV.database, a.database) };
  if (a.redis) Object.assign(env, urlWithPasswordEnv(FA_ENV.redis, a.redis));
  if (a.qdrant) {
    env[FA_ENV.qdrantUrl] = a.qdrant.url;
    if (a.qdrant.apiKey) env[FA_ENV.qdrantKey] = { secret: a.qdrant.apiKey };
  }
  if (a.mem0) {
    env[FA_ENV.mem0Url] = a.mem0.url;
    if (a.mem0.apiKey) env[FA_ENV.mem0Key] = { secret: a.mem0.apiKey };
  }
  if (a.ollama) env[FA_ENV.ollama] = a.ollama.url;
  return env;
}

/** The connections the backend's env names: each one becomes its network allow. */
export function familyAssistantConnections(a: Pick<FamilyAssistantSpecArgs, "database" | "redis" | "qdrant" | "mem0" | "ollama">) {
  return [a.database, a.redis, a.qdrant, a.mem0, a.ollama].filter((c): c is NonNullable<typeof c> => c !== undefined);
}

export function familyAssistantSpecs(a: FamilyAssistantSpecArgs): { backend: WorkloadSpec; frontend?: WorkloadSpec } {
  const name = a.name ?? "family-assistant";
  const placement = a.node ? pinned(a.node, "compute") : onRole("compute", "preferred");
  const health = { http: { path: "/health", port: "http" } };
  const backend: WorkloadSpec = {
    identity: { name, component: "app" },
    kind: "Deployment",
    replicas: a.replicas,
    placement,
    service: { ports: ["http"], servicePorts: { http: FA_SERVICE_PORT } },
    extraServices:
      a.nodePort !== undefined
        ? [{ name: `${name}-nodeport`, ports: ["http"], servicePorts: { http: FA_SERVICE_PORT }, nodePorts: { http: a.nodePort }, nodePortFrom: a.nodePortFrom }]
        : undefined,
    containers: [
      {
        name: "backend",
        image: appImage(a.backendImage, a.runAsUser, "workloads.familyAssistant.backend.image"),
        ports: [{ name: "http", containerPort: FA_CONTAINER_PORT }],
        env: familyAssistantEnv(a),
        resources: a.resources,
        readiness: { action: health, periodSeconds: 10 },
        liveness: { action: health, periodSeconds: 20, failureThreshold: 3 },
        startup: { action: health, periodSeconds: 5, failureThreshold: 36 },
      },
    ],
  };
  if (!a.frontend) return { backend };
  const f = a.frontend;
  const frontend: WorkloadSpec = {
    identity: { name: `${name}-frontend`, component: "app" },
    kind: "Deployment",
    replicas: a.replicas,
    placement,
    service: { ports: ["http"] },
    containers: [
      {
        name: "frontend",
        image: appImage(f.image, a.runAsUser, "workloads.familyAssistant.frontend.image"),
        ports: [{ name: "http", containerPort: f.port }],
        env: a.apiUrl ? { FAMILY_ASSISTANT_API_URL: a.apiUrl } : undefined,
        resources: f.resources,
        readiness: { action: { http: { path: f.healthPath, port: "http" } }, periodSeconds: 10 },
        liveness: { action: { http: { path: f.healthPath, port: "http" } }, periodSeconds: 20 },
      },
    ],
  };
  return { backend, frontend };
}
