// `npm run bench`: how much render costs on top of what the Pulumi SDK costs anyway.
// (a) a bare `node -e` import of the four Pulumi SDK packages;
// (b) a synthetic program registering the same number of plain resources under the same mock runtime;
// then each stack's render, several times. All run transpile-only (tsx), never type-checking per run.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT, listStacks } from "./lib/stack-file";
import { wantsHelp } from "./lib/args";

const USAGE = [
  "usage: npm run bench",
  "  Renders each stack BENCH_RUNS times (default 5) next to (a) a bare import of the Pulumi SDK and (b) a",
  "  synthetic program with as many resources, then generated stacks of 3, 31 and 91 nodes; prints",
  "  medians, peak RSS and the ratios render/(a), render/(b).",
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
 * How many resources a render records and their average size (inputs as JSON), so (b) registers the
 * same bulk. Read from one untimed render with --dump: the timed renders do only what a user's does.
 */
function sizeOf(renderArgs: string[], out: string, stack: string): { count: number; avgBytes: number } {
  execFileSync(process.execPath, ["-r", "tsx/cjs", path.join(__dirname, "render.ts"), ...renderArgs, "--out", out, "--dump"], { cwd: ROOT, stdio: "ignore" });
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
  for (const stack of listStacks()) {
    const out = path.join(tmp, "render");
    const { count: resourceCount, avgBytes } = sizeOf(["--stack", stack], out, stack);
    const r = measure(`render ${stack}`, ["-r", "tsx/cjs", path.join(__dirname, "render.ts"), "--stack", stack, "--out", out]);
    const resources = { length: resourceCount };
    const b = measure(`(b) synthetic ${resources.length}`, ["-r", "tsx/cjs", path.join(__dirname, "lib", "synthetic-run.ts")], {
      SYNTHETIC_RESOURCES: String(resources.length),
      SYNTHETIC_BYTES: String(avgBytes),
    });
    worst = Math.max(worst, r.ms / b.ms);
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
    const r = measure(`render ${nodes} nodes`, ["-r", "tsx/cjs", path.join(__dirname, "render.ts"), ...args, "--out", out]);
    const b = measure(`(b) synthetic ${n}`, ["-r", "tsx/cjs", path.join(__dirname, "lib", "synthetic-run.ts")], { SYNTHETIC_RESOURCES: String(n), SYNTHETIC_BYTES: String(avgBytes) });
    points.push({ n, r: r.ms, b: b.ms });
    scale.push([String(nodes), String(n), r.ms.toFixed(0), r.rssMb.toFixed(0), b.ms.toFixed(0), (r.ms / b.ms).toFixed(2)]);
  }
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
  fs.rmSync(tmp, { recursive: true, force: true });
}

if (wantsHelp(process.argv.slice(2))) console.log(USAGE);
else main();
