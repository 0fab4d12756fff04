import * as pulumi from "@pulumi/pulumi";
import { RouteDefaults, emitRoute, emitWorkload, serviceBackend } from "../../kit";
import { FamilyAssistantSpecArgs, familyAssistantConnections, familyAssistantSpecs } from "./spec";

export interface FamilyAssistantArgs extends Omit<FamilyAssistantSpecArgs, "apiUrl"> {
  /** Namespace to deploy into (must exist). */
  readonly namespace: string;
  /** The platform's route defaults: served at family-assistant.<domain>. */
  readonly routes: RouteDefaults;
}

/**
 * The Family Assistant: the backend at https://family-assistant.<domain> (or, with a frontend, the
 * frontend there and the backend at family-assistant-api.<domain>), an optional NodePort derived
 * from the same workload, and one network allow per connection it is given.
 */
export class FamilyAssistant extends pulumi.ComponentResource {
  readonly url: string;
  readonly apiUrl: string;

  constructor(name: string, args: FamilyAssistantArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:apps:FamilyAssistant", name, {}, opts);
    const n = args.name ?? "family-assistant";
    const apiRoute = args.frontend ? `${n}-api` : n;
    const apiUrl = `https://${apiRoute}.${args.routes.domain}/`;
    const specs = familyAssistantSpecs({ ...args, apiUrl });
    const backend = emitWorkload(this, specs.backend, { namespace: args.namespace, connections: familyAssistantConnections(args) });
    const api = emitRoute(this, args.routes, { name: apiRoute, namespace: args.namespace, backend: serviceBackend(specs.backend, "http", { emitted: backend }) });
    this.apiUrl = api.url;
    this.url = api.url;
    if (specs.frontend) {
      const frontend = emitWorkload(this, specs.frontend, { namespace: args.namespace });
      const web = emitRoute(this, args.routes, { name: n, namespace: args.namespace, backend: serviceBackend(specs.frontend, "http", { emitted: frontend }) });
      this.url = web.url;
    }
    this.registerOutputs({ url: this.url, apiUrl: this.apiUrl });
  }
}
