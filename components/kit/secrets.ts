// Every password and key is generated with @pulumi/random and stays a Pulumi secret; workloads
// read them from a Kubernetes Secret by reference, never as a literal in a pod spec.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { SecretKeyRef } from "./container";

export interface GeneratedKey {
  /** Default 32. */
  readonly length?: number;
  /** Include punctuation. Default false: keys end up in URLs, env files and connection strings. */
  readonly special?: boolean;
}

export interface GeneratedSecretArgs {
  /** The Kubernetes Secret's name. */
  readonly name: string;
  readonly namespace: pulumi.Input<string>;
  readonly labels?: Record<string, string>;
  /** Keys whose values are generated. */
  readonly generate: Readonly<Record<string, GeneratedKey>>;
  /** Keys with given values (e.g. a user name, or a value derived from generated ones). */
  readonly literals?: Readonly<Record<string, pulumi.Input<string>>>;
}

export interface GeneratedSecret {
  readonly secret: k8s.core.v1.Secret;
  readonly name: string;
  /** A reference for a container's env. Throws for a key the Secret does not hold. */
  ref(key: string): SecretKeyRef;
  /** The generated value, as a Pulumi secret. */
  value(key: string): pulumi.Output<string>;
}

export function generatedSecret(parent: pulumi.Resource, args: GeneratedSecretArgs): GeneratedSecret {
  const values: Record<string, pulumi.Output<string>> = {};
  for (const key of Object.keys(args.generate).sort()) {
    const g = args.generate[key];
    const pw = new random.RandomPassword(`${args.name}-${key}`, { length: g.length ?? 32, special: g.special ?? false }, { parent });
    values[key] = pulumi.secret(pw.result);
  }
  for (const key of Object.keys(args.literals ?? {})) values[key] = pulumi.secret(pulumi.output(args.literals![key]));
  const secret = new k8s.core.v1.Secret(args.name, {
    metadata: { name: args.name, namespace: args.namespace, labels: args.labels },
    type: "Opaque",
    stringData: values,
  }, { parent });
  const known = (key: string) => {
    if (!(key in values)) throw new Error(`secret ${args.name} has no key "${key}" (keys: ${Object.keys(values).join(", ")})`);
  };
  return {
    secret,
    name: args.name,
    ref: (key) => (known(key), { secretName: args.name, key }),
    value: (key) => (known(key), values[key]),
  };
}
