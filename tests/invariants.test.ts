// Invariants over every stack: the outages we promise to catch at preview time. A new component
// is checked the moment it renders anything.
import { splitConfig, validateRaw } from "../stacks";
import { clusterArgs } from "../stacks/cluster";
import { readStackFile } from "../tools/lib/stack-file";
import { allStacks, stackNames } from "./harness";
import { ALL_INVARIANTS, workloads } from "./lib/invariants";
import { awaitedLongEnough, registeredOf, statefulDataProtected } from "../policy/rules/options";

describe.each(stackNames())("stack %s", (stack) => {
  const s = () => allStacks().find((x) => x.stack === stack)!;

  it("renders workloads at all", () => expect(workloads(s().manifests).length).toBeGreaterThan(0));

  it.each(Object.entries(ALL_INVARIANTS))("%s", (_name, check) => {
    expect(check(s().manifests)).toEqual([]);
  });

  // The mode as the program reads it (defaults applied), so a stack relying on the default is checked too.
  const loaded = () => validateRaw(stack, splitConfig(readStackFile(stack).config), { requireSecrets: false });
  const commands = () => s().plan.resources.filter((r) => r.type === "command:remote:Command").map((r) => r.name);

  it("k3s mode: plan.json lists the install and ready commands of every node; existing mode: no node command at all", () => {
    const { config } = loaded();
    if (config.cluster.mode === "k3s") {
      for (const n of config.nodes) {
        expect(commands()).toContain(`cluster-${n.name}-install`);
        expect(commands()).toContain(`cluster-${n.name}-ready`);
      }
      expect(commands()).toContain("cluster-kubeconfig");
    } else {
      expect(config.cluster.mode).toBe("existing");
      expect(commands()).toEqual([]);
    }
  });

  // The rules live in policy/rules/options.ts (also policies of the pack): here on the options the render recorded.
  it("every StatefulSet and Job is awaited long enough for a cold start (the provider's default is 10 minutes)", () => {
    expect(awaitedLongEnough(registeredOf(s().resources))).toEqual([]);
  });

  it("stateful data cannot be deleted by a config change: StatefulSets with volumes and their namespace are protected", () => {
    const stateful = s().manifests.filter((m) => m.kind === "StatefulSet" && (m.spec.volumeClaimTemplates ?? []).length > 0);
    expect(stateful.length).toBeGreaterThan(0);
    expect(statefulDataProtected(registeredOf(s().resources))).toEqual([]);
  });

  it("every Kubernetes resource goes through the cluster's provider", () => {
    // The one provider, made by the K3sCluster component from the kubeconfig it read back (or was given).
    const providers = new Set(s().resources.filter((r) => r.type === "pulumi:providers:kubernetes").map((r) => r.name));
    expect([...providers]).toEqual(["cluster-provider"]);
    const bad = s().resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom && !(r.provider && [...providers].some((p) => r.provider!.includes(`::${p}::`))));
    expect(bad.map((r) => `${r.type} ${r.name}`)).toEqual([]);
  });

  // Render and validation run the same scheduler, so this proves they were fed the same pods, not that
  // the capacity arithmetic is right: tests/stacks/capacity.test.ts checks that on hand-worked numbers.
  it("the rendered placement agrees with the capacity check validation ran before deploy", () => {
    const v = loaded();
    const expected = Object.fromEntries(v.schedule.nodes.map((n) => [n.node, n.pods]));
    const actual = Object.fromEntries(s().plan.nodes.map((n) => [n.node, n.pods]));
    expect(actual).toEqual(expected);
    for (const n of s().plan.nodes) expect(n.memoryRequestPercent).toBeLessThanOrEqual(100);
  });

  it("every pod the plan puts on a node is allowed there by its rendered nodeSelector and the node's registered labels", () => {
    const { config } = loaded();
    const args = clusterArgs(config, {});
    const labels = (node: string): Record<string, string> => ({
      "kubernetes.io/hostname": node,
      ...(args.nodes ? args.nodes.find((n) => n.name === node)!.labels : args.nodeLabels?.[node]),
    });
    const selectorOf = new Map(workloads(s().manifests).map((w) => [w.metadata.name, w.spec.template.spec.nodeSelector ?? {}]));
    for (const n of s().plan.nodes) {
      for (const pod of n.pods) {
        // Traefik's pods come from k3s's chart, not from a rendered workload.
        const workload = selectorOf.has(pod) ? pod : pod.replace(/-\d+$/, "");
        if (!selectorOf.has(workload)) continue;
        const misfit = Object.entries(selectorOf.get(workload)!).filter(([k, v]) => labels(n.node)[k] !== v);
        expect({ pod, node: n.node, misfit }).toEqual({ pod, node: n.node, misfit: [] });
      }
    }
  });
});
