// A namespace the platform's workloads live in, made one way: Pod Security labels, protected from
// deletion (its volume claims would go with it), and default-deny ingress from the moment it exists.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assertDnsLabel } from "./labels";
import { emitDefaultDeny } from "./network";

export interface PlatformNamespace {
  readonly namespace: k8s.core.v1.Namespace;
  /** Its default-deny ingress policy: depend on it before starting pods there. */
  readonly deny: k8s.networking.v1.NetworkPolicy;
  /** Namespace + policy: what resources in the namespace should depend on. */
  readonly ready: pulumi.Resource[];
}

export function emitPlatformNamespace(parent: pulumi.Resource, name: string, opts: pulumi.CustomResourceOptions = {}): PlatformNamespace {
  assertDnsLabel(name, "namespace");
  const namespace = new k8s.core.v1.Namespace(name, {
    metadata: {
      name,
      // Baseline is enforced (some images still need root); restricted violations are reported.
      labels: { "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted" },
    },
    // Deleting the namespace would delete the volumes' claims with it: a config change must not do that.
  }, { parent, ...opts, protect: true });
  // The only ways in are the allows the kit derives from connections, routes and peer rules.
  const deny = emitDefaultDeny(parent, name, { opts: { ...opts, dependsOn: [namespace] } });
  return { namespace, deny, ready: [namespace, deny] };
}
