// Invariants over every stack: the outages we promise to catch at preview time. A new component
// is checked the moment it renders anything.
import { splitConfig, validateRaw } from "../stacks";
import { clusterArgs } from "../stacks/cluster";
import { readStackFile } from "../tools/lib/stack-file";
import { allStacks, stackNames } from "./harness";
import { ALL_INVARIANTS, workloads } from "./lib/invariants";

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

  it("every StatefulSet and Job is awaited long enough for a cold start (the provider's default is 10 minutes)", () => {
    const minutes = (kind: string, name: string) => {
      const r = s().resources.find((x) => x.type === kind && x.name === name);
      return Number(/^(\d+)m$/.exec(r?.options?.customTimeouts?.create ?? "")?.[1] ?? 10);
    };
    const window = (p: any) => (p ? (p.initialDelaySeconds ?? 0) + (p.periodSeconds ?? 10) * (p.failureThreshold ?? 3) : 0);
    const PULL_SECONDS = 600;
    for (const sts of s().manifests.filter((m) => m.kind === "StatefulSet")) {
      const start = Math.max(...sts.spec.template.spec.containers.map((c: any) => window(c.startupProbe) + window(c.readinessProbe)));
      // OrderedReady: members one after another, each pulling its image on its own node.
      expect(minutes("kubernetes:apps/v1:StatefulSet", sts.metadata.name) * 60).toBeGreaterThanOrEqual(sts.spec.replicas * (PULL_SECONDS + start));
    }
    for (const job of s().manifests.filter((m) => m.kind === "Job")) {
      expect(job.spec.activeDeadlineSeconds).toBeGreaterThan(0);
      expect(minutes("kubernetes:batch/v1:Job", job.metadata.name) * 60).toBeGreaterThan(job.spec.activeDeadlineSeconds);
    }
  });

  it("stateful data cannot be deleted by a config change: StatefulSets with volumes and their namespace are protected", () => {
    const opts = (kind: string, name: string) => s().resources.find((x) => x.type === kind && x.name === name)?.options;
    const stateful = s().manifests.filter((m) => m.kind === "StatefulSet" && (m.spec.volumeClaimTemplates ?? []).length > 0);
    expect(stateful.length).toBeGreaterThan(0);
    for (const sts of stateful) {
      expect({ sts: sts.metadata.name, protect: opts("kubernetes:apps/v1:StatefulSet", sts.metadata.name)?.protect }).toEqual({ sts: sts.metadata.name, protect: true });
      // Deleting the namespace deletes the claims: when the program owns it, it is protected too.
      const ns = s().manifests.find((m) => m.kind === "Namespace" && m.metadata.name === sts.metadata.namespace);
      if (ns) expect({ ns: ns.metadata.name, protect: opts("kubernetes:core/v1:Namespace", ns.metadata.name)?.protect }).toEqual({ ns: ns.metadata.name, protect: true });
    }
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
