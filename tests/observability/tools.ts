// Runs Prometheus's own tools (Debian's prometheus: promtool; prometheus-alertmanager: amtool) on
// generated files. Waits for `close`, so every byte of output is read.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { scratchDir } from "../lib/scratch";

export interface ToolResult {
  readonly code: number | null;
  /** stdout and stderr, interleaved. */
  readonly out: string;
  readonly stdout: string;
}

/** The Debian package of each tool, for the message when it is missing. */
const PACKAGE: Record<string, string> = { promtool: "prometheus", amtool: "prometheus-alertmanager" };

export function run(cmd: string, args: readonly string[], cwd: string): Promise<ToolResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, [...args], { cwd, stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    let stdout = "";
    p.stdout.on("data", (d) => ((out += d), (stdout += d)));
    p.stderr.on("data", (d) => (out += d));
    p.on("error", (e: NodeJS.ErrnoException) =>
      reject(e.code === "ENOENT" ? new Error(`${cmd} is not installed: apt-get install ${PACKAGE[cmd] ?? cmd} (.ci/run installs it; this test is never skipped)`) : e));
    p.on("close", (code) => resolve({ code, out, stdout }));
  });
}

/** A fresh directory with these files. */
export function workDir(files: Record<string, string>): string {
  const dir = scratchDir("obs-tool-");
  for (const [name, content] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), content);
  return dir;
}
