// Removes the render tests/global-setup.ts made (~1.5 MB per run), so a test run leaves nothing behind
// in the temporary directory.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export default async function globalTeardown(): Promise<void> {
  const dir = process.env.HOMELAB_RENDER_DIR;
  if (dir && path.dirname(dir) === os.tmpdir() && path.basename(dir).startsWith("homelab-render-")) fs.rmSync(dir, { recursive: true, force: true });
}
