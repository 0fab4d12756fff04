// Runs the project's TypeScript in plain node: `node -r ./tools/lib/ts-loader.js tools/render.ts`.
// Every .ts file node requires (outside node_modules) is compiled to JavaScript by esbuild and kept
// in node_modules/.cache/homelab-ts/, named by a hash of what went into it: esbuild's version, the
// options below, the file's name and its exact source text. A file is read and hashed on every load,
// so an edited file is a new name, compiled again: the JavaScript node runs can never be older than
// the source. Nothing is type-checked here (that is `npm run typecheck`'s job, and CI's).
//
// Why not tsx: its CLI starts a second node process and loads its ESM and CJS loaders, which cost
// more than the program's own work (tools/bench.ts measures both). A warm start here reads each
// compiled file from the cache and never loads esbuild; a cold one (fresh clone, edited files)
// starts esbuild once and compiles only what changed (README "Tests" and "How fast": figures).
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const Module = require("node:module");
const path = require("node:path");

const ROOT = path.resolve(__dirname, "..", "..");
const CACHE = process.env.HOMELAB_TS_CACHE || path.join(ROOT, "node_modules", ".cache", "homelab-ts");
/** A cache holding more files than this is emptied on the next compile (it refills as files are loaded). */
const CACHE_LIMIT = 5000;

let esbuild;
let esbuildVersion;
function versionOfEsbuild() {
  // The package.json, not the module: a warm start must not pay for loading esbuild.
  if (!esbuildVersion) esbuildVersion = JSON.parse(fs.readFileSync(require.resolve("esbuild/package.json"), "utf8")).version;
  return esbuildVersion;
}

/**
 * What esbuild needs to emit what tsc would (tsconfig.json: target ES2022, CommonJS): class fields
 * with define semantics, `export =`, `import x = require()`. Inline source maps name the file by its
 * base name only, so that the same source compiles to the same JavaScript wherever it lives (the
 * base tree `npm run diff` exports shares the cache); node resolves the name beside the file.
 */
/** tsconfig.json's settings that change emitted code; the bundle (bundle.js) is built with the same. */
const COMPILER_OPTIONS = { target: "ES2022", useDefineForClassFields: true, esModuleInterop: true };

function optionsFor(filename) {
  return {
    loader: "ts",
    format: "cjs",
    platform: "node",
    target: "node20",
    sourcemap: "inline",
    sourcefile: path.basename(filename),
    tsconfigRaw: { compilerOptions: COMPILER_OPTIONS },
  };
}

function keyOf(filename, source) {
  return crypto
    .createHash("sha256")
    .update(`${versionOfEsbuild()}\0${JSON.stringify(optionsFor(filename))}\0`)
    .update(source)
    .digest("hex")
    .slice(0, 40);
}

function prune() {
  try {
    if (fs.readdirSync(CACHE).length > CACHE_LIMIT) fs.rmSync(CACHE, { recursive: true, force: true });
  } catch {
    // no cache yet
  }
}

let compiled = 0;
/** The JavaScript for `source` (the TypeScript text of `filename`): from the cache, or compiled now. */
function compile(source, filename) {
  const file = path.join(CACHE, `${keyOf(filename, source)}.js`);
  try {
    return fs.readFileSync(file, "utf8");
  } catch {
    // not compiled yet
  }
  if (compiled++ === 0) prune();
  esbuild = esbuild || require("esbuild");
  const js = esbuild.transformSync(source, optionsFor(filename)).code;
  // Written under a unique name and renamed: a concurrent run (jest workers, another checkout
  // sharing node_modules) sees either no file or a whole one.
  try {
    fs.mkdirSync(CACHE, { recursive: true });
    const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
    fs.writeFileSync(tmp, js);
    fs.renameSync(tmp, file);
  } catch {
    // a read-only node_modules: run from memory
  }
  return js;
}

function register() {
  if (Module._extensions[".ts"]) return; // another loader (tsx, jest) already handles TypeScript
  const perFile = (module, filename) => {
    if (filename.split(path.sep).includes("node_modules")) throw new Error(`ts-loader: will not compile ${filename} (inside node_modules)`);
    module._compile(compile(fs.readFileSync(filename, "utf8"), filename), filename);
  };
  Module._extensions[".ts"] = perFile;
  // A tool started with this loader runs from one bundle of itself and the program (bundle.js).
  require("./bundle").serveMainFromBundle({ perFile, cache: CACHE, esbuildVersion: versionOfEsbuild, compilerOptions: COMPILER_OPTIONS });
}

register();

module.exports = { compile, keyOf, CACHE };
