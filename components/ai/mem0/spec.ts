// Mem0 as a pure workload spec: the server, and the sidecar that configures it (configure.sh).
// Everything it reaches comes from typed connections; validation counts its footprint before deploy.
import * as fs from "node:fs";
import * as path from "node:path";
import { HttpConnection, IMAGES, ImageRef, PostgresConnection, ResourceSpec, SecretKeyRef, WorkloadSpec, onRole } from "../../kit";

export const MEM0_PORT = 8000;
export const JWT_SECRET_KEY = "jwt-secret";
export const ADMIN_API_KEY = "admin-api-key";
/** Where the sidecar marks the server configured (its readiness) and beats (its liveness). */
export const CONFIGURE_STATE_DIR = "/state";

export const CONFIGURE_SCRIPT = fs.readFileSync(path.join(__dirname, "configure.sh"), "utf8");

export interface Mem0SpecArgs {
  /** Workload and Service name. Default "mem0". */
  readonly name?: string;
  readonly replicas: number;
  readonly image: { readonly repository: string; readonly tag: string };
  readonly resources: ResourceSpec;
  readonly collection: string;
  readonly llmModel: string;
  readonly embeddingModel: string;
  readonly embeddingDims: number;
  /** Its own database (history, users, API keys, persisted settings). */
  readonly postgres: PostgresConnection;
  /** The vector store, with its API key. */
  readonly qdrant: HttpConnection;
  /** LLM and embeddings through Ollama's OpenAI-compatible /v1 (the server has no ollama provider). */
  readonly ollama: HttpConnection;
  /** The Secret holding `jwt-secret` and `admin-api-key`. */
  readonly keysSecret: string;
}

/** The server image from the stack config: built by the user from mem0ai/mem0 server/ (python:3.12-slim, root). */
export function mem0Image(image: Mem0SpecArgs["image"]): ImageRef {
  return { repository: image.repository, tag: image.tag, seenIn: "stack config workloads.mem0.image (your build of mem0ai/mem0 server/)", runsAsNonRoot: false };
}

const ref = (secret: SecretKeyRef) => ({ secret });

export function mem0Spec(a: Mem0SpecArgs): WorkloadSpec {
  if (!a.qdrant.apiKey) throw new Error("mem0: the Qdrant connection carries no API key");
  const openapi = { http: { path: "/openapi.json", port: "http" } };
  const keys = (key: string) => ref({ secretName: a.keysSecret, key });
  const v1 = `${a.ollama.url}/v1`;
  const state = { volume: "configure-state", mountPath: CONFIGURE_STATE_DIR };
  return {
    identity: { name: a.name ?? "mem0", component: "memory" },
    kind: "Deployment",
    replicas: a.replicas,
    placement: onRole("compute"),
    volumes: [{ name: "configure-state", emptyDir: { sizeLimit: "1Mi", medium: "Memory" } }],
    service: { ports: ["http"] },
    containers: [
      {
        name: "mem0",
        image: mem0Image(a.image),
        ports: [{ name: "http", containerPort: MEM0_PORT }],
        env: {
          POSTGRES_HOST: a.postgres.host,
          POSTGRES_PORT: String(a.postgres.port),
          POSTGRES_DB: a.postgres.database,
          POSTGRES_USER: a.postgres.user,
          POSTGRES_PASSWORD: ref(a.postgres.password),
          JWT_SECRET: keys(JWT_SECRET_KEY),
          ADMIN_API_KEY: keys(ADMIN_API_KEY),
          // The OpenAI client needs some key; Ollama ignores it.
          OPENAI_BASE_URL: v1,
          OPENAI_API_KEY: "ollama",
          MEM0_TELEMETRY: "false",
        },
        resources: a.resources,
        // The server has no health route; /openapi.json is served without authentication once the
        // app (and its database migrations) are up, so it is what the probes ask.
        readiness: { action: openapi, periodSeconds: 10, timeoutSeconds: 5 },
        liveness: { action: openapi, periodSeconds: 20, failureThreshold: 6, timeoutSeconds: 5 },
        // Python imports, the database migrations and the first connection to Qdrant: up to 5 minutes.
        startup: { action: openapi, periodSeconds: 5, failureThreshold: 60, timeoutSeconds: 5 },
      },
      {
        name: "configure",
        image: IMAGES.kubectl,
        ports: [],
        command: ["/bin/sh", "-c", CONFIGURE_SCRIPT],
        env: {
          MEM0_URL: `http://127.0.0.1:${MEM0_PORT}`,
          ADMIN_API_KEY: keys(ADMIN_API_KEY),
          QDRANT_URL: a.qdrant.url,
          QDRANT_API_KEY: ref(a.qdrant.apiKey),
          OLLAMA_BASE_URL: v1,
          LLM_MODEL: a.llmModel,
          EMBEDDING_MODEL: a.embeddingModel,
          EMBEDDING_DIMS: String(a.embeddingDims),
          COLLECTION: a.collection,
          STATE_DIR: CONFIGURE_STATE_DIR,
        },
        mounts: [state],
        resources: { cpu: "10m", memory: "16Mi", memoryLimit: "64Mi" },
        // Ready only while the server runs with this configuration (see configure.sh).
        readiness: { action: { exec: ["/bin/sh", "-c", `test -f ${CONFIGURE_STATE_DIR}/mem0-configured`] }, periodSeconds: 5 },
        // The loop beats every few seconds; a minute without a beat is a hang.
        liveness: { action: { exec: ["/bin/sh", "-c", `test $(( $(date +%s) - $(cat ${CONFIGURE_STATE_DIR}/heartbeat) )) -lt 60`] }, periodSeconds: 20, failureThreshold: 3 },
      },
    ],
  };
}
