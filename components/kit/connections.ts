// Typed connections: a provider component returns one, a consumer takes it as an argument. They are
// plain values (cluster DNS names, Secret references), so specs built from them stay pure.
import type { SecretKeyRef } from "./container";

export function serviceHost(service: string, namespace: string): string {
  return `${service}.${namespace}.svc.cluster.local`;
}

/** An HTTP API inside the cluster, e.g. Qdrant or Ollama. */
export interface HttpConnection {
  readonly kind: "http";
  readonly host: string;
  readonly port: number;
  readonly url: string;
  /** Where the API key lives, when the service needs one. */
  readonly apiKey?: SecretKeyRef;
}

export function httpConnection(service: string, namespace: string, port: number, apiKey?: SecretKeyRef): HttpConnection {
  const host = serviceHost(service, namespace);
  return { kind: "http", host, port, url: `http://${host}:${port}`, apiKey };
}

/** A PostgreSQL database for one application. */
export interface PostgresConnection {
  readonly kind: "postgres";
  readonly host: string;
  readonly port: number;
  readonly database: string;
  readonly user: string;
  readonly password: SecretKeyRef;
}
