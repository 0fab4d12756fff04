// `npm run diff` end to end: the base exported from git and rendered by its own render command, the
// working tree rendered in this process, temporary directories gone afterwards.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { diff, parseArgs } from "../../tools/diff";
import { ROOT } from "../../tools/lib/stack-file";

const ours = () => new Set(fs.readdirSync(os.tmpdir()).filter((f) => /^homelab-diff-/.test(f)));

// The base: a repository holding this working tree as one commit, so the comparison does not depend
// on this checkout's history or on what is uncommitted here.
let repo = "";
beforeAll(() => {
  repo = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-diffrepo-"));
  const skip = new Set(["node_modules", ".git", "dist", ".pulumi"]);
  fs.cpSync(ROOT, repo, { recursive: true, filter: (src) => !skip.has(path.basename(src)) });
  const git = (...a: string[]) => execFileSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", ...a], { cwd: repo, stdio: "ignore" });
  git("init", "-q");
  git("add", "-A");
  git("commit", "-qm", "base");
  // A branch where dev's Qdrant asked for less memory: the working tree here raises it back.
  git("checkout", "-q", "-b", "smaller");
  const file = path.join(repo, "Pulumi.dev.yaml");
  const dev = fs.readFileSync(file, "utf8");
  expect(dev).toContain("        memory: 256Mi\n");
  fs.writeFileSync(file, dev.replace("        memory: 256Mi\n", "        memory: 128Mi\n"));
  git("commit", "-qam", "smaller qdrant");
  git("checkout", "-q", "-");
  // A branch whose kit let containers escalate privileges: an invariant every container breaks there.
  git("checkout", "-q", "-b", "unsafe");
  const kit = path.join(repo, "components", "kit", "security.ts");
  const security = fs.readFileSync(kit, "utf8");
  expect(security).toContain("allowPrivilegeEscalation: false,");
  fs.writeFileSync(kit, security.replace("allowPrivilegeEscalation: false,", "allowPrivilegeEscalation: true,"));
  git("commit", "-qam", "unsafe containers");
  git("checkout", "-q", "-");
});
afterAll(() => fs.rmSync(repo, { recursive: true, force: true }));

describe("npm run diff", () => {
  it('against the same program says "no changes", exits 0 and leaves no temporary directory', async () => {
    const before = ours();
    const r = await diff({ stacks: ["dev"], base: "HEAD", format: "text", repo });
    expect(r).toEqual({ code: 0, output: "no changes (dev)" });
    expect([...ours()].filter((f) => !before.has(f))).toEqual([]);
  }, 180_000);

  it("renders the base from the ref, not from the working tree: the one changed field, in Markdown", async () => {
    const r = await diff({ stacks: ["dev"], base: "smaller", format: "markdown", repo });
    expect(r.code).toBe(0);
    expect(r.output).toMatch(/^### Offline render diff against smaller \(`[0-9a-f]{7,}`\)\n\n\*\*dev\*\*: 0 added, 1 changed, 0 removed; dev memory \d+% → \d+%\n/);
    expect(r.output).toContain('~ StatefulSet homelab/qdrant\n    spec.template.spec.containers[name=qdrant].resources.requests.memory: "128Mi" → "256Mi"\n');
  }, 180_000);

  it("reports the invariant violations the change resolves, rendered by both trees' own code", async () => {
    const r = await diff({ stacks: ["dev"], base: "unsafe", format: "markdown", repo });
    expect(r.code).toBe(0);
    const [, resolved] = /\*\*dev\*\*: 0 added, (?:\d+) changed, 0 removed; (\d+) invariant violation\(s\) resolved\n/.exec(r.output) ?? [];
    expect(Number(resolved)).toBeGreaterThan(0);
    expect(r.output).toContain("\nresolved invariant violations:\n");
    expect(r.output).toContain("\n- containers-complete: StatefulSet homelab/qdrant container qdrant: privilege escalation not disabled\n");
    expect(r.output).not.toContain("new invariant violations");
  }, 180_000);

  it("refuses an unknown ref or stack with exit 2, cleaning up", async () => {
    const before = ours();
    expect(await diff({ stacks: ["dev"], base: "no-such-ref-h12", format: "text", repo })).toEqual({ code: 2, output: 'diff: unknown git ref "no-such-ref-h12"' });
    const r = await diff({ stacks: ["nope"], base: "HEAD", format: "text", repo });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/^diff: no stack nope here or at HEAD/);
    expect([...ours()].filter((f) => !before.has(f))).toEqual([]);
  });

  it("parses its arguments", () => {
    expect(parseArgs(["--all", "--format", "markdown", "--base", "origin/main"])).toEqual({ stacks: "all", base: "origin/main", format: "markdown" });
    expect(parseArgs(["--stack", "dev", "--stack", "prod"])).toEqual({ stacks: ["dev", "prod"], base: undefined, format: "text" });
    expect(parseArgs([])).toMatch(/name a stack or --all/);
    expect(parseArgs(["--format", "html", "--all"])).toMatch(/unknown or incomplete argument "--format"/);
  });
});
