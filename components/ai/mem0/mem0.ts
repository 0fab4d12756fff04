import * as pulumi from "@pulumi/pulumi";
import { HttpConnection, appLabels, emitWorkload, generatedSecret, httpConnection } from "../../kit";
import { ADMIN_API_KEY, JWT_SECRET_KEY, MEM0_PORT, Mem0SpecArgs, mem0Spec } from "./spec";

export interface Mem0Args extends Omit<Mem0SpecArgs, "keysSecret"> {
  /** Namespace to deploy into (must exist). */
  readonly namespace: string;
  /** What must be done first: Ollama's model pulls (the server embeds with those models at once). */
  readonly dependsOn?: pulumi.Resource[];
}

/**
 * Mem0's memory API: a Deployment on compute nodes with a generated JWT secret and admin key, its
 * own PostgreSQL database, Qdrant as vector store and Ollama as LLM and embedder — every one of them
 * a typed connection, so the network allows follow. Internal only (no route): its consumers are in
 * the cluster.
 */
export class Mem0 extends pulumi.ComponentResource {
  /** The API with the admin key as its key (X-API-Key), for consumers such as the Family Assistant. */
  readonly connection: HttpConnection;
  /** The admin API key, a Pulumi secret. */
  readonly adminApiKey: pulumi.Output<string>;

  constructor(name: string, args: Mem0Args, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:ai:Mem0", name, {}, opts);
    const svc = args.name ?? "mem0";
    const keys = generatedSecret(this, {
      name: `${svc}-keys`,
      namespace: args.namespace,
      labels: appLabels({ name: svc, component: "memory" }),
      generate: { [JWT_SECRET_KEY]: { length: 64 }, [ADMIN_API_KEY]: { length: 48 } },
    });
    const spec = mem0Spec({ ...args, keysSecret: keys.name });
    const w = emitWorkload(this, spec, {
      namespace: args.namespace,
      dependsOn: [keys.secret, ...(args.dependsOn ?? [])],
      connections: [args.postgres, args.qdrant, args.ollama],
    });
    this.adminApiKey = keys.value(ADMIN_API_KEY);
    this.connection = httpConnection(w.serviceName!, args.namespace, MEM0_PORT, w.selector, keys.ref(ADMIN_API_KEY));
    this.registerOutputs({ connection: this.connection, adminApiKey: this.adminApiKey });
  }
}
