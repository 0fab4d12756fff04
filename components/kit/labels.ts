// One labels object feeds the workload selector, the pod template, the Service, the PDB and
// NetworkPolicies. Nobody types a selector by hand: they all come from here.
import { isDns1035Label } from "./formats";

/** Who a workload is. `name` is unique within the platform (it names the Service and the workload). */
export interface AppIdentity {
  /** Workload and Service name, e.g. "qdrant". DNS-1035 label. */
  readonly name: string;
  /** What it is part of: the capability, e.g. "vector-store", "database". */
  readonly component: string;
  /** The stack/instance, e.g. "homelab". Defaults to the platform name. */
  readonly instance?: string;
}

export const PART_OF = "homelab-platform";
export const MANAGED_BY = "pulumi";

export function assertDnsLabel(value: string, what: string): void {
  if (!isDns1035Label(value)) {
    throw new Error(`${what} "${value}" is not a valid Kubernetes name: use lower-case letters, digits and '-', start with a letter, at most 63 characters`);
  }
}

/** The labels that select a workload's pods. Stable for the life of the workload (selectors are immutable). */
export function selectorLabels(id: AppIdentity): Record<string, string> {
  assertDnsLabel(id.name, "workload name");
  return {
    "app.kubernetes.io/name": id.name,
    "app.kubernetes.io/instance": id.instance ?? PART_OF,
  };
}

/** Every label we put on objects of a workload: the selector labels plus descriptive ones. */
export function appLabels(id: AppIdentity): Record<string, string> {
  return {
    ...selectorLabels(id),
    "app.kubernetes.io/component": id.component,
    "app.kubernetes.io/part-of": PART_OF,
    "app.kubernetes.io/managed-by": MANAGED_BY,
  };
}
