import * as pulumi from "@pulumi/pulumi";
import { PostgresConnection, RouteDefaults, appLabels, emitRoute, emitWorkload, generatedSecret, httpConnection, serviceBackend } from "../../kit";
import type { HttpConnection } from "../../kit";
import { N8N_ENCRYPTION_KEY, N8N_PORT, N8N_RUNNERS_TOKEN, N8nSpecArgs, n8nSpec } from "./spec";

export interface N8nArgs extends Omit<N8nSpecArgs, "secret" | "host" | "database"> {
  /** Namespace to deploy into (must exist). */
  readonly namespace: string;
  /** Its database (PatroniPostgres.database("n8n")). */
  readonly database: PostgresConnection;
  /** The platform's route defaults: n8n is served at n8n.<domain>. */
  readonly routes: RouteDefaults;
}

/** n8n: editor and webhooks at https://n8n.<domain>, workflows in PostgreSQL, Code nodes in the runners sidecar. */
export class N8n extends pulumi.ComponentResource {
  readonly url: string;
  /** In-cluster API (webhooks, REST), for other workloads. */
  readonly connection: HttpConnection;
  /** The encryption key, a Pulumi secret: back it up, credentials stored in n8n are unreadable without it. */
  readonly encryptionKey: pulumi.Output<string>;

  constructor(name: string, args: N8nArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:apps:N8n", name, {}, opts);
    const n = args.name ?? "n8n";
    const host = `${n}.${args.routes.domain}`;
    const secret = generatedSecret(this, {
      name: `${n}-secrets`,
      namespace: args.namespace,
      labels: appLabels({ name: n, component: "automation" }),
      generate: { [N8N_ENCRYPTION_KEY]: { length: 48 }, [N8N_RUNNERS_TOKEN]: { length: 48 } },
    });
    const spec = n8nSpec({ ...args, host, secret: secret.name });
    const w = emitWorkload(this, spec, { namespace: args.namespace, dependsOn: [secret.secret], connections: [args.database] });
    const route = emitRoute(this, args.routes, { name: n, namespace: args.namespace, backend: serviceBackend(spec, "http", { emitted: w }) });
    this.url = route.url;
    this.encryptionKey = secret.value(N8N_ENCRYPTION_KEY);
    this.connection = httpConnection(w.serviceName!, args.namespace, N8N_PORT, w.selector);
    this.registerOutputs({ url: this.url, connection: this.connection });
  }
}
