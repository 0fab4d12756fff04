// `npm run mutate [-- stryker options]`: runs StrykerJS (stryker.config.mjs; incremental, so only what
// changed since the committed stryker/incremental.json is tested again), then prints the score per folder.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { scoreTable, scoresByFolder } from "./lib/mutation-score";

const ROOT = path.resolve(__dirname, "..");
const REPORT = path.join(ROOT, "reports", "mutation", "mutation.json");

const INCREMENTAL = path.join(ROOT, "stryker", "incremental.json");

interface IncrementalReport {
  files: Record<string, unknown>;
  testFiles?: Record<string, unknown>;
}

/**
 * Stryker writes the incremental file from the files of this run only: a run over one folder would
 * forget every other folder's results. Results of files this run did not cover are carried over.
 */
export function carryOver(before: IncrementalReport | undefined, after: IncrementalReport): IncrementalReport {
  if (!before) return after;
  const keep = <T>(old: Record<string, T> | undefined, now: Record<string, T> | undefined) => ({ ...(old ?? {}), ...(now ?? {}) });
  return { ...after, files: keep(before.files, after.files), testFiles: keep(before.testFiles, after.testFiles) };
}

function readReport(file: string): IncrementalReport | undefined {
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as IncrementalReport) : undefined;
}

async function main(argv: string[]): Promise<number> {
  const started = Date.now();
  const before = readReport(INCREMENTAL);
  const code = await new Promise<number>((resolve) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "stryker"), ["run", ...argv], { cwd: ROOT, stdio: "inherit" });
    child.on("close", (c) => resolve(c ?? 1));
  });
  if (code !== 0) return code;
  const after = readReport(INCREMENTAL);
  if (after) fs.writeFileSync(INCREMENTAL, JSON.stringify(carryOver(before, after)));
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  // Every folder any run has measured (the incremental file), not only this run's.
  const all = fs.existsSync(INCREMENTAL) ? INCREMENTAL : REPORT;
  console.log(`\nmutation score per folder (score = killed / (killed + survived); type errors excluded), this run ${minutes} min:\n`);
  console.log(scoreTable(scoresByFolder(JSON.parse(fs.readFileSync(all, "utf8")), ROOT)));
  return 0;
}

if (require.main === module) main(process.argv.slice(2)).then((c) => process.exit(c));
