import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { RedisConnection, appLabels, emitWorkload, generatedSecret, parseBytes, redisConnection } from "../../kit";
import { maxmemoryFor, redisConf } from "./redis-conf";
import { REDIS_CONF_KEY, REDIS_PASSWORD_KEY, REDIS_PORT, RedisSpecArgs, redisSpec } from "./spec";

export interface RedisArgs extends Omit<RedisSpecArgs, "passwordSecret" | "configSecret"> {
  /** Namespace to deploy into (must exist). */
  readonly namespace: string;
}

/** Pod annotation with a digest of the config file minus its password: the pod rolls when the file changes. */
export const REDIS_CONF_DIGEST_ANNOTATION = "homelab.pesulabs.net/redis-conf-sha256";

/**
 * Redis: a pinned single-replica StatefulSet with a generated password (inside a generated
 * redis.conf mounted from a Secret), append-only persistence on its volume, and redis_exporter
 * beside it. Consumers take `connection`.
 */
export class Redis extends pulumi.ComponentResource {
  readonly connection: RedisConnection;
  /** The password, a Pulumi secret. */
  readonly password: pulumi.Output<string>;

  constructor(name: string, args: RedisArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:data:Redis", name, {}, opts);
    const svc = args.name ?? "redis";
    const labels = appLabels({ name: svc, component: "cache" });
    const maxmemoryBytes = maxmemoryFor(parseBytes(args.resources.memoryLimit) ?? 0);
    const password = generatedSecret(this, { name: `${svc}-password`, namespace: args.namespace, labels, generate: { [REDIS_PASSWORD_KEY]: { length: 40 } } });
    const config = generatedSecret(this, {
      name: `${svc}-config`,
      namespace: args.namespace,
      labels,
      generate: {},
      literals: { [REDIS_CONF_KEY]: password.value(REDIS_PASSWORD_KEY).apply((pw) => redisConf({ password: pw, maxmemoryBytes })) },
    });
    const spec = redisSpec({ ...args, passwordSecret: password.name, configSecret: config.name });
    // The digest is of the file with a placeholder password: it changes with the settings, never shows the password.
    const digest = createHash("sha256").update(redisConf({ password: "x".repeat(16), maxmemoryBytes })).digest("hex");
    const w = emitWorkload(this, spec, {
      namespace: args.namespace,
      podAnnotations: { [REDIS_CONF_DIGEST_ANNOTATION]: digest },
      dependsOn: [password.secret, config.secret],
    });
    this.password = password.value(REDIS_PASSWORD_KEY);
    this.connection = redisConnection(w.serviceName!, args.namespace, REDIS_PORT, w.selector, password.ref(REDIS_PASSWORD_KEY));
    this.registerOutputs({ connection: this.connection });
  }
}
