// Every rendered Kubernetes object validates against the Kubernetes OpenAPI schema (kubernetes-models).
import { allStacks } from "./harness";
import type { Manifest } from "../tools/lib/manifests";

/** Custom resources are validated by the tests of the component that owns them. */
const CUSTOM_GROUPS = ["helm.cattle.io", "traefik.io", "traefik.containo.us", "cert-manager.io", "acme.cert-manager.io", "monitoring.coreos.com"];

function modelFor(m: Manifest): any {
  const [group, version] = String(m.apiVersion).includes("/") ? String(m.apiVersion).split("/") : ["", m.apiVersion];
  const mod = group ? `kubernetes-models/${group === "" ? "" : group}/${version}/${m.kind}` : `kubernetes-models/${version}/${m.kind}`;
  return require(mod)[m.kind];
}

describe("schema", () => {
  it("every built-in object validates", () => {
    const errors: string[] = [];
    let checked = 0;
    for (const s of allStacks()) {
      for (const m of s.manifests) {
        const group = String(m.apiVersion).split("/")[0];
        if (CUSTOM_GROUPS.includes(group)) continue;
        const Model = modelFor(m);
        try {
          new Model(m).validate();
          checked++;
        } catch (e) {
          errors.push(`${s.stack} ${m.kind} ${m.metadata?.name}: ${(e as Error).message}`);
        }
      }
    }
    expect(errors).toEqual([]);
    expect(checked).toBeGreaterThan(10);
  });

  it("the validator itself rejects a malformed object", () => {
    const { StatefulSet } = require("kubernetes-models/apps/v1/StatefulSet");
    const bad = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "x" }, spec: { serviceName: "x", selector: {}, template: { spec: { containers: [{ name: "a", resources: { requests: { memory: "8GB!" } } }] } } } };
    expect(() => new StatefulSet(bad).validate()).toThrow(/quantity/);
  });
});
