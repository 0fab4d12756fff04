// Every rendered Kubernetes object validates against the Kubernetes OpenAPI schema (kubernetes-models).
import { allStacks } from "./harness";
import type { Manifest } from "../tools/lib/manifests";
import { validateWith } from "./lib/schema";

/** Custom resources are validated by the tests of the component that owns them. */
const CUSTOM_GROUPS = ["helm.cattle.io", "traefik.io", "traefik.containo.us", "cert-manager.io", "acme.cert-manager.io", "monitoring.coreos.com"];

function modelFor(m: Manifest): any {
  const [group, version] = String(m.apiVersion).includes("/") ? String(m.apiVersion).split("/") : ["", m.apiVersion];
  const mod = group ? `kubernetes-models/${group === "" ? "" : group}/${version}/${m.kind}` : `kubernetes-models/${version}/${m.kind}`;
  return require(mod)[m.kind];
}

describe("schema", () => {
  it("every built-in object validates", () => {
    const objects = allStacks().flatMap((s) => s.manifests.map((m) => ({ stack: s.stack, m })));
    const builtIn = objects.filter(({ m }) => !CUSTOM_GROUPS.includes(String(m.apiVersion).split("/")[0]));
    const { errors, checked } = validateWith(builtIn, modelFor);
    expect(errors).toEqual([]);
    // Every built-in object has a model: a kind without one would fail in modelFor's require.
    expect(checked).toBe(builtIn.length);
    expect(checked).toBeGreaterThan(10);
  });

  it("the validator itself rejects a malformed object", () => {
    const { StatefulSet } = require("kubernetes-models/apps/v1/StatefulSet");
    const bad = { apiVersion: "apps/v1", kind: "StatefulSet", metadata: { name: "x" }, spec: { serviceName: "x", selector: {}, template: { spec: { containers: [{ name: "a", resources: { requests: { memory: "8GB!" } } }] } } } };
    expect(() => new StatefulSet(bad).validate()).toThrow(/quantity/);
  });
});
