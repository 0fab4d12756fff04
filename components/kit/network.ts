// Default-deny networking, derived from the wiring. A platform namespace denies all ingress; the only
// way in is an allow the kit generates from something declared elsewhere for its own reasons:
// - a connection a consumer takes (consumer pods → provider pods, on the connection's port),
// - a route (Traefik's pods → the backend pods, on the routed port),
// - a peer rule (members of a stateful set → each other, on their peer ports),
// - a metrics endpoint (Prometheus's pods → the workload's pods, on the metrics port; kit/monitoring.ts).
// Nobody writes a NetworkPolicy by hand, so a new service is covered the moment it is wired.
// Egress is not restricted: pods keep DNS and their outbound traffic.
import { createHash } from "node:crypto";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppIdentity, appLabels, assertDnsLabel } from "./labels";

/** A set of pods: those in `namespace` whose labels include `podSelector`. */
export interface PodGroup {
  readonly namespace: string;
  readonly podSelector: Readonly<Record<string, string>>;
}

/** Where a connection lands: a port on a group of pods. */
export interface Endpoint extends PodGroup {
  readonly port: number;
  /** Default TCP. */
  readonly protocol?: "TCP" | "UDP";
}

/** Why an allow exists; written on the policy for people reading the cluster. */
export type AllowReason = "connection" | "route" | "peer" | "node-port" | "metrics";

export interface Allow {
  /** Names the NetworkPolicy; a DNS label, unique in the target's namespace. */
  readonly name: string;
  readonly reason: AllowReason;
  readonly from: PodGroup;
  readonly to: PodGroup;
  readonly ports: readonly { readonly port: number; readonly protocol?: "TCP" | "UDP" }[];
  /** Labels of the policy object; default those of `to`'s workload are not known here, so {name, component: "network"}. */
  readonly identity?: AppIdentity;
}

/** On every generated policy: connection, route or peer. */
export const ALLOW_REASON_ANNOTATION = "homelab.pesulabs.net/allows";
/** On a consumer's pod template: the Service endpoints it connects to, `service.namespace:port`, comma-separated. */
export const CONNECTS_TO_ANNOTATION = "homelab.pesulabs.net/connects-to";
/** On a StatefulSet: the container port names its members reach each other on. */
export const PEER_PORTS_ANNOTATION = "homelab.pesulabs.net/peer-ports";
/**
 * On a selector-less Service whose endpoints a controller of ours manages: the pods those endpoints
 * are (JSON label selector), so checks can tell which pods a connection to it reaches.
 */
export const ENDPOINTS_OF_ANNOTATION = "homelab.pesulabs.net/endpoints-of";
/** The policy every platform namespace gets. */
export const DEFAULT_DENY = "default-deny-ingress";
/** Namespaces carry this label (set by Kubernetes itself since 1.22); cross-namespace allows select on it. */
export const NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name";

/** cert-manager's HTTP-01 solver pods (created in the Certificate's namespace) and the port they listen on. */
export const ACME_HTTP01_SOLVER: { readonly podSelector: Readonly<Record<string, string>>; readonly port: number } = {
  podSelector: { "acme.cert-manager.io/http01-solver": "true" },
  port: 8089,
};

/** The `from` peer of a policy in `targetNamespace`: a namespace selector only when the source lives elsewhere. */
export function policyPeer(from: PodGroup, targetNamespace: string): k8s.types.input.networking.v1.NetworkPolicyPeer {
  return {
    podSelector: { matchLabels: { ...from.podSelector } },
    ...(from.namespace !== targetNamespace ? { namespaceSelector: { matchLabels: { [NAMESPACE_NAME_LABEL]: from.namespace } } } : {}),
  };
}

/** The NetworkPolicy spec of an allow. Pure. */
export function allowPolicySpec(a: Allow): k8s.types.input.networking.v1.NetworkPolicySpec {
  if (Object.keys(a.to.podSelector).length === 0) throw new Error(`allow ${a.name}: the target selector is empty (it would open every pod of ${a.to.namespace})`);
  if (Object.keys(a.from.podSelector).length === 0) throw new Error(`allow ${a.name}: the source selector is empty (it would admit every pod of ${a.from.namespace})`);
  if (a.ports.length === 0) throw new Error(`allow ${a.name}: no ports (it would open every port)`);
  return {
    podSelector: { matchLabels: { ...a.to.podSelector } },
    policyTypes: ["Ingress"],
    ingress: [{ from: [policyPeer(a.from, a.to.namespace)], ports: a.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" })) }],
  };
}

/** Creates the allow's NetworkPolicy in the target's namespace. */
export function emitAllow(parent: pulumi.Resource, a: Allow, opts: pulumi.CustomResourceOptions = {}): k8s.networking.v1.NetworkPolicy {
  assertDnsLabel(a.name, "network policy name");
  return new k8s.networking.v1.NetworkPolicy(`${a.to.namespace}-${a.name}`, {
    metadata: {
      name: a.name,
      namespace: a.to.namespace,
      labels: appLabels(a.identity ?? { name: a.name, component: "network" }),
      annotations: { [ALLOW_REASON_ANNOTATION]: a.reason },
    },
    spec: allowPolicySpec(a),
  }, { parent, ...opts });
}

/** An allow from client addresses outside the cluster (a NodePort Service's clients) to a group of pods. */
export interface CidrAllow {
  readonly name: string;
  readonly to: PodGroup;
  readonly cidrs: readonly string[];
  readonly ports: readonly { readonly port: number; readonly protocol?: "TCP" | "UDP" }[];
  readonly identity?: AppIdentity;
}

/** Creates a CidrAllow's NetworkPolicy (reason "node-port") in the target's namespace. */
export function emitCidrAllow(parent: pulumi.Resource, a: CidrAllow, opts: pulumi.CustomResourceOptions = {}): k8s.networking.v1.NetworkPolicy {
  assertDnsLabel(a.name, "network policy name");
  if (Object.keys(a.to.podSelector).length === 0) throw new Error(`allow ${a.name}: the target selector is empty (it would open every pod of ${a.to.namespace})`);
  if (a.cidrs.length === 0) throw new Error(`allow ${a.name}: no client CIDRs`);
  if (a.ports.length === 0) throw new Error(`allow ${a.name}: no ports (it would open every port)`);
  return new k8s.networking.v1.NetworkPolicy(`${a.to.namespace}-${a.name}`, {
    metadata: {
      name: a.name,
      namespace: a.to.namespace,
      labels: appLabels(a.identity ?? { name: a.name, component: "network" }),
      annotations: { [ALLOW_REASON_ANNOTATION]: "node-port" },
    },
    spec: {
      podSelector: { matchLabels: { ...a.to.podSelector } },
      policyTypes: ["Ingress"],
      ingress: [{ from: a.cidrs.map((cidr) => ({ ipBlock: { cidr } })), ports: a.ports.map((p) => ({ port: p.port, protocol: p.protocol ?? "TCP" })) }],
    },
  }, { parent, ...opts });
}

/**
 * Denies all ingress to the selected pods (default: every pod of the namespace). In a namespace the
 * platform shares with a chart (e.g. cert-manager's), select only the platform's own pods.
 */
export function emitDefaultDeny(
  parent: pulumi.Resource,
  namespace: string,
  o: { readonly podSelector?: Readonly<Record<string, string>>; readonly name?: string; readonly opts?: pulumi.CustomResourceOptions } = {},
): k8s.networking.v1.NetworkPolicy {
  const name = o.name ?? DEFAULT_DENY;
  return new k8s.networking.v1.NetworkPolicy(`${namespace}-${name}`, {
    metadata: { name, namespace, labels: appLabels({ name, component: "network" }) },
    spec: { podSelector: o.podSelector ? { matchLabels: { ...o.podSelector } } : {}, policyTypes: ["Ingress"] },
  }, { parent, ...o.opts });
}

/** The connects-to annotation value for a consumer's pod template. */
export function connectsToAnnotation(endpoints: readonly { readonly service: string; readonly endpoint: Endpoint }[]): string {
  return [...new Set(endpoints.map((e) => `${e.service}.${e.endpoint.namespace}:${e.endpoint.port}`))].sort().join(",");
}

/** A policy name from parts; names longer than a DNS label keep their start and end in a stable hash. */
export function policyName(...parts: string[]): string {
  const full = parts.join("-");
  if (full.length <= 63) return full;
  const hash = createHash("sha256").update(full).digest("hex").slice(0, 8);
  return `${full.slice(0, 54).replace(/-+$/, "")}-${hash}`;
}
