// Existing-cluster mode: the role labels placement selects on are put on the nodes by the program
// (server-side apply patches), not left to a manual `kubectl label`.
import { rendered, ofKind } from "../harness";

describe("existing cluster (dev stack)", () => {
  it("labels every configured node with its roles, taking the labels over from kubectl", () => {
    const nodes = ofKind(rendered("dev"), "Node");
    expect(nodes.map((n) => n.metadata.name)).toEqual(["dev"]);
    expect(nodes[0].metadata.labels).toEqual({
      "homelab.pesulabs.net/role-service": "true",
      "homelab.pesulabs.net/role-compute": "true",
    });
    expect(nodes[0].metadata.annotations["pulumi.com/patchForce"]).toBe("true");
    expect(rendered("dev").resources.find((r) => r.type === "kubernetes:core/v1:NodePatch")?.provider).toMatch(/::cluster-provider::/);
  });

  it("k3s-mode stacks label nodes through k3s itself, not through patches", () => {
    expect(ofKind(rendered("homelab"), "Node")).toEqual([]);
  });

  it("refuses invalid node names and label keys before registering anything", () => {
    const pulumi = require("@pulumi/pulumi");
    pulumi.runtime.setMocks({ newResource: (a: any) => ({ id: a.name, state: a.inputs }), call: (a: any) => a.inputs }, "homelab", "unit", false);
    const { K3sCluster } = require("../../components/cluster");
    expect(() => new K3sCluster("c", { kubeconfig: "x", nodeLabels: { "Bad_Node": { ok: "true" }, good: { "bad key!": "v" } } })).toThrow(
      /nodeLabels\["Bad_Node"\]: not a valid node name[\s\S]*nodeLabels\["good"\]: key "bad key!" is not a valid label key/,
    );
  });
});
