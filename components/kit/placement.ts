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

/**
 * How replicas spread over their nodes: `required` = at most one pod per node, `preferred` = best
 * effort, `even` = as evenly as possible over a named set of nodes (pod counts differ by at most one;
 * a pod that cannot keep that stays pending), `none` = no rule.
 */
export type Spread = "required" | "preferred" | "even" | "none";

/**
 * Where a workload's pods may run.
 * - `pinned`: every pod on one named node. Required for anything with a local-path volume: the
 *   volume lives on that node, and a pod scheduled elsewhere would get an empty volume or hang.
 * - `role`: any node carrying the role; replicas spread across nodes (`required` = at most one
 *   pod per node, `preferred` = best effort). Default spread: preferred.
 * - `nodes`: several pods per node allowed, spread evenly over exactly these nodes (topology spread,
 *   max skew 1, DoNotSchedule). With local-path volumes each pod then stays with its volume (the
 *   volume's node affinity), and no node ever holds more than its share: e.g. 4 pods on 2 nodes are
 *   always 2 + 2, never 3 + 1.
 */
export type Placement =
  | { readonly kind: "pinned"; readonly node: string; readonly role?: NodeRole }
  | { readonly kind: "role"; readonly role: NodeRole; readonly spread?: Exclude<Spread, "even"> }
  | { readonly kind: "nodes"; readonly nodes: readonly string[] };

/** Every pod on `node`; `role` is the role that node must have (validation refuses another node). */
export function pinned(node: string, role?: NodeRole): Placement {
  return role === undefined ? { kind: "pinned", node } : { kind: "pinned", node, role };
}

export function onRole(role: NodeRole, spread: Exclude<Spread, "even"> = "preferred"): Placement {
  return { kind: "role", role, spread };
}

/** Pods spread evenly over exactly these nodes (several per node when there are more pods than nodes). */
export function overNodes(nodes: readonly string[]): Placement {
  return { kind: "nodes", nodes: [...nodes] };
}

export function placementSpread(p: Placement): Spread {
  if (p.kind === "nodes") return "even";
  return p.kind === "role" ? (p.spread ?? "preferred") : "none";
}

/** nodeSelector + affinity for a pod template, with anti-affinity keyed on the workload's own selector. */
export function schedulingFor(
  p: Placement,
  selector: Record<string, string>,
): {
  nodeSelector?: Record<string, string>;
  affinity?: k8s.types.input.core.v1.Affinity;
  topologySpreadConstraints?: k8s.types.input.core.v1.TopologySpreadConstraint[];
} {
  if (p.kind === "pinned") return { nodeSelector: { [HOSTNAME_LABEL]: p.node } };
  if (p.kind === "nodes") {
    return {
      affinity: {
        nodeAffinity: {
          requiredDuringSchedulingIgnoredDuringExecution: {
            nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: "In", values: [...p.nodes] }] }],
          },
        },
      },
      // DoNotSchedule: a pod waits rather than doubling up on a node while another is down, so one
      // node never holds more than its share of the drives (or replicas).
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: HOSTNAME_LABEL, whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: selector } }],
    };
  }
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
