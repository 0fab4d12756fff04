// `npm run diff -- --stack <name>|--all [--base <git-ref>] [--format text|markdown]`: renders each
// stack at the base (default: the merge base with main) and in the working tree, and prints what a
// deploy of this change would add, remove and change, how each node's capacity moves, and which
// warnings appear or go away. Offline, like render: no Pulumi CLI, no cluster, no secret values.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { render } from "./render";
import { BaseTree, defaultBase, exportTree } from "./lib/base-tree";
import { formatMarkdown, formatText } from "./lib/diff-report";
import { RenderSnapshot, StackDiff, diffRenders, failedStack } from "./lib/semantic-diff";
import { ROOT, listStacks } from "./lib/stack-file";
import { unwrapSecrets } from "./lib/mock-runtime";
import { TS_LOADER } from "./lib/node-ts";

export interface DiffOptions {
  readonly stacks: readonly string[] | "all";
  /** Default: the merge base of HEAD with main. */
  readonly base?: string;
  readonly format: "text" | "markdown";
  /** The git repository the base is taken from. Default: this checkout. */
  readonly repo?: string;
}

export interface DiffResult {
  /** 0: compared (with or without changes); 1: the working tree does not render; 2: usage. */
  readonly code: number;
  readonly output: string;
}

/** Temporary directories of diffs in flight, removed even when the user interrupts. */
const pending = new Set<() => void>();

const EMPTY = (stack: string): RenderSnapshot => ({ stack, resources: [], plan: { nodes: [], warnings: [] } });

function readSnapshot(dir: string, stack: string): RenderSnapshot | undefined {
  const d = path.join(dir, stack);
  if (!fs.existsSync(path.join(d, "resources.json"))) return undefined;
  return {
    stack,
    // Older renders kept the SDK's secret markers in resources.json: compare what they wrap. Values
    // here are never real secrets (render runs without the passphrase: mock or "[secret]").
    resources: unwrapSecrets(JSON.parse(fs.readFileSync(path.join(d, "resources.json"), "utf8"))),
    plan: JSON.parse(fs.readFileSync(path.join(d, "plan.json"), "utf8")),
  };
}

function tail(s: string, lines = 8): string {
  return s.trim().split("\n").slice(-lines).join("\n");
}

/**
 * Runs `work` with console.log and console.error collected instead of printed; returns what it
 * printed on console.error with its result.
 */
async function quietly<T>(work: () => Promise<T>): Promise<{ result?: T; errors: string; thrown?: unknown }> {
  const errors: string[] = [];
  const { log, error } = console;
  console.log = () => undefined;
  console.error = (...a: unknown[]) => void errors.push(a.map((x) => (x instanceof Error ? x.stack ?? x.message : String(x))).join(" "));
  try {
    return { result: await work(), errors: errors.join("\n") };
  } catch (e) {
    return { errors: errors.join("\n"), thrown: e };
  } finally {
    console.log = log;
    console.error = error;
  }
}

/**
 * Renders `stacks` with the base tree's own render code (its tools/render.ts `main`), in this
 * process: the base's TypeScript loads through the same loader as ours (ts-loader.js, which
 * `npm run diff` starts with; jest's transform under the tests), and its imports of the SDK resolve
 * through the node_modules link to the copy this process has loaded already, so the SDK starts once
 * for all the renders of a diff. Returns the error output; never rejects.
 */
async function renderBase(base: BaseTree, stacks: readonly string[], out: string): Promise<string> {
  if (!stacks.length) return "";
  const file = path.join(base.dir, "tools", "render.ts");
  const r = await quietly(async () => {
    if (require.extensions && !require.extensions[".ts"]) require(TS_LOADER);
    const mod = require(file) as { main?: (argv: string[]) => Promise<number> };
    if (typeof mod.main !== "function") throw new Error(`${path.relative(base.dir, file)} at ${base.label} exports no main(argv) to render with`);
    return mod.main(["--out", out, "--dump", ...stacks.flatMap((s) => ["--stack", s])]);
  });
  const thrown = r.thrown === undefined ? "" : r.thrown instanceof Error ? r.thrown.stack ?? r.thrown.message : String(r.thrown);
  return [r.errors, thrown].filter(Boolean).join("\n");
}

/** Forgets the modules loaded from `dir` (the base tree, about to be removed). */
function unload(dir: string): void {
  for (const k of Object.keys(require.cache)) if (k.startsWith(dir + path.sep)) delete require.cache[k];
}

/** Renders `stack` from this checkout in this process; returns its error output when it failed. */
async function renderHead(stack: string, out: string): Promise<string | undefined> {
  const r = await quietly(() => render({ stack, out, dump: true, quiet: true }));
  if (r.thrown !== undefined) throw r.thrown;
  return r.result === 0 ? undefined : r.errors || `render exited ${r.result}`;
}

export async function diff(o: DiffOptions): Promise<DiffResult> {
  const repo = o.repo ?? ROOT;
  let base: BaseTree;
  try {
    base = await exportTree(repo, o.base ?? defaultBase(repo), o.base ?? "the merge base with main", path.join(ROOT, "node_modules"));
  } catch (e) {
    return { code: 2, output: `diff: ${(e as Error).message}` };
  }
  const work = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-diff-"));
  const cleanup = () => {
    unload(base.dir);
    fs.rmSync(work, { recursive: true, force: true });
    base.dispose();
  };
  pending.add(cleanup);
  try {
    const headStacks = listStacks(ROOT);
    const baseStacks = listStacks(base.dir);
    const stacks = o.stacks === "all" ? [...new Set([...baseStacks, ...headStacks])].sort() : [...o.stacks];
    const unknown = stacks.filter((s) => !headStacks.includes(s) && !baseStacks.includes(s));
    if (unknown.length) return { code: 2, output: `diff: no stack ${unknown.join(", ")} here or at ${base.label} (stacks: ${headStacks.join(", ")})` };

    // One process, one after the other: the SDK's mock runtime is global to the process.
    const baseOut = path.join(work, "base");
    const baseErr = await renderBase(base, stacks.filter((s) => baseStacks.includes(s)), baseOut);
    const headOut = path.join(work, "head");
    const headErrors = new Map<string, string>();
    for (const s of stacks.filter((x) => headStacks.includes(x))) {
      const err = await renderHead(s, headOut);
      if (err) headErrors.set(s, err);
    }

    const diffs: StackDiff[] = [];
    for (const s of stacks) {
      const headErr = headErrors.get(s);
      if (headErr) {
        diffs.push(failedStack(s, tail(headErr, 20)));
        continue;
      }
      const notes: string[] = [];
      let before = readSnapshot(baseOut, s);
      if (!before && baseStacks.includes(s)) {
        notes.push(`did not render at ${base.label} (${base.commit}), compared with nothing:\n${tail(baseErr) || "(no error output)"}`);
        before = EMPTY(s);
      }
      if (!headStacks.includes(s)) notes.push(`stack ${s} is removed by this change`);
      const after = readSnapshot(headOut, s) ?? EMPTY(s);
      diffs.push(diffRenders(before, after, notes));
    }
    const label = `${base.label} (\`${base.commit}\`)`;
    const output = o.format === "markdown" ? formatMarkdown(diffs, label) : formatText(diffs);
    return { code: headErrors.size ? 1 : 0, output };
  } finally {
    pending.delete(cleanup);
    cleanup();
  }
}

const USAGE = "usage: npm run diff -- --stack <name>|--all [--base <git-ref>] [--format text|markdown]";

export function parseArgs(argv: readonly string[]): DiffOptions | string {
  const stacks: string[] = [];
  let all = false;
  let base: string | undefined;
  let format: DiffOptions["format"] = "text";
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--stack" && argv[i + 1]) stacks.push(argv[++i]);
    else if (a === "--all") all = true;
    else if (a === "--base" && argv[i + 1]) base = argv[++i];
    else if (a === "--format" && (argv[i + 1] === "text" || argv[i + 1] === "markdown")) format = argv[++i] as DiffOptions["format"];
    else return `diff: unknown or incomplete argument "${a}"\n${USAGE}`;
  }
  if (!all && !stacks.length) return `diff: name a stack or --all\n${USAGE}\nstacks: ${listStacks().join(", ")}`;
  return { stacks: all ? "all" : stacks, base, format };
}

if (require.main === module) {
  const parsed = parseArgs(process.argv.slice(2));
  if (typeof parsed === "string") {
    console.error(parsed);
    process.exit(2);
  }
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
      for (const cleanup of pending) cleanup();
      process.exit(130);
    });
  }
  let finished = false;
  // Every render runs in this process: a program whose outputs never settle would otherwise let
  // node exit silently with status 0.
  process.on("beforeExit", () => {
    if (!finished) {
      console.error("diff: a render never finished (an output that cannot resolve under the mock runtime)");
      for (const cleanup of pending) cleanup();
      process.exit(1);
    }
  });
  diff(parsed).then(
    (r) => {
      finished = true;
      (r.code === 2 ? console.error : console.log)(r.output);
      process.exit(r.code);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
