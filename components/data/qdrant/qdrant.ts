import * as pulumi from "@pulumi/pulumi";
import { HttpConnection, appLabels, emitWorkload, generatedSecret, httpConnection } from "../../kit";
import { QDRANT_API_KEY, QDRANT_HTTP_PORT, QdrantSpecArgs, qdrantSpec } from "./spec";

export interface QdrantArgs extends Omit<QdrantSpecArgs, "apiKeySecret"> {
  /** Namespace to deploy into (must exist). */
  readonly namespace: string;
}

/** Qdrant vector database: a pinned single-replica StatefulSet with a generated API key. */
export class Qdrant extends pulumi.ComponentResource {
  /** URL + API key reference, for consumers such as Mem0. */
  readonly connection: HttpConnection;
  /** The API key, a Pulumi secret. */
  readonly apiKey: pulumi.Output<string>;

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
    this.registerOutputs({ connection: this.connection, apiKey: this.apiKey });
  }
}
