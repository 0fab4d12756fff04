// `npm run mutate [-- stryker options]`: runs StrykerJS (stryker.config.mjs; incremental, so only what
// changed since the committed stryker/incremental.json is tested again), then prints the score per folder.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { scoreTable, scoresByFolder } from "./lib/mutation-score";

const ROOT = path.resolve(__dirname, "..");
const REPORT = path.join(ROOT, "reports", "mutation", "mutation.json");

async function main(argv: string[]): Promise<number> {
  const started = Date.now();
  const code = await new Promise<number>((resolve) => {
    const child = spawn(path.join(ROOT, "node_modules", ".bin", "stryker"), ["run", ...argv], { cwd: ROOT, stdio: "inherit" });
    child.on("close", (c) => resolve(c ?? 1));
  });
  if (code !== 0) return code;
  const minutes = ((Date.now() - started) / 60000).toFixed(1);
  console.log(`\nmutation score per folder (score = killed / (killed + survived); type errors excluded), ${minutes} min:\n`);
  console.log(scoreTable(scoresByFolder(JSON.parse(fs.readFileSync(REPORT, "utf8")), ROOT)));
  return 0;
}

if (require.main === module) main(process.argv.slice(2)).then((c) => process.exit(c));
