// Builds the bundle a tool starts from (see bundle.js):
// `node bundle-build.js <entry.ts> <out.js> <compilerOptions as JSON>` (ts-loader.js's, so both compile alike).
// A separate process because esbuild runs plugins only in its asynchronous API, and the loader that
// asks for a bundle runs inside node's synchronous require.
//
// One file holds the tool, the program (index.ts and everything it imports) and zod and yaml, so a
// start reads one file instead of ~200 and zod's ~60 unused locales are left out; the Pulumi SDK stays
// outside, a plain require, so the tool and the program share node's one copy of it.
"use strict";
const fs = require("node:fs");
const path = require("node:path");

const [entry, outfile, compilerOptions] = process.argv.slice(2);
const esbuild = require("esbuild");

/**
 * Project files read their own folder (scripts, dashboards beside them) and tools check whether they
 * were started as the main module; inside one bundle `__dirname` would be the bundle's folder and
 * every file's `module` the entry's. Each file is given its own folder, and only the entry may be main.
 */
const ownPaths = {
  name: "own-paths",
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      if (args.path.split(path.sep).includes("node_modules")) return undefined;
      let source = fs.readFileSync(args.path, "utf8");
      if (args.path !== entry) source = source.replace(/require\.main === module/g, "false");
      const own = `var __dirname = ${JSON.stringify(path.dirname(args.path))}, __filename = ${JSON.stringify(args.path)};\n`;
      return { contents: own + source, loader: "ts" };
    });
  },
};

esbuild
  .build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    write: false,
    metafile: true,
    platform: "node",
    format: "cjs",
    target: "node20",
    external: ["@pulumi/*", "esbuild"],
    sourcemap: "linked",
    logLevel: "silent",
    tsconfigRaw: { compilerOptions: JSON.parse(compilerOptions) },
    plugins: [ownPaths],
  })
  .then((result) => {
    const inputs = Object.keys(result.metafile.inputs).map((p) => path.resolve(p));
    process.stdout.write(JSON.stringify({ inputs, files: result.outputFiles.map((f) => ({ path: f.path, text: f.text })) }));
  })
  .catch((e) => {
    process.stderr.write(`${e && e.message ? e.message : String(e)}\n`);
    process.exit(1);
  });
