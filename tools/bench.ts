// `npm run bench`: how much render costs on top of what the Pulumi SDK costs anyway.
// (a) a bare `node -e` import of the four Pulumi SDK packages;
// (b) a synthetic program registering the same number of plain resources under the same mock runtime;
// (c) the render's own resources (types, inputs, options) registered again with no program around them;
// then each stack's render, several times. All start the way `npm run render` does (plain node with
// tools/lib/ts-loader.js: compiled JavaScript, never type-checked per run). Then "as a user runs it":
// `npm run render` and `npm run diff -- --all` themselves, against npm's own start-up plus the SDK floor.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT, listStacks } from "./lib/stack-file";
import { wantsHelp } from "./lib/args";
import { nodeTs } from "./lib/node-ts";

const USAGE = [
  "usage: npm run bench",
  "  Renders each stack BENCH_RUNS times (default 5) next to (a) a bare import of the Pulumi SDK, (b) a",
  "  synthetic program with as many plain resources and (c) a replay of the render's own resources, then",
  "  generated stacks of 3, 31 and 91 nodes; prints medians (render, (b), (c) measured in turns), peak RSS",
  "  and the ratios render/(a), render/(b), render/(c); then `npm run render` and `npm run diff -- --all`",
  "  as a user runs them, against npm's own start-up (`npm run env`) plus the SDK floor.",
].join("\n");

const RUNS = Number(process.env.BENCH_RUNS ?? "5");
let tmp = "";
let usageFile = "";
const preload = ["-r", path.join(__dirname, "lib", "report-usage.js")];

interface Sample { ms: number; rssMb: number }

function run(args: string[], env: NodeJS.ProcessEnv = {}): Sample {
  execFileSync(process.execPath, [...preload, ...args], { cwd: ROOT, env: { ...process.env, ...env, BENCH_USAGE_FILE: usageFile }, stdio: "ignore" });
  const u = JSON.parse(fs.readFileSync(usageFile, "utf8"));
  return { ms: u.ms, rssMb: u.maxRssKb / 1024 };
}

/** Wall time of a whole command as a user types it (npm and all its children), from this process. */
function runCommand(cmd: string, args: string[]): Sample {
  const start = process.hrtime.bigint();
  execFileSync(cmd, args, { cwd: ROOT, stdio: "ignore" });
  return { ms: Number(process.hrtime.bigint() - start) / 1e6, rssMb: 0 };
}

function measureCommand(label: string, cmd: string, args: string[]): number {
  const ms = median(Array.from({ length: RUNS }, () => runCommand(cmd, args).ms));
  process.stderr.write(`  measured ${label}: ${ms.toFixed(0)} ms\n`);
  return ms;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
}

function measure(label: string, args: string[], env: NodeJS.ProcessEnv = {}): { ms: number; rssMb: number } {
  const samples = Array.from({ length: RUNS }, () => run(args, env));
  const r = { ms: median(samples.map((s) => s.ms)), rssMb: Math.max(...samples.map((s) => s.rssMb)) };
  process.stderr.write(`  measured ${label}: ${r.ms.toFixed(0)} ms, ${r.rssMb.toFixed(0)} MB\n`);
  return r;
}

/**
 * Measures a render and its floors in turns (render, (b), (c), render, (b), (c), …), so that a machine
 * whose load drifts during the bench (other jobs on the same cores) weighs on all alike.
 */
function measureInTurns(runs: [string, string[], NodeJS.ProcessEnv][]): Sample[] {
  const samples: Sample[][] = runs.map(() => []);
  for (let i = 0; i < RUNS; i++) runs.forEach(([, args, env], k) => samples[k].push(run(args, env)));
  return runs.map(([label], k) => {
    const xs = samples[k];
    const m = { ms: median(xs.map((x) => x.ms)), rssMb: Math.max(...xs.map((x) => x.rssMb)) };
    process.stderr.write(`  measured ${label}: ${m.ms.toFixed(0)} ms, ${m.rssMb.toFixed(0)} MB\n`);
    return m;
  });
}

/** A render and its two floors: (b) as many plain ConfigMaps of the same size, (c) the replay of its own resources. */
function measureRender(label: string, renderArgs: string[], size: { count: number; avgBytes: number; file: string }): [Sample, Sample, Sample] {
  const floor = nodeTs(path.join(__dirname, "lib", "synthetic-run.ts"));
  return measureInTurns([
    [`render ${label}`, nodeTs(path.join(__dirname, "render.ts"), ...renderArgs), {}],
    [`(b) synthetic ${size.count}`, floor, { SYNTHETIC_RESOURCES: String(size.count), SYNTHETIC_BYTES: String(size.avgBytes) }],
    [`(c) replay of ${size.count}`, floor, { REPLAY_RESOURCES: size.file }],
  ]) as [Sample, Sample, Sample];
}

/**
 * How many resources a render records and their average size (inputs as JSON), so (b) registers the
 * same bulk. Read from one untimed render with --dump: the timed renders do only what a user's does.
 */
function sizeOf(renderArgs: string[], out: string, stack: string): { count: number; avgBytes: number; file: string } {
  execFileSync(process.execPath, nodeTs(path.join(__dirname, "render.ts"), ...renderArgs, "--out", out, "--dump"), { cwd: ROOT, stdio: "ignore" });
  const dumped = path.join(out, stack, "resources.json");
  const text = fs.readFileSync(dumped, "utf8");
  const count = (JSON.parse(text) as unknown[]).length;
  // Kept for (c): the next --dump into the same folder would overwrite it.
  const file = path.join(tmp, `replay-${stack}.json`);
  fs.copyFileSync(dumped, file);
  return { count, avgBytes: Math.max(100, Math.round(text.length / Math.max(1, count))), file };
}

/** A stack of `n` nodes (one k3s server, the rest agents), all service+compute, for the scaling run. */
function scaleStack(n: number): string {
  const nodes = Array.from({ length: n }, (_, i) => [
    `    - name: node-${i}`,
    `      roles: [service, compute]`,
    `      k3s: ${i === 0 ? "server" : "agent"}`,
    `      cpu: "8"`,
    `      memory: 32Gi`,
    `      address: 10.1.${Math.floor(i / 250)}.${(i % 250) + 1}`,
  ].join("\n"));
  return [
    "config:",
    "  homelab:domain: scale.example.net",
    "  homelab:cluster: {mode: k3s}",
    "  homelab:ingress: {certificates: {issuer: selfsigned}}",
    "  homelab:nodes:",
    ...nodes,
    "",
  ].join("\n");
}

function main(): void {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-bench-"));
  usageFile = path.join(tmp, "usage.json");
  process.stderr.write(`benchmark: ${RUNS} runs each, medians of wall time, max of peak RSS\n`);
  const a = measure("(a) SDK import", ["-e", "require('@pulumi/pulumi');require('@pulumi/kubernetes');require('@pulumi/command');require('@pulumi/random')"]);
  const rows: string[][] = [["stack", "resources", "render ms", "peak MB", "(b) ms", "(c) ms", "render/(a)", "render/(b)", "render/(c)"]];
  const worst = { b: 0, c: 0 };
  const floors = new Map<string, { b: number; c: number }>();
  const row = (name: string, n: number, r: Sample, b: Sample, c: Sample) => {
    worst.b = Math.max(worst.b, r.ms / b.ms);
    worst.c = Math.max(worst.c, r.ms / c.ms);
    return [name, String(n), r.ms.toFixed(0), r.rssMb.toFixed(0), b.ms.toFixed(0), c.ms.toFixed(0), (r.ms / a.ms).toFixed(2), (r.ms / b.ms).toFixed(2), (r.ms / c.ms).toFixed(2)];
  };
  for (const stack of listStacks()) {
    const out = path.join(tmp, "render");
    const size = sizeOf(["--stack", stack], out, stack);
    const [r, b, c] = measureRender(stack, ["--stack", stack, "--out", out], size);
    floors.set(stack, { b: b.ms, c: c.ms });
    rows.push(row(stack, size.count, r, b, c));
  }
  // Linearity: render generated stacks of growing size (more nodes → more node commands and
  // placement work) next to the floors at the same resource counts.
  const scale: string[][] = [rows[0].map((h) => (h === "stack" ? "nodes" : h))];
  const points: { n: number; r: number; b: number; c: number }[] = [];
  for (const nodes of [3, 31, 91]) {
    const file = path.join(tmp, `Pulumi.scale${nodes}.yaml`);
    fs.writeFileSync(file, scaleStack(nodes));
    const out = path.join(tmp, "scale");
    const args = ["--stack", `scale${nodes}`, "--config-file", file];
    const size = sizeOf(args, out, `scale${nodes}`);
    const [r, b, c] = measureRender(`${nodes} nodes`, [...args, "--out", out], size);
    points.push({ n: size.count, r: r.ms, b: b.ms, c: c.ms });
    scale.push(row(String(nodes), size.count, r, b, c));
  }
  // As a user runs it: the npm commands themselves, timed from here. npm's own start-up is `npm run
  // env` (npm, a shell, a trivial child); the floor of a render is that plus (b) for the stack; the
  // floor of a diff of every stack (one process: the SDK once, then each stack at the base and in the
  // working tree) is npm + (a) + twice each stack's (b) − (a).
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const userOut = path.join(tmp, "user");
  const npmStart = measureCommand("npm run env (npm's own start-up)", npm, ["run", "-s", "env"]);
  const userRender = measureCommand("npm run render -- --stack homelab", npm, ["run", "-s", "render", "--", "--stack", "homelab", "--out", userOut]);
  const userDiff = measureCommand("npm run diff -- --all --base HEAD", npm, ["run", "-s", "diff", "--", "--all", "--base", "HEAD"]);
  const homelab = floors.get("homelab") ?? { b: 0, c: 0 };
  const renderFloor = { b: npmStart + homelab.b, c: npmStart + homelab.c };
  const diffFloorOf = (k: "b" | "c") => npmStart + a.ms + 2 * [...floors.values()].reduce((sum, f) => sum + Math.max(0, f[k] - a.ms), 0);
  const diffFloor = { b: diffFloorOf("b"), c: diffFloorOf("c") };
  const slope = (k: "r" | "b" | "c") => (points[2][k] - points[0][k]) / (points[2].n - points[0].n);
  const print = (t: string[][]) => {
    const widths = t[0].map((_, i) => Math.max(...t.map((r) => r[i].length)));
    console.log(t.map((r) => r.map((c, i) => c.padStart(widths[i])).join("  ")).join("\n"));
  };
  console.log(`(a) bare import of the four Pulumi SDK packages: ${a.ms.toFixed(0)} ms, ${a.rssMb.toFixed(0)} MB`);
  console.log("(b) as many plain ConfigMaps of the same average size; (c) the render's own resources replayed, no program");
  print(rows);
  console.log("\nscaling (generated stacks):");
  print(scale);
  console.log(`worst render/(b): ${worst.b.toFixed(2)}, worst render/(c): ${worst.c.toFixed(2)} over every row above (target ≤ 1.30)`);
  console.log(`per added resource: render ${slope("r").toFixed(2)} ms, (b) ${slope("b").toFixed(2)} ms, (c) ${slope("c").toFixed(2)} ms`);
  console.log("\nas a user runs it (wall time of the whole npm command, medians):");
  const ratio = (x: number, f: number) => (x / f).toFixed(2);
  print([
    ["command", "ms", "floor (b) ms", "ratio (b)", "floor (c) ms", "ratio (c)"],
    ["npm run env (npm's own start-up)", npmStart.toFixed(0), "", "", "", ""],
    ["npm run render -- --stack homelab", userRender.toFixed(0), renderFloor.b.toFixed(0), ratio(userRender, renderFloor.b), renderFloor.c.toFixed(0), ratio(userRender, renderFloor.c)],
    ["npm run diff -- --all --base HEAD", userDiff.toFixed(0), diffFloor.b.toFixed(0), ratio(userDiff, diffFloor.b), diffFloor.c.toFixed(0), ratio(userDiff, diffFloor.c)],
  ]);
  console.log("floors: render = npm start-up + the floor for homelab; diff = npm start-up + (a) + 2 × Σ(floor − (a)) over the stacks (target ≤ 1.30)");
  fs.rmSync(tmp, { recursive: true, force: true });
}

if (wantsHelp(process.argv.slice(2))) console.log(USAGE);
else main();
