// What the tests see of each stack: the resources the real program registered under the mock
// runtime (rendered once by tests/global-setup.ts), its manifests and its plan.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import type { RecordedResource } from "../tools/lib/mock-runtime";
import type { Manifest } from "../tools/lib/manifests";
import type { Plan } from "../tools/render";

export const ROOT = path.resolve(__dirname, "..");

export interface RenderedStack {
  readonly stack: string;
  readonly resources: RecordedResource[];
  readonly manifests: Manifest[];
  readonly plan: Plan;
}

export function stackNames(): string[] {
  return fs.readdirSync(ROOT).map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1]).filter((s): s is string => !!s).sort();
}

const cache = new Map<string, RenderedStack>();

/**
 * Without tests/global-setup.ts (the mutation run's jest config leaves it out, so a mutant whose
 * tests never read a render does not pay for one), the first test that needs the stacks renders them.
 */
function renderOnDemand(): string {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-render-"));
  try {
    execFileSync(process.execPath, ["-r", path.join(ROOT, "tools", "lib", "ts-loader.js"), path.join(ROOT, "tools", "render.ts"), "--out", out, "--dump", ...stackNames().flatMap((s) => ["--stack", s])], {
      cwd: ROOT,
      stdio: ["ignore", "ignore", "inherit"],
    });
  } catch (e) {
    fs.rmSync(out, { recursive: true, force: true });
    throw e;
  }
  return out;
}

/**
 * Under the mutation run the render child inherits Stryker's active mutant (the jest runner sets
 * __STRYKER_ACTIVE_MUTANT__ in the environment), so each mutant gets a render of its own code, not the
 * render of the unmutated code that an earlier run in the same worker left behind. Jest gives every
 * test file its own modules and environment, so the render is kept on disk for the other test files
 * of the same mutant's run: one directory per runner process (a runner runs one mutant at a time, in
 * band), holding the current mutant's render only.
 */
function mutantRenderDir(mutant: string): string {
  const runner = path.join(os.tmpdir(), `homelab-mutants-${process.pid}-${path.basename(ROOT)}`);
  const dir = path.join(runner, mutant.replace(/[^A-Za-z0-9_-]/g, "_"));
  if (fs.existsSync(dir)) return dir;
  const out = renderOnDemand();
  fs.rmSync(runner, { recursive: true, force: true });
  fs.mkdirSync(runner, { recursive: true });
  // A complete render arrives in one rename: a directory under that name is always whole.
  fs.renameSync(out, dir);
  return dir;
}

/** The directory holding every stack's render. */
export function renderDir(): string {
  const mutant = process.env.__STRYKER_ACTIVE_MUTANT__;
  if (mutant === undefined) return (process.env.HOMELAB_RENDER_DIR ??= renderOnDemand());
  return mutantRenderDir(mutant);
}

export function rendered(stack: string): RenderedStack {
  const dir = renderDir();
  const hit = cache.get(`${dir}/${stack}`);
  if (hit) return hit;
  const d = path.join(dir, stack);
  const r: RenderedStack = {
    stack,
    resources: JSON.parse(fs.readFileSync(path.join(d, "resources.json"), "utf8")),
    manifests: YAML.parseAllDocuments(fs.readFileSync(path.join(d, "manifests.yaml"), "utf8")).map((doc) => doc.toJSON()),
    plan: JSON.parse(fs.readFileSync(path.join(d, "plan.json"), "utf8")),
  };
  cache.set(`${dir}/${stack}`, r);
  return r;
}

export function allStacks(): RenderedStack[] {
  return stackNames().map(rendered);
}

export function ofKind(s: RenderedStack, kind: string): Manifest[] {
  return s.manifests.filter((m) => m.kind === kind);
}
