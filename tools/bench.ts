// `npm run bench`: how much render costs on top of what the Pulumi SDK costs anyway.
// (a) a bare `node -e` import of the four Pulumi SDK packages;
// (b) a synthetic program registering the same number of plain resources under the same mock runtime;
// then each stack's render, several times. All run transpile-only (tsx), never type-checking per run.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT, listStacks } from "./lib/stack-file";

const RUNS = Number(process.env.BENCH_RUNS ?? "5");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-bench-"));
const usageFile = path.join(tmp, "usage.json");
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

function main(): void {
  process.stderr.write(`benchmark: ${RUNS} runs each, medians of wall time, max of peak RSS\n`);
  const a = measure("(a) SDK import", ["-e", "require('@pulumi/pulumi');require('@pulumi/kubernetes');require('@pulumi/command');require('@pulumi/random')"]);
  const rows: string[][] = [["stack", "resources", "render ms", "peak MB", "(b) ms", "render/(a)", "render/(b)"]];
  let worst = 0;
  for (const stack of listStacks()) {
    const out = path.join(tmp, "render");
    const r = measure(`render ${stack}`, ["-r", "tsx/cjs", path.join(__dirname, "render.ts"), "--stack", stack, "--out", out, "--dump"]);
    const resources = JSON.parse(fs.readFileSync(path.join(out, stack, "resources.json"), "utf8"));
    const manifestBytes = fs.statSync(path.join(out, stack, "manifests.yaml")).size;
    const avgBytes = Math.max(100, Math.round(manifestBytes / Math.max(1, resources.length)));
    const b = measure(`(b) synthetic ${resources.length}`, ["-r", "tsx/cjs", path.join(__dirname, "lib", "synthetic-run.ts")], {
      SYNTHETIC_RESOURCES: String(resources.length),
      SYNTHETIC_BYTES: String(avgBytes),
    });
    worst = Math.max(worst, r.ms / b.ms);
    rows.push([stack, String(resources.length), r.ms.toFixed(0), r.rssMb.toFixed(0), b.ms.toFixed(0), (r.ms / a.ms).toFixed(2), (r.ms / b.ms).toFixed(2)]);
  }
  // Linearity of the SDK's own cost, for reference: the same synthetic program at 10x the size.
  const big = measure("(b) synthetic 500", ["-r", "tsx/cjs", path.join(__dirname, "lib", "synthetic-run.ts")], { SYNTHETIC_RESOURCES: "500", SYNTHETIC_BYTES: "1000" });
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  console.log(`(a) bare import of the four Pulumi SDK packages: ${a.ms.toFixed(0)} ms, ${a.rssMb.toFixed(0)} MB`);
  console.log(rows.map((r) => r.map((c, i) => c.padStart(widths[i])).join("  ")).join("\n"));
  console.log(`(b) synthetic 500 resources: ${big.ms.toFixed(0)} ms, ${big.rssMb.toFixed(0)} MB`);
  console.log(`worst render/(b): ${worst.toFixed(2)} (target ≤ 1.30)`);
  fs.rmSync(tmp, { recursive: true, force: true });
}

main();
