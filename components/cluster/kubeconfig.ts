/**
 * Pure: the kubeconfig the platform's Kubernetes provider uses, and the provider's identity.
 *
 * The provider authenticates with a ServiceAccount token that does not expire (see
 * `adminAccessScript`), not with k3s.yaml's client certificate, which k3s issues for one year: a
 * kubeconfig kept in state would otherwise stop working a year after the last re-read.
 */
import { stringify } from "yaml";

export interface ServiceAccountKubeconfig {
  /** API server URL, e.g. https://100.81.76.55:6443. */
  readonly server: string;
  /** Name of the (single) cluster, user and context. */
  readonly name: string;
  /** base64 of the cluster CA (PEM). */
  readonly caData: string;
  /** Bearer token. */
  readonly token: string;
}

/** A kubeconfig with one cluster, one token user and one context, all named `name`. */
export function serviceAccountKubeconfig(k: ServiceAccountKubeconfig): string {
  if (!/^https:\/\/\S+$/.test(k.server)) throw new Error(`kubeconfig: server "${k.server}" must be an https:// URL`);
  return stringify({
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: k.name, cluster: { server: k.server, "certificate-authority-data": k.caData } }],
    users: [{ name: k.name, user: { token: k.token } }],
    contexts: [{ name: k.name, context: { cluster: k.name, user: k.name } }],
    "current-context": k.name,
  }, { lineWidth: 0 });
}

/**
 * The provider's `clusterIdentifier`: Pulumi replaces a Kubernetes provider (and so every resource
 * under it) only when this changes, and treats any other change of its config (a kubeconfig that is
 * unknown during the preview of a k3s upgrade, a new API address) as an update. It names the
 * cluster by what makes it that cluster: the component and the server that seeded it (managed), or
 * the kubeconfig context (existing). It never contains the k3s version.
 */
export function clusterIdentifier(componentName: string, cluster: { readonly seedServer: string } | { readonly context?: string }): string {
  return "seedServer" in cluster
    ? `k3s/${componentName}/${cluster.seedServer}`
    : `existing/${componentName}/${cluster.context ?? "current-context"}`;
}
