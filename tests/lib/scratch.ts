// Temporary directories for tests, removed when the test file ends. A removal written in the test
// itself is skipped when an expectation fails first, and every run then left its directories in /tmp
// (thousands had piled up). Removal waits for the end of the file, not of the test, because some
// directories serve several tests or a process a test started.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const made: string[] = [];

// jest loads this module once per test file, so this registers with the file that imports it.
afterAll(() => {
  for (const dir of made.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/** A new directory under the system's temporary directory, named `prefix` + random characters. */
export function scratchDir(prefix: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  made.push(dir);
  return dir;
}
