// Removes the render tests/global-setup.ts made (~1.5 MB per run), so a test run leaves nothing behind
// in the temporary directory. Plain JavaScript: jest loads it after the tests, when a test may have left
// a TypeScript require hook (tools/lib/ts-loader.js) behind in this process.
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");

module.exports = async function globalTeardown() {
  const dir = process.env.HOMELAB_RENDER_DIR;
  if (dir && path.dirname(dir) === os.tmpdir() && path.basename(dir).startsWith("homelab-render-")) fs.rmSync(dir, { recursive: true, force: true });
};
