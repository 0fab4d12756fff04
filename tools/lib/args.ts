// The one argument convention of the tools: `--help`/`-h` prints usage and exits 0; a flag that
// needs a value and has none, or a file that does not exist, is a UsageError (exit 2) that names
// the flag — never a fall-through to "unknown argument" or a missing-stack message.
import * as fs from "node:fs";
import * as path from "node:path";

export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

export function wantsHelp(argv: readonly string[]): boolean {
  return argv.includes("--help") || argv.includes("-h");
}

/** The value after argv[i] (a flag); a missing value or another flag in its place is a UsageError. */
export function valueAfter(argv: readonly string[], i: number, what: string): string {
  const v = argv[i + 1];
  if (v === undefined || v === "" || v.startsWith("-")) throw new UsageError(`${argv[i]} needs ${what}${v?.startsWith("-") ? ` (got ${v})` : ""}`);
  return v;
}

/** An existing file named by a flag, as an absolute path. */
export function existingFile(argv: readonly string[], i: number): string {
  const file = path.resolve(valueAfter(argv, i, "a file"));
  if (!fs.existsSync(file)) throw new UsageError(`${argv[i]} ${file} does not exist`);
  if (!fs.statSync(file).isFile()) throw new UsageError(`${argv[i]} ${file} is not a file`);
  return file;
}

/** A stack name given to a flag (whether its file exists is checked where the file is read). */
export function stackName(argv: readonly string[], i: number, stacks: readonly string[]): string {
  const s = valueAfter(argv, i, `a stack name (stacks: ${stacks.join(", ") || "none"})`);
  if (!/^[A-Za-z0-9_.-]+$/.test(s)) throw new UsageError(`${argv[i]} ${JSON.stringify(s)} is not a stack name`);
  return s;
}
