// The semantic diff behind `npm run diff`, on the real renders of the stacks (tests/global-setup.ts)
// and on one more render made here with a changed config.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { render } from "../../tools/render";
import { MARKDOWN_LIMIT, formatMarkdown, formatText, summaryLine } from "../../tools/lib/diff-report";
import { RenderSnapshot, diffRenders, failedStack, isUnchanged, resourceId, violationsOf } from "../../tools/lib/semantic-diff";
import { stackFilePath } from "../../tools/lib/stack-file";
import { rendered } from "../harness";

function snapshot(stack: string): RenderSnapshot {
  const r = rendered(stack);
  // A deep copy: tests change it.
  return JSON.parse(JSON.stringify({ stack, resources: r.resources, plan: r.plan }));
}

function find(s: RenderSnapshot, kind: string, name: string) {
  const r = s.resources.find((x) => x.inputs?.kind === kind && x.inputs?.metadata?.name === name);
  if (!r) throw new Error(`no ${kind} ${name} in ${s.stack}`);
  return r;
}

describe("diff of two renders", () => {
  it("shows exactly the one field when one replica count changes", () => {
    const before = snapshot("homelab");
    const after = snapshot("homelab");
    const sts = after.resources.find((r) => r.inputs?.kind === "StatefulSet")!;
    const was = sts.inputs.spec.replicas;
    sts.inputs.spec.replicas = was + 1;
    // As the program does: more members, a longer await (else the await rule reports it, as it should).
    (sts as { options?: object }).options = { ...sts.options, customTimeouts: { create: "600m", update: "600m" } };
    const d = diffRenders(before, after);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.changed).toEqual([{ id: resourceId(sts), fields: [{ path: "spec.replicas", old: was, new: was + 1 }] }]);
    expect(formatText([d])).toContain(`    spec.replicas: ${was} → ${was + 1}`);
    expect(summaryLine(d)).toBe("homelab: 0 added, 1 changed, 0 removed");
  });

  it("names containers by name in paths, and compares YAML inside strings field by field", () => {
    const before = snapshot("homelab");
    const after = snapshot("homelab");
    const qdrant = find(after, "StatefulSet", "qdrant");
    const c = qdrant.inputs.spec.template.spec.containers.find((x: { name: string }) => x.name === "qdrant");
    const oldImage = c.image;
    c.image = "docker.io/qdrant/qdrant:v9.9.9";
    const hcc = find(after, "HelmChartConfig", "traefik");
    const values = YAML.parse(hcc.inputs.spec.valuesContent);
    const cpu = values.resources.requests.cpu;
    values.resources.requests.cpu = "999m";
    hcc.inputs.spec.valuesContent = YAML.stringify(values);
    const fields = Object.fromEntries(diffRenders(before, after).changed.map((x) => [x.id, x.fields]));
    expect(fields[resourceId(qdrant)]).toEqual([{ path: "spec.template.spec.containers[name=qdrant].image", old: oldImage, new: "docker.io/qdrant/qdrant:v9.9.9" }]);
    expect(fields[resourceId(hcc)]).toEqual([{ path: "spec.valuesContent|resources.requests.cpu", old: cpu, new: "999m" }]);
  });

  it("shows an enabled component's resources as added, and the node it lands on", () => {
    const after = snapshot("homelab");
    const full = snapshot("homelab");
    const isQdrant = (r: RenderSnapshot["resources"][number]) => JSON.stringify(r.inputs?.metadata?.labels ?? {}).includes('"app.kubernetes.io/name":"qdrant"') || /qdrant/.test(r.name);
    const qdrantIds = after.resources.filter(isQdrant).map(resourceId);
    const before: RenderSnapshot = { ...full, resources: full.resources.filter((r) => !isQdrant(r)) };
    const asuna = before.plan.nodes.find((n) => n.node === "asuna")!;
    (asuna as { memoryRequestPercent: number }).memoryRequestPercent -= 7;
    (asuna as { pods: string[] }).pods = asuna.pods.filter((p) => !p.includes("qdrant"));

    const d = diffRenders(before, after);
    expect(qdrantIds).toEqual(expect.arrayContaining(["StatefulSet homelab/qdrant", "Service homelab/qdrant"]));
    expect(d.added.sort()).toEqual([...qdrantIds].sort());
    expect(d.changed).toEqual([]);
    expect(d.removed).toEqual([]);
    const now = after.plan.nodes.find((n) => n.node === "asuna")!.memoryRequestPercent;
    // Without Qdrant, its consumers (Mem0, the Family Assistant) named a Service that was not there: the change resolves that.
    expect(d.resolvedViolations.length).toBeGreaterThan(0);
    expect(d.newViolations).toEqual([]);
    expect(summaryLine(d)).toBe(`homelab: ${qdrantIds.length} added, 0 changed, 0 removed; asuna memory ${now - 7}% → ${now}%; ${d.resolvedViolations.length} invariant violation(s) resolved`);
    expect(formatText([d])).toContain("+ StatefulSet homelab/qdrant");
  });

  it("names a changed Secret's keys and never shows a value", () => {
    const before = snapshot("homelab");
    const after = snapshot("homelab");
    const base = find(before, "Secret", before.resources.find((r) => r.inputs?.kind === "Secret")!.inputs.metadata.name);
    const head = find(after, "Secret", base.inputs.metadata.name);
    base.inputs.stringData = { password: "old-pass-1234", username: "app" };
    base.inputs.data = { "ca.crt": Buffer.from("old-ca").toString("base64") };
    head.inputs.stringData = { password: "new-pass-5678", username: "app", host: "db.internal" };
    head.inputs.data = {};
    const d = diffRenders(before, after);
    expect(d.changed).toEqual([
      {
        id: resourceId(head),
        fields: [
          { path: 'data["ca.crt"]', secret: "removed" },
          { path: "stringData.host", secret: "added" },
          { path: "stringData.password", secret: "changed" },
        ],
      },
    ]);
    for (const out of [formatText([d]), formatMarkdown([d], "main"), JSON.stringify(d)]) {
      expect(out).toContain("stringData.password");
      for (const value of ["old-pass-1234", "new-pass-5678", "db.internal", Buffer.from("old-ca").toString("base64")]) expect(out).not.toContain(value);
    }
  });

  it('prints "no changes" when nothing changed', () => {
    const d = ["dev", "homelab", "prod"].map((s) => diffRenders(snapshot(s), snapshot(s)));
    expect(d.every(isUnchanged)).toBe(true);
    expect(formatText(d)).toBe("no changes (dev, homelab, prod)");
    expect(formatMarkdown(d, "main = abc1234")).toMatch(/\nno changes \(dev, homelab, prod\)$/);
  });

  it("shows a change that breaks an invariant as a new violation, and the fix as resolved, in text and Markdown", () => {
    const healthy = snapshot("homelab");
    const unsafe = snapshot("homelab");
    const qdrant = find(unsafe, "StatefulSet", "qdrant");
    delete qdrant.inputs.spec.template.spec.containers.find((c: { name: string }) => c.name === "qdrant").readinessProbe;
    const violation = "containers-complete: StatefulSet homelab/qdrant container qdrant: no readiness probe";

    const breaks = diffRenders(healthy, unsafe);
    expect(breaks.newViolations).toEqual([violation]);
    expect(breaks.resolvedViolations).toEqual([]);
    expect(summaryLine(breaks)).toBe("homelab: 0 added, 1 changed, 0 removed; 1 new invariant violation(s)");
    expect(formatText([breaks])).toContain(`  new invariant violations:\n  + ${violation}`);
    const md = formatMarkdown([breaks], "main");
    expect(md).toContain("**homelab**: 0 added, 1 changed, 0 removed; 1 new invariant violation(s)");
    expect(md).toContain(`new invariant violations:\n+ ${violation}\n`);

    const fixes = diffRenders(unsafe, healthy);
    expect(fixes.newViolations).toEqual([]);
    expect(fixes.resolvedViolations).toEqual([violation]);
    expect(summaryLine(fixes)).toBe("homelab: 0 added, 1 changed, 0 removed; 1 invariant violation(s) resolved");
    expect(formatText([fixes])).toContain(`  resolved invariant violations:\n  - ${violation}`);
  });

  it("shows a change that only drops a resource option as a new violation (protect is not part of the object)", () => {
    const before = snapshot("homelab");
    const after = snapshot("homelab");
    const qdrant = find(after, "StatefulSet", "qdrant") as RenderSnapshot["resources"][number];
    expect(qdrant.options?.protect).toBe(true);
    (qdrant as { options?: object }).options = { ...qdrant.options, protect: false };
    const d = diffRenders(before, after);
    expect(d.changed).toEqual([]);
    expect(d.newViolations).toEqual(["stateful-data-protected: StatefulSet homelab/qdrant holds volumes but is not protected (a config change could delete or replace it)"]);
    expect(summaryLine(d)).toBe("homelab: 0 added, 0 changed, 0 removed; 1 new invariant violation(s)");
  });

  it("judges violations on what the render writes: a Secret's values are never part of one, and an unchanged broken stack reports nothing new", () => {
    const unsafe = snapshot("dev");
    find(unsafe, "StatefulSet", "qdrant").inputs.spec.template.spec.securityContext = {};
    const d = diffRenders(unsafe, JSON.parse(JSON.stringify(unsafe)));
    expect(isUnchanged(d)).toBe(true);
    expect(violationsOf(unsafe.resources)).toEqual(["pod-seccomp-runtime-default: StatefulSet homelab/qdrant: pod without the RuntimeDefault seccomp profile"]);
    const leaky = snapshot("dev");
    const secret = leaky.resources.find((r) => r.inputs?.kind === "Secret")!;
    secret.inputs.stringData = { password: "hunter2-value" };
    expect(violationsOf(leaky.resources)).toEqual([]);
  });

  it("folds each stack's details under its summary line in Markdown", () => {
    const before = snapshot("dev");
    const after = snapshot("dev");
    const qdrant = find(after, "StatefulSet", "qdrant") as RenderSnapshot["resources"][number] & { options?: object };
    qdrant.inputs.spec.replicas = 2;
    qdrant.options = { ...qdrant.options, customTimeouts: { create: "600m", update: "600m" } };
    const md = formatMarkdown([diffRenders(before, after), diffRenders(snapshot("prod"), snapshot("prod"))], "main");
    expect(md).toContain("**dev**: 0 added, 1 changed, 0 removed");
    expect(md).toContain("**prod**: no changes");
    expect(md).toMatch(/<details><summary>details<\/summary>\n\n```diff\n~ StatefulSet homelab\/qdrant\n {4}spec\.replicas: 1 → 2\n```\n\n<\/details>/);
  });

  it("keeps a Markdown comment under GitHub's size limit by summarising the stacks that do not fit", () => {
    const big = (stack: string): RenderSnapshot => ({
      stack,
      resources: Array.from({ length: 1500 }, (_, i) => ({ type: "kubernetes:core/v1:ConfigMap", name: `cm-${i}`, inputs: { kind: "ConfigMap", metadata: { name: `config-map-number-${i}`, namespace: "homelab" } } })),
      plan: { nodes: [], warnings: [] },
    });
    const empty = (stack: string): RenderSnapshot => ({ ...big(stack), resources: [] });
    const md = formatMarkdown(["dev", "homelab", "prod"].map((s) => diffRenders(empty(s), big(s))), "main");
    expect(md.length).toBeLessThan(MARKDOWN_LIMIT);
    expect(md).toContain("**dev**: 1500 added, 0 changed, 0 removed");
    expect(md).toContain("**prod**: 1500 added, 0 changed, 0 removed\n\n(details too long for a comment: run `npm run diff -- --stack prod` locally)");
    // Every fence that opens also closes.
    expect((md.match(/^```/gm) ?? []).length % 2).toBe(0);
  });

  it("reports a stack whose working tree does not render by its error alone", () => {
    const d = failedStack("homelab", 'render: homelab:nodes[0].memory: "lots" is not a valid quantity');
    expect(isUnchanged(d)).toBe(false);
    expect(formatText([d, diffRenders(snapshot("dev"), snapshot("dev"))])).toBe(
      ["homelab: does not render in this change", '  ! render: homelab:nodes[0].memory: "lots" is not a valid quantity', "", "dev: no changes"].join("\n"),
    );
  });
});

describe("diff of two real renders", () => {
  let dir = "";
  beforeAll(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-diff-test-"))));
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("a raised memory request changes that field and moves the node's memory share", async () => {
    const cfg = YAML.parseDocument(fs.readFileSync(stackFilePath("dev"), "utf8"));
    // A small raise: dev's one node is nearly full (a larger one fails the capacity check, as it should).
    cfg.setIn(["config", "homelab:workloads", "qdrant", "resources", "memory"], "320Mi");
    const file = path.join(dir, "Pulumi.dev.yaml");
    fs.writeFileSync(file, cfg.toString());
    expect(await render({ stack: "dev", out: dir, dump: true, quiet: true, configFile: file })).toBe(0);
    const after: RenderSnapshot = {
      stack: "dev",
      resources: JSON.parse(fs.readFileSync(path.join(dir, "dev", "resources.json"), "utf8")),
      plan: JSON.parse(fs.readFileSync(path.join(dir, "dev", "plan.json"), "utf8")),
    };
    const d = diffRenders(snapshot("dev"), after);
    expect(d.added).toEqual([]);
    expect(d.removed).toEqual([]);
    expect(d.changed.map((c) => [c.id, c.fields.map((f) => `${f.path}: ${f.old} → ${f.new}`)])).toEqual([
      ["StatefulSet homelab/qdrant", ["spec.template.spec.containers[name=qdrant].resources.requests.memory: 256Mi → 320Mi"]],
    ]);
    expect(summaryLine(d)).toMatch(/^dev: 0 added, 1 changed, 0 removed; dev memory (\d+)% → (\d+)%$/);
    const [, from, to] = /memory (\d+)% → (\d+)%/.exec(summaryLine(d))!;
    expect(Number(to)).toBeGreaterThan(Number(from));
  });
});
