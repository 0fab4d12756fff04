// npm run schema: writes the stack file's JSON Schema, README's config reference and Pulumi.yaml's
// key list from stacks/schema.ts. `--check` only reports stale files (exit 1).
import * as fs from "node:fs";
import * as path from "node:path";
import { generatedFiles, staleFiles } from "./lib/stack-schema";
import { ROOT } from "./lib/stack-file";
import { wantsHelp } from "./lib/args";

if (wantsHelp(process.argv.slice(2))) {
  console.log(
    "usage: npm run schema [-- --check]\n  Writes schema/stack.schema.json, README's config reference and Pulumi.yaml's key list from\n  stacks/schema.ts; --check only reports stale files (exit 1).",
  );
  process.exit(0);
}

if (process.argv.includes("--check")) {
  const stale = staleFiles();
  for (const f of stale) console.error(`schema: ${f} is stale; run npm run schema`);
  process.exit(stale.length ? 1 : 0);
}
for (const [f, content] of Object.entries(generatedFiles())) {
  const file = path.join(ROOT, f);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const before = fs.existsSync(file) ? fs.readFileSync(file, "utf8") : undefined;
  fs.writeFileSync(file, content);
  console.log(`schema: ${f} ${before === content ? "unchanged" : "written"}`);
}
