// `npm run bench`: how much render costs on top of what the Pulumi SDK costs anyway.
// (a) a bare `node -e` import of the four Pulumi SDK packages;
// (b) a synthetic program registering the same number of plain resources under the same mock runtime;
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
  "  Renders each stack BENCH_RUNS times (default 5) next to (a) a bare import of the Pulumi SDK and (b) a",
  "  synthetic program with as many resources, then generated stacks of 3, 31 and 91 nodes; prints",
  "  medians (render and (b) measured in turns), peak RSS and the ratios render/(a), render/(b); then `npm run render` and `npm run diff -- --all`",
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
 * Measures a render and its (b) in turns (render, (b), render, (b), …), so that a machine whose
 * load drifts during the bench (other jobs on the same cores) weighs on both alike.
 */
function measurePair(r: [string, string[]], b: [string, string[], NodeJS.ProcessEnv]): [Sample, Sample] {
  const rs: Sample[] = [];
  const bs: Sample[] = [];
  for (let i = 0; i < RUNS; i++) {
    rs.push(run(r[1]));
    bs.push(run(b[1], b[2]));
  }
  const agg = (label: string, xs: Sample[]) => {
    const m = { ms: median(xs.map((x) => x.ms)), rssMb: Math.max(...xs.map((x) => x.rssMb)) };
    process.stderr.write(`  measured ${label}: ${m.ms.toFixed(0)} ms, ${m.rssMb.toFixed(0)} MB\n`);
    return m;
  };
  return [agg(r[0], rs), agg(b[0], bs)];
}

/**
 * How many resources a render records and their average size (inputs as JSON), so (b) registers the
 * same bulk. Read from one untimed render with --dump: the timed renders do only what a user's does.
 */
function sizeOf(renderArgs: string[], out: string, stack: string): { count: number; avgBytes: number } {
  execFileSync(process.execPath, nodeTs(path.join(__dirname, "render.ts"), ...renderArgs, "--out", out, "--dump"), { cwd: ROOT, stdio: "ignore" });
  const text = fs.readFileSync(path.join(out, stack, "resources.json"), "utf8");
  const count = (JSON.parse(text) as unknown[]).length;
  return { count, avgBytes: Math.max(100, Math.round(text.length / Math.max(1, count))) };
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
  const rows: string[][] = [["stack", "resources", "render ms", "peak MB", "(b) ms", "render/(a)", "render/(b)"]];
  let worst = 0;
  const floors = new Map<string, number>();
  for (const stack of listStacks()) {
    const out = path.join(tmp, "render");
    const { count: resourceCount, avgBytes } = sizeOf(["--stack", stack], out, stack);
    const resources = { length: resourceCount };
    const [r, b] = measurePair([`render ${stack}`, nodeTs(path.join(__dirname, "render.ts"), "--stack", stack, "--out", out)], [
      `(b) synthetic ${resources.length}`,
      nodeTs(path.join(__dirname, "lib", "synthetic-run.ts")),
      { SYNTHETIC_RESOURCES: String(resources.length), SYNTHETIC_BYTES: String(avgBytes) },
    ]);
    worst = Math.max(worst, r.ms / b.ms);
    floors.set(stack, b.ms);
    rows.push([stack, String(resources.length), r.ms.toFixed(0), r.rssMb.toFixed(0), b.ms.toFixed(0), (r.ms / a.ms).toFixed(2), (r.ms / b.ms).toFixed(2)]);
  }
  // Linearity: render generated stacks of growing size (more nodes → more node commands and
  // placement work) next to the synthetic program at the same resource counts.
  const scale: string[][] = [["nodes", "resources", "render ms", "peak MB", "(b) ms", "render/(b)"]];
  const points: { n: number; r: number; b: number }[] = [];
  for (const nodes of [3, 31, 91]) {
    const file = path.join(tmp, `Pulumi.scale${nodes}.yaml`);
    fs.writeFileSync(file, scaleStack(nodes));
    const out = path.join(tmp, "scale");
    const args = ["--stack", `scale${nodes}`, "--config-file", file];
    const { count: n, avgBytes } = sizeOf(args, out, `scale${nodes}`);
    const [r, b] = measurePair([`render ${nodes} nodes`, nodeTs(path.join(__dirname, "render.ts"), ...args, "--out", out)], [
      `(b) synthetic ${n}`,
      nodeTs(path.join(__dirname, "lib", "synthetic-run.ts")),
      { SYNTHETIC_RESOURCES: String(n), SYNTHETIC_BYTES: String(avgBytes) },
    ]);
    points.push({ n, r: r.ms, b: b.ms });
    scale.push([String(nodes), String(n), r.ms.toFixed(0), r.rssMb.toFixed(0), b.ms.toFixed(0), (r.ms / b.ms).toFixed(2)]);
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
  const renderFloor = npmStart + (floors.get("homelab") ?? 0);
  const diffFloor = npmStart + a.ms + 2 * [...floors.values()].reduce((sum, b) => sum + Math.max(0, b - a.ms), 0);
  const slope = (k: "r" | "b") => (points[2][k] - points[0][k]) / (points[2].n - points[0].n);
  const print = (t: string[][]) => {
    const widths = t[0].map((_, i) => Math.max(...t.map((r) => r[i].length)));
    console.log(t.map((r) => r.map((c, i) => c.padStart(widths[i])).join("  ")).join("\n"));
  };
  console.log(`(a) bare import of the four Pulumi SDK packages: ${a.ms.toFixed(0)} ms, ${a.rssMb.toFixed(0)} MB`);
  print(rows);
  console.log(`worst render/(b) over the stacks: ${worst.toFixed(2)} (target ≤ 1.30)`);
  console.log("\nscaling (generated stacks):");
  print(scale);
  console.log(`per added resource: render ${slope("r").toFixed(2)} ms, SDK-only (b) ${slope("b").toFixed(2)} ms`);
  console.log("\nas a user runs it (wall time of the whole npm command, medians):");
  print([
    ["command", "ms", "floor ms", "ratio"],
    ["npm run env (npm's own start-up)", npmStart.toFixed(0), "", ""],
    ["npm run render -- --stack homelab", userRender.toFixed(0), renderFloor.toFixed(0), (userRender / renderFloor).toFixed(2)],
    ["npm run diff -- --all --base HEAD", userDiff.toFixed(0), diffFloor.toFixed(0), (userDiff / diffFloor).toFixed(2)],
  ]);
  console.log("floors: render = npm start-up + (b) for homelab; diff = npm start-up + (a) + 2 × Σ((b) − (a)) over the stacks (target ≤ 1.30)");
  fs.rmSync(tmp, { recursive: true, force: true });
}

if (wantsHelp(process.argv.slice(2))) console.log(USAGE);
else main();
