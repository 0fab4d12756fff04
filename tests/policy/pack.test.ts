// The policy pack (policy/): what it registers, that it passes every stack's render, and how it turns
// what Pulumi hands a pack into the objects the rules read. Each rule's failing fixture runs through
// the pack in tests/invariants-self.test.ts.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { PACK_NAME, manifestOf, manifestsOf, policies } from "../../policy/pack";
import { OPTION_RULES, RULES } from "../../policy/rules";
import { ROOT, rendered, stackNames } from "../harness";
import { UNKNOWN_STRING, asResources, optionsFrom, runPack, urnOf } from "../lib/policy-runner";

jest.mock("@pulumi/policy", () => ({ PolicyPack: jest.fn() }));

describe("the pack's registration", () => {
  it("policy/index.ts registers one mandatory policy per rule, except the render-only ones, which say why", () => {
    // The constructor starts Pulumi's server: here it is a mock that records what it was given.
    const { PolicyPack } = jest.requireMock("@pulumi/policy") as { PolicyPack: jest.Mock };
    jest.isolateModules(() => require("../../policy"));
    expect(PolicyPack).toHaveBeenCalledTimes(1);
    const [name, args] = PolicyPack.mock.calls[0];
    expect(name).toBe(PACK_NAME);
    expect(args.enforcementLevel).toBe("mandatory");
    const registered = args.policies.map((p: any) => p.name);
    const renderOnly = RULES.filter((r) => r.renderOnly);
    expect(registered).toEqual([...RULES.filter((r) => !r.renderOnly).map((r) => r.name), ...OPTION_RULES.map((r) => r.name)]);
    expect(registered.length + renderOnly.length).toBe(RULES.length + OPTION_RULES.length);
    for (const r of renderOnly) expect(r.renderOnly!.length).toBeGreaterThan(20);
    for (const p of args.policies) {
      const rule = [...RULES, ...OPTION_RULES].find((r) => r.name === p.name)!;
      expect({ name: p.name, level: p.enforcementLevel, description: p.description }).toEqual({ name: rule.name, level: "mandatory", description: rule.description });
      // A resource rule judges each object before it is sent; a stack rule needs them all.
      expect({ name: p.name, resource: typeof p.validateResource, stack: typeof p.validateStack }).toEqual(
        rule.scope === "resource" ? { name: p.name, resource: "function", stack: "undefined" } : { name: p.name, resource: "undefined", stack: "function" },
      );
    }
  });

  it("names are what Pulumi accepts: a valid pack name, unique kebab-case policy names, none called 'all'", () => {
    expect(PACK_NAME).toMatch(/^[a-zA-Z0-9._-]+$/);
    const all = [...RULES, ...OPTION_RULES];
    const names = all.map((r) => r.name);
    expect(new Set(names).size).toBe(names.length);
    for (const n of names) expect(n).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
    expect(names).not.toContain("all");
    expect(new Set(all.map((r) => r.description)).size).toBe(all.length);
  });

  it("is a policy pack Pulumi can load from policy/: PulumiPolicy.yaml (nodejs), a package.json whose main exists, on the root's versions", () => {
    const dir = path.join(ROOT, "policy");
    expect(YAML.parse(fs.readFileSync(path.join(dir, "PulumiPolicy.yaml"), "utf8"))).toMatchObject({ runtime: "nodejs" });
    const pkg = JSON.parse(fs.readFileSync(path.join(dir, "package.json"), "utf8"));
    expect(fs.existsSync(path.join(dir, pkg.main))).toBe(true);
    // The root node_modules serves the pack: the same ranges as the root package.json.
    const root = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
    for (const [dep, range] of Object.entries(pkg.dependencies)) expect({ dep, range }).toEqual({ dep, range: root.dependencies[dep] ?? root.devDependencies[dep] });
  });
});

describe.each(stackNames())("stack %s through the pack", (stack) => {
  it("no policy reports anything on the render", async () => {
    expect(await runPack(rendered(stack).manifests, undefined, optionsFrom(rendered(stack).resources))).toEqual([]);
  });
});

describe("what the pack hands the rules", () => {
  const ms = () => JSON.parse(JSON.stringify(rendered("homelab").manifests));

  it("a Secret's values never reach a rule, only its key names", () => {
    const m = manifestOf({ type: "kubernetes:core/v1:Secret", props: { apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "homelab" }, type: "Opaque", stringData: { password: "hunter2" }, data: { key: "aHVudGVyMg==" } } });
    expect(m).toEqual({ apiVersion: "v1", kind: "Secret", metadata: { name: "db", namespace: "homelab" }, type: "Opaque", stringData: { password: "<redacted>" }, data: { key: "<redacted>" } });
    expect(JSON.stringify(m)).not.toMatch(/hunter2|aHVudGVyMg/);
  });

  it("only Kubernetes objects are rules' business: node commands, random secrets, providers and Helm releases are skipped", () => {
    expect(manifestOf({ type: "command:remote:Command", props: { create: "true" } })).toBeUndefined();
    expect(manifestOf({ type: "random:index/randomPassword:RandomPassword", props: { length: 32 } })).toBeUndefined();
    expect(manifestOf({ type: "pulumi:providers:kubernetes", props: { kubeconfig: "x" } })).toBeUndefined();
    expect(manifestOf({ type: "kubernetes:helm.sh/v3:Release", props: { chart: "x", kind: "Release" } })).toBeUndefined();
    expect(manifestOf({ type: "kubernetes:helm.cattle.io/v1:HelmChart", props: { kind: "HelmChart", metadata: { name: "x" } } })).toEqual({ kind: "HelmChart", metadata: { name: "x" } });
  });

  it("a stack violation is reported on the object it names (the longest matching name), a stack-wide one on the stack", async () => {
    const broken = ms();
    broken.find((m: any) => m.kind === "Service" && m.metadata.name === "postgres-primary").spec.selector = { "app.kubernetes.io/name": "nothing" };
    const svc = broken.find((m: any) => m.kind === "Service" && m.metadata.name === "postgres-primary");
    const reported = await runPack(broken, "service-selects-pods-and-ports");
    expect(reported).toEqual([{ policy: "service-selects-pods-and-ports", message: "Service homelab/postgres-primary selects no workload", urn: urnOf(svc) }]);
    const { urnOf: find } = manifestsOf(asResources(broken));
    // "Service homelab/postgres" is a prefix of the name too: the longer one wins.
    expect(find("Service homelab/postgres-primary selects no workload")).toBe(urnOf(svc));
    expect(find("missing allow: Job homelab/x → StatefulSet homelab/y :5432/TCP")).toBeUndefined();
  });

  it("a value a preview cannot know yet stops the rules that read it (Pulumi reports them advisory for that run), and no other", async () => {
    const unknownImage = ms();
    unknownImage.find((m: any) => m.kind === "StatefulSet" && m.metadata.name === "qdrant").spec.template.spec.containers[0].image = UNKNOWN_STRING;
    await expect(runPack(unknownImage, "containers-complete")).rejects.toThrow(/string value at \.spec\.template\.spec\.containers\.0\.image can't be known during preview/);
    const unknownData = ms();
    const cm = unknownData.find((m: any) => m.kind === "ConfigMap");
    expect(cm).toBeDefined();
    cm.data = Object.fromEntries(Object.keys(cm.data ?? { x: "" }).map((k) => [k, UNKNOWN_STRING]));
    expect(await runPack(unknownData, undefined, optionsFrom(rendered("homelab").resources))).toEqual([]);
  });

  it("policies() leaves nothing out by accident: one per rule that is not render-only, one per options rule", () => {
    expect(policies().map((p) => p.name)).toEqual([...RULES.filter((r) => !r.renderOnly).map((r) => r.name), ...OPTION_RULES.map((r) => r.name)]);
  });
});
