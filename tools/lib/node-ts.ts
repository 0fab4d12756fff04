// How the tools start another tool: plain node with the project's TypeScript loader (ts-loader.js),
// the way `npm run <tool>` does, never through a second launcher process.
import * as path from "node:path";

/** The loader every tool's process starts with (`node -r <TS_LOADER> tools/<tool>.ts`). */
export const TS_LOADER = path.join(__dirname, "ts-loader.js");

/** node's arguments to run `file` (a .ts path) with `args`: use with process.execPath. */
export function nodeTs(file: string, ...args: string[]): string[] {
  return ["-r", TS_LOADER, file, ...args];
}
