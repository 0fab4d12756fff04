// Placement is derived from node roles in the stack config. The cluster component puts these
// labels on the nodes; the kit turns a Placement into nodeSelector/affinity on the same keys.
import * as k8s from "@pulumi/kubernetes";

export const NODE_ROLES = ["service", "compute", "gpu"] as const;
export type NodeRole = (typeof NODE_ROLES)[number];

/** The label the cluster puts on a node for each of its roles: `homelab.pesulabs.net/role-<role>=true`. */
export function roleLabel(role: NodeRole): string {
  return `homelab.pesulabs.net/role-${role}`;
}

/**
 * The labels a node with these roles is registered with. Placement selects on exactly these (see
 * `schedulingFor`), so a role-placed pod always finds the nodes that carry its role.
 */
export function nodeRoleLabels(roles: readonly NodeRole[]): Record<string, string> {
  return Object.fromEntries(roles.map((r) => [roleLabel(r), "true"]));
}

/** kubelet sets this label to the node name; k3s registers nodes under the name we give them. */
export const HOSTNAME_LABEL = "kubernetes.io/hostname";

export type Spread = "required" | "preferred" | "none";

/**
 * Where a workload's pods may run.
 * - `pinned`: every pod on one named node. Required for anything with a local-path volume: the
 *   volume lives on that node, and a pod scheduled elsewhere would get an empty volume or hang.
 * - `role`: any node carrying the role; replicas spread across nodes (`required` = at most one
 *   pod per node, `preferred` = best effort). Default spread: preferred.
 */
export type Placement =
  | { readonly kind: "pinned"; readonly node: string; readonly role?: NodeRole }
  | { readonly kind: "role"; readonly role: NodeRole; readonly spread?: Spread };

/** Every pod on `node`; `role` is the role that node must have (validation refuses another node). */
export function pinned(node: string, role?: NodeRole): Placement {
  return role === undefined ? { kind: "pinned", node } : { kind: "pinned", node, role };
}

export function onRole(role: NodeRole, spread: Spread = "preferred"): Placement {
  return { kind: "role", role, spread };
}

export function placementSpread(p: Placement): Spread {
  return p.kind === "role" ? (p.spread ?? "preferred") : "none";
}

/** nodeSelector + affinity for a pod template, with anti-affinity keyed on the workload's own selector. */
export function schedulingFor(
  p: Placement,
  selector: Record<string, string>,
): { nodeSelector: Record<string, string>; affinity?: k8s.types.input.core.v1.Affinity } {
  if (p.kind === "pinned") return { nodeSelector: { [HOSTNAME_LABEL]: p.node } };
  const nodeSelector = nodeRoleLabels([p.role]);
  const term = { labelSelector: { matchLabels: selector }, topologyKey: HOSTNAME_LABEL };
  switch (placementSpread(p)) {
    case "required":
      return { nodeSelector, affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } } };
    case "preferred":
      return {
        nodeSelector,
        affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } },
      };
    default:
      return { nodeSelector };
  }
}
