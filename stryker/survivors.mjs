#!/usr/bin/env node
// The mutants that survived the last recorded mutation run (stryker/incremental.json), for one source
// file, and optionally a quick re-check of them against chosen test files: each mutant is written
// into the source in turn, jest runs, and the source is put back. A full `npm run mutate` takes hours
// here; re-checking only the survivors while writing a test takes minutes. Stryker's run stays the
// measure: this only tells which survivors a new test kills.
//
//   node stryker/survivors.mjs stacks/validate.ts                 # list survivors (line:col mutator -> replacement)
//   node stryker/survivors.mjs stacks/validate.ts --check tests/stacks/validate-messages.test.ts [more tests]
//   node stryker/survivors.mjs stacks/validate.ts --lines 40-60 --check ...   # only mutants starting on those lines
//
// --check rewrites the source file in place (restored after each mutant, and on Ctrl-C): run it in a
// checkout no other process is testing.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), "..");
const args = process.argv.slice(2);
const file = args[0];
if (!file || file.startsWith("-")) {
  console.error("usage: node stryker/survivors.mjs <source file> [--lines A-B] [--check <test files...>]");
  process.exit(2);
}
// The values after a flag, up to the next flag; undefined when the flag is absent.
const opt = (name) => {
  const i = args.indexOf(name);
  if (i < 0) return undefined;
  const next = args.findIndex((a, j) => j > i && a.startsWith("--"));
  return args.slice(i + 1, next < 0 ? undefined : next);
};
const report = JSON.parse(fs.readFileSync(path.join(ROOT, "stryker/incremental.json"), "utf8"));
const entry = report.files[file];
if (!entry) {
  console.error(`${file} is not in stryker/incremental.json: run \`npm run mutate -- --mutate ${file}\` first`);
  process.exit(2);
}
const abs = path.join(ROOT, file);
const original = fs.readFileSync(abs, "utf8");
if (original !== entry.source) {
  console.error(`${file} changed since the recorded run: line numbers would not match; rerun Stryker on it`);
  process.exit(2);
}
const [from, to] = (opt("--lines")?.[0] ?? "1-999999").split("-").map(Number);
const survivors = entry.mutants
  .filter((m) => m.status === "Survived" || m.status === "NoCoverage")
  .filter((m) => m.location.start.line >= from && m.location.start.line <= (to || from))
  .sort((a, b) => a.location.start.line - b.location.start.line || a.location.start.column - b.location.start.column);

// Offsets of a 1-based line and column (Stryker's columns are 1-based too).
const lineStarts = [0];
for (let i = 0; i < original.length; i++) if (original[i] === "\n") lineStarts.push(i + 1);
const offset = ({ line, column }) => lineStarts[line - 1] + column - 1;
const label = (m) => `${m.location.start.line}:${m.location.start.column} ${m.status === "NoCoverage" ? "no-cover" : "survived"} ${m.mutatorName} -> ${JSON.stringify(m.replacement ?? "").slice(0, 80)}`;

const tests = opt("--check");
if (!tests) {
  for (const m of survivors) console.log(label(m));
  console.log(`${survivors.length} survivor(s) in ${file}`);
  process.exit(0);
}
if (tests.length === 0) {
  console.error("--check needs the test files to run");
  process.exit(2);
}
const restore = () => fs.writeFileSync(abs, original);
process.on("SIGINT", () => (restore(), process.exit(130)));
let killed = 0;
const alive = [];
try {
  for (const [i, m] of survivors.entries()) {
    fs.writeFileSync(abs, original.slice(0, offset(m.location.start)) + (m.replacement ?? "") + original.slice(offset(m.location.end)));
    // The mutation run's jest config: no global setup, whose render of every stack would fail under
    // many mutants and count them as killed by tests that never ran.
    const r = spawnSync(path.join(ROOT, "node_modules/.bin/jest"), ["-c", "stryker/jest.config.js", "--silent", "--bail", "--runTestsByPath", ...tests], { cwd: ROOT, encoding: "utf8" });
    restore();
    const dead = r.status !== 0;
    if (dead) killed++;
    else alive.push(m);
    process.stdout.write(`[${i + 1}/${survivors.length}] ${dead ? "killed  " : "SURVIVES"} ${label(m)}\n`);
  }
} finally {
  restore();
}
console.log(`${killed} of ${survivors.length} killed by ${tests.join(" ")}; still surviving: ${alive.length}`);
