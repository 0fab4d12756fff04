// Renders every stack once, before any test file runs, with the real render command (the same
// code path a user runs). Test files read the results through tests/harness.ts.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export default async function globalSetup(): Promise<void> {
  const root = path.resolve(__dirname, "..");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-render-"));
  const stacks = fs.readdirSync(root).map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1]).filter(Boolean) as string[];
  try {
    execFileSync(process.execPath, ["-r", path.join(root, "tools", "lib", "ts-loader.js"), path.join(root, "tools", "render.ts"), "--out", out, "--dump", ...stacks.flatMap((s) => ["--stack", s])], {
      cwd: root,
      stdio: ["ignore", "ignore", "inherit"],
    });
  } catch (e) {
    // jest runs no global teardown when the setup throws: remove the partial render here.
    fs.rmSync(out, { recursive: true, force: true });
    throw e;
  }
  process.env.HOMELAB_RENDER_DIR = out;
}
