// Typed connections: a provider component returns one, a consumer takes it as an argument. They are
// plain values (cluster DNS names, Secret references, the provider's pods), so specs built from them
// stay pure, and the kit can derive from each one exactly the network allow it needs
// (allowConnections, or WorkloadArgs.connections).
import * as pulumi from "@pulumi/pulumi";
import type { EnvValue, SecretKeyRef } from "./container";
import { AppIdentity, selectorLabels } from "./labels";
import { CONNECTS_TO_ANNOTATION, Endpoint, PodGroup, connectsToAnnotation, emitAllow, policyName } from "./network";
import type * as k8s from "@pulumi/kubernetes";

export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

interface ConnectionBase {
  readonly host: string;
  readonly port: number;
  /** The Service the host names. */
  readonly service: string;
  /** The pods behind the Service and the port they listen on: what a consumer's allow opens. */
  readonly endpoint: Endpoint;
}

/** An HTTP API inside the cluster, e.g. Qdrant or Ollama. */
export interface HttpConnection extends ConnectionBase {
  readonly kind: "http";
  readonly url: string;
  /** Where the API key lives, when the service needs one. */
  readonly apiKey?: SecretKeyRef;
}

/**
 * `service` in `namespace` on `port`, served by the pods matching `podSelector` (the provider
 * workload's selector; the container port equals the Service port, as emitWorkload makes them).
 */
export function httpConnection(
  service: string,
  namespace: string,
  port: number,
  podSelector: Readonly<Record<string, string>>,
  apiKey?: SecretKeyRef,
): HttpConnection {
  const host = serviceHost(service, namespace);
  return { kind: "http", host, port, service, endpoint: { namespace, podSelector, port }, url: `http://${host}:${port}`, apiKey };
}

/** A PostgreSQL database for one application. */
export interface PostgresConnection extends ConnectionBase {
  readonly kind: "postgres";
  readonly database: string;
  readonly user: string;
  readonly password: SecretKeyRef;
}

/**
 * An S3 bucket (the in-cluster MinIO, or an external endpoint): path-style addressing, one access key
 * per consumer, limited to its own bucket(s).
 */
export interface S3Connection extends ConnectionBase {
  readonly kind: "s3";
  /** e.g. "http://minio.homelab.svc.cluster.local:9000": give it to clients with path-style addressing. */
  readonly url: string;
  readonly bucket: string;
  /** MinIO ignores the region, but S3 clients require one. */
  readonly region: string;
  readonly accessKeyId: SecretKeyRef;
  readonly secretAccessKey: SecretKeyRef;
}

/** A Redis server: password-protected (requirepass), one database index. */
export interface RedisConnection extends ConnectionBase {
  readonly kind: "redis";
  /** `redis://<host>:<port>/<db>`, without the password: give the password separately, or build a URL with redisUrlEnv. */
  readonly url: string;
  readonly password: SecretKeyRef;
}

/**
 * `service` in `namespace` on `port`, served by the pods matching `podSelector`, password in
 * `password` (the container port equals the Service port, as emitWorkload makes them by default).
 */
export function redisConnection(
  service: string,
  namespace: string,
  port: number,
  podSelector: Readonly<Record<string, string>>,
  password: SecretKeyRef,
): RedisConnection {
  const host = serviceHost(service, namespace);
  return { kind: "redis", host, port, service, endpoint: { namespace, podSelector, port }, url: `redis://${host}:${port}/0`, password };
}

export type Connection = HttpConnection | PostgresConnection | S3Connection | RedisConnection;

/**
 * Environment entries for an application that wants one URL with the password in it: the password
 * from its Secret under `<name>_PASSWORD`, and `<name>` built with Kubernetes' own `$(VAR)`
 * expansion at container start, so the pod spec never holds the password. The kit orders
 * variables that reference others after them (container.ts), as the expansion requires.
 * Generated passwords are letters and digits (secrets.ts), so they need no URL escaping.
 */
export function urlWithPasswordEnv(name: string, c: PostgresConnection | RedisConnection): Record<string, EnvValue> {
  const pw = `${name}_PASSWORD`;
  const url =
    c.kind === "postgres"
      ? `postgresql://${encodeURIComponent(c.user)}:$(${pw})@${c.host}:${c.port}/${encodeURIComponent(c.database)}`
      : `redis://:$(${pw})@${c.host}:${c.port}/0`;
  return { [pw]: { secret: c.password }, [name]: url };
}

/** The consumer side of connections: its pods, and a name for its policies. */
export interface Consumer {
  /** Prefix of the generated policies' names (`<name>-to-<service>`). */
  readonly name: string;
  readonly pods: PodGroup;
}

/** The consumer of a workload's own pods. */
export function workloadConsumer(identity: AppIdentity, namespace: string): Consumer {
  return { name: identity.name, pods: { namespace, podSelector: selectorLabels(identity) } };
}

export interface ConsumedConnections {
  readonly policies: k8s.networking.v1.NetworkPolicy[];
  /** Pod-template annotations that record what the pods connect to. */
  readonly annotations: Record<string, string>;
}

/**
 * One allow per connection the consumer takes: its pods → the provider's pods, on the connection's
 * port, and nothing else. Put `annotations` on the consumer's pod template.
 */
export function allowConnections(parent: pulumi.Resource, consumer: Consumer, connections: readonly Connection[]): ConsumedConnections {
  if (connections.length === 0) return { policies: [], annotations: {} };
  const byService = new Map<string, Connection>();
  for (const c of connections) byService.set(`${c.endpoint.namespace}/${c.service}:${c.endpoint.port}`, c);
  const ports = (c: Connection) => [...byService.values()].filter((x) => x.service === c.service && x.endpoint.namespace === c.endpoint.namespace).length;
  const policies = [...byService.values()].map((c) =>
    emitAllow(parent, {
      // One policy per Service, or per Service port when the consumer uses several of its ports.
      name: ports(c) > 1 ? policyName(consumer.name, "to", c.service, String(c.endpoint.port)) : policyName(consumer.name, "to", c.service),
      reason: "connection",
      from: consumer.pods,
      to: c.endpoint,
      ports: [{ port: c.endpoint.port, protocol: c.endpoint.protocol }],
    }),
  );
  return { policies, annotations: { [CONNECTS_TO_ANNOTATION]: connectsToAnnotation(connections.map((c) => ({ service: c.service, endpoint: c.endpoint }))) } };
}
