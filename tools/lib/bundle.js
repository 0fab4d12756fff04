// A tool's main module, served from one bundle: `node -r ./tools/lib/ts-loader.js tools/render.ts`
// runs tools/render.ts as a single JavaScript file holding the tool, the program and zod and yaml
// (bundle-build.js says what is in it and why). Measured in README "How fast".
//
// Never stale: the bundle is kept with the list of every file that went into it and a signature of
// each: a project file's sha256 of its exact text (read on every start), a file under node_modules its
// size and modification time (npm rewrites what it installs). One differing signature, a missing
// file, another esbuild, other compiler options or another bundle-build.js, and the bundle is built again before it runs. A
// new file is only ever reached through an edited one, so the list cannot miss it.
//
// Any other .ts file a tool loads at run time (the base tree of `npm run diff`, the benchmark's
// synthetic program) is compiled on its own by ts-loader.js, as before.
"use strict";
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const url = require("node:url");
const vm = require("node:vm");
const Module = require("node:module");
const { execFileSync } = require("node:child_process");

const BUILDER = path.join(__dirname, "bundle-build.js");
const ROOT = path.resolve(__dirname, "..", "..");

const sha = (text) => crypto.createHash("sha256").update(text).digest("hex");

function signature(file) {
  if (file.split(path.sep).includes("node_modules")) {
    const s = fs.statSync(file);
    return `${s.size}:${s.mtimeMs}`;
  }
  return sha(fs.readFileSync(file));
}

function fresh(meta) {
  try {
    return meta.inputs.every(([file, sig]) => signature(file) === sig);
  } catch {
    return false; // a file went away
  }
}

function writeWhole(file, text) {
  const tmp = `${file}.${process.pid}.${crypto.randomBytes(4).toString("hex")}`;
  fs.writeFileSync(tmp, text);
  fs.renameSync(tmp, file);
}

/**
 * The bundled JavaScript of `entry` and the path it is kept under, current with every file it holds;
 * undefined when it cannot be built (a syntax error: the per-file loader then reports it as always).
 */
function bundleOf(entry, cache, esbuildVersion, compilerOptions) {
  const options = JSON.stringify(compilerOptions);
  const base = path.join(cache, `bundle-${sha(`${entry}\0${esbuildVersion}\0${options}\0${fs.readFileSync(BUILDER, "utf8")}`).slice(0, 40)}`);
  try {
    const meta = JSON.parse(fs.readFileSync(`${base}.json`, "utf8"));
    if (fresh(meta)) return { code: fs.readFileSync(`${base}.js`, "utf8"), base };
  } catch {
    // not built yet
  }
  let built;
  try {
    built = JSON.parse(execFileSync(process.execPath, [BUILDER, entry, `${base}.js`, options], { cwd: ROOT, maxBuffer: 1 << 28, stdio: ["ignore", "pipe", "pipe"] }).toString("utf8"));
  } catch {
    return undefined;
  }
  const js = built.files.find((f) => f.path.endsWith(".js")).text;
  const map = built.files.find((f) => f.path.endsWith(".map"));
  // The code runs under the entry's own file name (so that it is the main module, and requires resolve
  // from the project); its source map is named by absolute URL for --enable-source-maps to find.
  const code = map ? js.replace(/\/\/# sourceMappingURL=\S+\s*$/, `//# sourceMappingURL=${url.pathToFileURL(`${base}.js.map`).href}\n`) : js;
  try {
    fs.mkdirSync(cache, { recursive: true });
    if (map) writeWhole(`${base}.js.map`, map.text);
    writeWhole(`${base}.js`, code);
    writeWhole(`${base}.json`, JSON.stringify({ inputs: built.inputs.map((f) => [f, signature(f)]) }));
  } catch {
    // a read-only node_modules: run from memory
  }
  return { code, base };
}

/**
 * Runs the bundle as `module` the way module._compile would, from V8's code cache when there is one
 * for exactly this code: the bytecode of every function the last run compiled, so a start neither
 * parses the bundle nor compiles what it calls again. The cache is named by the code's sha256 (V8
 * itself checks only the length of the source); when there is none, or V8 refuses it (another node),
 * it is written as the process exits, with everything the run compiled.
 */
function runWithCodeCache(module, code, filename, cache, base) {
  const prefix = `code-${path.basename(base).slice("bundle-".length)}-`;
  const file = path.join(cache, `${prefix}${sha(code).slice(0, 40)}.v8`);
  let cachedData;
  try {
    cachedData = fs.readFileSync(file);
  } catch {
    // first run of this bundle
  }
  const script = new vm.Script(Module.wrap(code), { filename, cachedData });
  if (cachedData === undefined || script.cachedDataRejected) {
    process.once("exit", () => {
      try {
        for (const f of fs.readdirSync(cache)) if (f.startsWith(prefix) && f.endsWith(".v8")) fs.rmSync(path.join(cache, f), { force: true });
        writeWhole(file, script.createCachedData());
      } catch {
        // a read-only node_modules: no cache
      }
    });
  }
  const run = script.runInThisContext();
  return run.call(module.exports, module.exports, Module.createRequire(filename), module, filename, path.dirname(filename));
}

/**
 * When node was started as `node -r ts-loader.js <file>.ts` (a tool), loads that main module from its
 * bundle; every other .ts file goes to `perFile`. HOMELAB_NO_BUNDLE=1 turns it off.
 */
function serveMainFromBundle({ perFile, cache, esbuildVersion, compilerOptions }) {
  const main = process.argv[1] ? path.resolve(process.argv[1]) : "";
  // require.main is set only once the main module loads: unset here means we are a -r preload.
  if (require.main !== undefined || !main.endsWith(".ts") || main.split(path.sep).includes("node_modules") || process.env.HOMELAB_NO_BUNDLE) return;
  Module._extensions[".ts"] = (module, filename) => {
    if (filename === main && module.id === ".") {
      const bundle = bundleOf(main, cache, esbuildVersion(), compilerOptions);
      if (bundle !== undefined) return runWithCodeCache(module, bundle.code, filename, cache, bundle.base);
    }
    return perFile(module, filename);
  };
}

module.exports = { serveMainFromBundle };
