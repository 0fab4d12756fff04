// Invariants over every stack: the outages we promise to catch at preview time. A new component
// is checked the moment it renders anything.
import { isPinnedTag } from "../components/kit";
import { splitConfig, validateRaw } from "../stacks";
import { readStackFile } from "../tools/lib/stack-file";
import { allStacks, stackNames, ofKind, RenderedStack } from "./harness";
import type { Manifest } from "../tools/lib/manifests";

const WORKLOADS = ["Deployment", "StatefulSet", "DaemonSet"];

function workloads(s: RenderedStack): Manifest[] {
  return s.manifests.filter((m) => WORKLOADS.includes(m.kind));
}

function podLabels(w: Manifest): Record<string, string> {
  return w.spec.template.metadata?.labels ?? {};
}

function selects(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.keys(selector).length > 0 && Object.entries(selector).every(([k, v]) => labels[k] === v);
}

function containers(w: Manifest): any[] {
  return w.spec.template.spec.containers ?? [];
}

function id(m: Manifest): string {
  return `${m.kind} ${m.metadata?.namespace ?? ""}/${m.metadata?.name}`;
}

describe.each(stackNames())("stack %s", (stack) => {
  const s = () => allStacks().find((x) => x.stack === stack)!;

  it("renders workloads at all", () => expect(workloads(s()).length).toBeGreaterThan(0));

  it("every workload's selector matches its pod template", () => {
    const bad = workloads(s()).filter((w) => !selects(w.spec.selector?.matchLabels ?? {}, podLabels(w))).map(id);
    expect(bad).toEqual([]);
  });

  it("every Service selects at least one workload, and every targetPort exists on the selected pods", () => {
    const problems: string[] = [];
    const ws = workloads(s());
    for (const svc of ofKind(s(), "Service")) {
      const sel = svc.spec.selector;
      if (!sel) {
        // Selector-less Services must come with endpoints that somebody manages.
        const slices = s().manifests.filter((m) => ["EndpointSlice", "Endpoints"].includes(m.kind) && (m.metadata.labels?.["kubernetes.io/service-name"] === svc.metadata.name || (m.kind === "Endpoints" && m.metadata.name === svc.metadata.name)));
        if (slices.length === 0) problems.push(`${id(svc)} has no selector and no EndpointSlice`);
        continue;
      }
      // Keys the application labels its own pods with at run time (e.g. Patroni's role) are not in the template.
      const runtime = String(svc.metadata.annotations?.["homelab.pesulabs.net/runtime-selector-keys"] ?? "").split(",").filter(Boolean);
      const staticSel = Object.fromEntries(Object.entries<string>(sel).filter(([k]) => !runtime.includes(k)));
      const targets = ws.filter((w) => w.metadata.namespace === svc.metadata.namespace && selects(staticSel, podLabels(w)));
      if (targets.length === 0) problems.push(`${id(svc)} selects no workload`);
      for (const w of targets) {
        const ports = containers(w).flatMap((c) => c.ports ?? []);
        for (const p of svc.spec.ports ?? []) {
          const t = p.targetPort ?? p.port;
          if (!ports.some((cp: any) => cp.name === t || cp.containerPort === t)) problems.push(`${id(svc)} targets port ${t} that ${id(w)} does not have`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it("every container has readiness and liveness probes, CPU/memory requests, a memory limit and a pinned image", () => {
    const problems: string[] = [];
    for (const w of workloads(s())) {
      for (const c of containers(w)) {
        const where = `${id(w)} container ${c.name}`;
        if (!c.readinessProbe) problems.push(`${where}: no readiness probe`);
        if (!c.livenessProbe) problems.push(`${where}: no liveness probe`);
        if (!c.resources?.requests?.cpu || !c.resources?.requests?.memory) problems.push(`${where}: no CPU/memory requests`);
        if (!c.resources?.limits?.memory) problems.push(`${where}: no memory limit`);
      }
      for (const c of [...containers(w), ...(w.spec.template.spec.initContainers ?? [])]) {
        const tag = /:([^:@/]+)(@sha256:[0-9a-f]{64})?$/.exec(c.image)?.[1];
        if (!tag || !isPinnedTag(tag)) problems.push(`${id(w)} container ${c.name}: image ${c.image} is not pinned`);
        if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${id(w)} container ${c.name}: privilege escalation not disabled`);
        if (!c.resources?.limits?.memory) problems.push(`${id(w)} container ${c.name}: no memory limit`);
      }
    }
    expect(problems).toEqual([]);
  });

  it("every PodDisruptionBudget selects pods of a workload", () => {
    const ws = workloads(s());
    const bad = ofKind(s(), "PodDisruptionBudget").filter((p) => !ws.some((w) => w.metadata.namespace === p.metadata.namespace && selects(p.spec.selector?.matchLabels ?? {}, podLabels(w))));
    expect(bad.map(id)).toEqual([]);
  });

  it("stateful workloads with local volumes are pinned to a node or own one node per replica", () => {
    const bad = ofKind(s(), "StatefulSet")
      .filter((w) => (w.spec.volumeClaimTemplates ?? []).length > 0)
      .filter((w) => {
        const pod = w.spec.template.spec;
        const pinned = !!pod.nodeSelector?.["kubernetes.io/hostname"];
        const spread = (pod.affinity?.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution ?? []).length > 0;
        return !pinned && !spread;
      });
    expect(bad.map(id)).toEqual([]);
  });

  it("stateful volumes are retained when the workload is deleted or scaled down", () => {
    const bad = ofKind(s(), "StatefulSet").filter((w) => (w.spec.volumeClaimTemplates ?? []).length > 0 && w.spec.persistentVolumeClaimRetentionPolicy?.whenDeleted !== "Retain");
    expect(bad.map(id)).toEqual([]);
  });

  it("in k3s mode, plan.json lists the install and ready commands of every node", () => {
    const cfg = readStackFile(stack).config;
    if (!String(cfg["homelab:cluster"]).includes('"mode":"k3s"')) return;
    const nodes: { name: string }[] = JSON.parse(cfg["homelab:nodes"]);
    const commands = s().plan.resources.filter((r) => r.type === "command:remote:Command").map((r) => r.name);
    for (const n of nodes) {
      expect(commands).toContain(`cluster-${n.name}-install`);
      expect(commands).toContain(`cluster-${n.name}-ready`);
    }
    expect(commands).toContain("cluster-kubeconfig");
  });

  it("nothing skips Pulumi's readiness await (a CrashLoopBackOff must fail the deploy)", () => {
    const bad = s().manifests.filter((m) => m.metadata?.annotations?.["pulumi.com/skipAwait"] === "true");
    expect(bad.map(id)).toEqual([]);
  });

  it("every Kubernetes resource goes through the cluster's provider", () => {
    // The one provider, made by the K3sCluster component from the kubeconfig it read back (or was given).
    const providers = new Set(s().resources.filter((r) => r.type === "pulumi:providers:kubernetes").map((r) => r.name));
    expect([...providers]).toEqual(["cluster-provider"]);
    const bad = s().resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom && !(r.provider && [...providers].some((p) => r.provider!.includes(`::${p}::`))));
    expect(bad.map((r) => `${r.type} ${r.name}`)).toEqual([]);
  });

  it("generated secrets are never written into a pod spec as literal values", () => {
    const leaks: string[] = [];
    for (const w of workloads(s())) {
      for (const c of containers(w)) for (const e of c.env ?? []) if (typeof e.value === "string" && e.value.includes("mock-")) leaks.push(`${id(w)} ${c.name} ${e.name}`);
    }
    for (const sec of ofKind(s(), "Secret")) for (const v of Object.values<string>(sec.stringData ?? {})) if (v !== "<redacted>") leaks.push(id(sec));
    expect(leaks).toEqual([]);
  });

  it("the rendered placement agrees with the capacity check validation ran before deploy", () => {
    const v = validateRaw(stack, splitConfig(readStackFile(stack).config), { requireSecrets: false });
    const expected = Object.fromEntries(v.schedule.nodes.map((n) => [n.node, n.pods]));
    const actual = Object.fromEntries(s().plan.nodes.map((n) => [n.node, n.pods]));
    expect(actual).toEqual(expected);
    for (const n of s().plan.nodes) expect(n.memoryRequestPercent).toBeLessThanOrEqual(100);
  });
});
