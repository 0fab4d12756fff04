// The GitHub workflows: they parse, every npm script they run exists, every action is pinned, and
// their stack matrices name only stacks that exist.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { ROOT, listStacks } from "../../tools/lib/stack-file";

const DIR = path.join(ROOT, ".github", "workflows");
const files = fs.readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f)).sort();
/** The workflows that run the program (test, diff, preview, up), as opposed to the Mem0 image build. */
const pipelines = ["deploy.yml", "preview.yml"];
const text = (f: string) => fs.readFileSync(path.join(DIR, f), "utf8");
const parse = (f: string) => YAML.parse(text(f), { strict: true, uniqueKeys: true });

interface Step {
  uses?: string;
  run?: string;
}
const steps = (wf: any): Step[] => Object.values<any>(wf.jobs ?? {}).flatMap((j) => j.steps ?? []);

/** Scripts an `npm …` command line runs: `npm test`, `npm run [-s] name`, `npm run-script name`. */
export function npmScripts(run: string): string[] {
  const out: string[] = [];
  for (const m of run.matchAll(/\bnpm\s+(?:(test|t)\b|(?:run|run-script)\s+(?:(?:-s|--silent)\s+)?([\w:.-]+))/g)) out.push(m[1] ? "test" : m[2]);
  return out;
}

/** `owner/repo[/path]@<40-hex sha>` or an exact `@vX.Y.Z`; local actions (`./…`) need no pin. */
export function isPinned(uses: string): boolean {
  return uses.startsWith("./") || /^[\w.-]+\/[\w./-]+@([0-9a-f]{40}|v\d+\.\d+\.\d+)$/.test(uses);
}

describe("workflows", () => {
  it("are the preview and deploy workflows, and the Mem0 image build", () => {
    expect(files).toEqual(["deploy.yml", "mem0-image.yml", "preview.yml"]);
  });

  it("the Mem0 image workflow builds the release every stack that runs Mem0 names", () => {
    const release = parse("mem0-image.yml").env.MEM0_RELEASE;
    expect(release).toMatch(/^v\d+\.\d+\.\d+$/);
    const named = listStacks()
      .map((s) => YAML.parse(fs.readFileSync(path.join(ROOT, `Pulumi.${s}.yaml`), "utf8")).config?.["homelab:workloads"]?.mem0)
      .filter((m) => m?.enabled);
    expect(named.length).toBeGreaterThan(0);
    for (const m of named) {
      expect(m.image.tag).toBe(release);
      expect(m.image.repository).toMatch(/^ghcr\.io\/[a-z0-9-]+\/mem0-server$/);
    }
  });

  it.each(files)("%s parses, with triggers and jobs", (f) => {
    const wf = parse(f);
    expect(wf.on).toBeDefined();
    expect(Object.keys(wf.jobs).length).toBeGreaterThan(0);
    for (const s of steps(wf)) expect(Boolean(s.uses) !== Boolean(s.run)).toBe(true);
  });

  it.each(pipelines)("%s runs only npm scripts that exist in package.json", (f) => {
    const scripts = Object.keys(JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).scripts);
    const called = steps(parse(f)).flatMap((s) => (s.run ? npmScripts(s.run) : []));
    expect(called.length).toBeGreaterThan(0);
    expect(called.filter((s) => !scripts.includes(s))).toEqual([]);
  });

  it.each(files)("%s pins every action by commit SHA or exact version, with the version beside a SHA", (f) => {
    const uses = steps(parse(f)).flatMap((s) => (s.uses ? [s.uses] : []));
    if (pipelines.includes(f)) expect(uses.length).toBeGreaterThan(0);
    expect(uses.filter((u) => !isPinned(u))).toEqual([]);
    // Renovate (helpers:pinGitHubActionDigests) and reviewers read the version from the comment.
    for (const line of text(f).split("\n").filter((l) => /uses:\s*\S+@[0-9a-f]{40}/.test(l))) expect(line).toMatch(/@[0-9a-f]{40} # v\d+(\.\d+){0,2}$/);
  });

  it.each(pipelines)("%s names only stacks that exist in its matrices", (f) => {
    const matrices = Object.values<any>(parse(f).jobs).flatMap((j) => (j.strategy?.matrix?.stack ? [j.strategy.matrix.stack] : []));
    expect(matrices.length).toBeGreaterThan(0);
    for (const m of matrices) {
      expect(m.length).toBeGreaterThan(0);
      expect(m.filter((s: string) => !listStacks().includes(s))).toEqual([]);
    }
  });

  it("preview comments once per pull request (a sticky comment) and previews for real only behind the secrets gate", () => {
    const wf = parse("preview.yml");
    const sticky = steps(wf).filter((s) => s.uses?.startsWith("marocchino/sticky-pull-request-comment@"));
    expect(sticky).toHaveLength(1);
    expect(wf.jobs.live.if).toContain("needs.gate.outputs.live == 'true'");
    expect(wf.jobs.live.steps.find((s: any) => s.uses?.startsWith("pulumi/actions@")).with).toMatchObject({ command: "preview", "comment-on-pr": true, "edit-pr-comment": true });
    expect(wf.jobs.offline.steps.some((s: any) => /npm run -s diff -- --all .*--format markdown/.test(s.run ?? ""))).toBe(true);
  });

  it("the real preview runs the policy pack, from a directory that is one", () => {
    const preview = parse("preview.yml").jobs.live.steps.find((s: any) => s.uses?.startsWith("pulumi/actions@"));
    const packs = String(preview.with.policyPacks ?? "").split("\n").filter(Boolean);
    expect(packs).toEqual(["policy"]);
    for (const p of packs) expect(fs.existsSync(path.join(ROOT, p, "PulumiPolicy.yaml"))).toBe(true);
  });

  it("deploy runs pulumi up per stack behind the stack's environment", () => {
    const up = parse("deploy.yml").jobs.up;
    expect(up.environment).toBe("${{ matrix.stack }}");
    expect(up.steps.find((s: any) => s.uses?.startsWith("pulumi/actions@")).with).toMatchObject({ command: "up", "stack-name": "${{ matrix.stack }}" });
  });
});

describe("the checks themselves", () => {
  it("find scripts and refuse floating pins", () => {
    expect(npmScripts("npm ci && npm test && npm run -s diff -- --all; npm run-script bench")).toEqual(["test", "diff", "bench"]);
    expect(isPinned("actions/checkout@v5")).toBe(false);
    expect(isPinned("actions/checkout@main")).toBe(false);
    expect(isPinned("actions/checkout@v5.0.0")).toBe(true);
    expect(isPinned("actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8")).toBe(true);
  });
});
