// A Placement turned into scheduling rules (components/kit/placement.ts): on the same role labels the
// cluster registers nodes with, with anti-affinity keyed on the workload's own selector.
import { HOSTNAME_LABEL, nodeRoleLabels, onRole, overNodes, pinned, placementSpread, roleLabel, schedulingFor } from "../../components/kit";

const selector = { "app.kubernetes.io/name": "app", "app.kubernetes.io/instance": "homelab" };
const term = { labelSelector: { matchLabels: selector }, topologyKey: HOSTNAME_LABEL };

describe("placement", () => {
  it("pins to a node by its hostname label, and records the role the node must have only when given", () => {
    expect(pinned("asuna")).toStrictEqual({ kind: "pinned", node: "asuna" });
    expect(pinned("asuna", "gpu")).toEqual({ kind: "pinned", node: "asuna", role: "gpu" });
    expect(schedulingFor(pinned("asuna", "gpu"), selector)).toEqual({ nodeSelector: { [HOSTNAME_LABEL]: "asuna" } });
  });

  it("places on a role by the node's role label, spreading by preference unless told otherwise", () => {
    expect(nodeRoleLabels(["service"])).toEqual({ [roleLabel("service")]: "true" });
    expect(placementSpread(onRole("service"))).toBe("preferred");
    expect(schedulingFor(onRole("service"), selector)).toEqual({
      nodeSelector: { [roleLabel("service")]: "true" },
      affinity: { podAntiAffinity: { preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 100, podAffinityTerm: term }] } },
    });
  });

  it("a required spread is hard anti-affinity on the workload's own pods; none is no rule", () => {
    expect(schedulingFor(onRole("compute", "required"), selector)).toEqual({
      nodeSelector: { [roleLabel("compute")]: "true" },
      affinity: { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [term] } },
    });
    expect(schedulingFor(onRole("compute", "none"), selector)).toEqual({ nodeSelector: { [roleLabel("compute")]: "true" } });
    expect(placementSpread(onRole("compute", "none"))).toBe("none");
  });

  it("over named nodes: only those nodes, and never more than one pod above an even share (a pod waits instead)", () => {
    const s = schedulingFor(overNodes(["a", "b"]), selector);
    expect(placementSpread(overNodes(["a"]))).toBe("even");
    expect(s).toEqual({
      affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: HOSTNAME_LABEL, operator: "In", values: ["a", "b"] }] }] } } },
      topologySpreadConstraints: [{ maxSkew: 1, topologyKey: HOSTNAME_LABEL, whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: selector } }],
    });
  });
});
