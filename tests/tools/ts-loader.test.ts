// tools/lib/ts-loader.js, how every npm run <tool> starts: the JavaScript node runs is compiled from
// the exact source it loads (cached under a hash of that source), so it can never be older.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const cache = fs.mkdtempSync(path.join(os.tmpdir(), "ts-loader-test-"));
process.env.HOMELAB_TS_CACHE = cache;
// Loading the loader registers it with node's module system; put back what was there.
const nodeModule = require("node:module") as { _extensions: Record<string, unknown> };
const registered = nodeModule._extensions[".ts"];
const loader = require("../../tools/lib/ts-loader.js") as { compile(source: string, filename: string): string; keyOf(filename: string, source: string): string; CACHE: string };
afterAll(() => {
  if (registered) nodeModule._extensions[".ts"] = registered;
  else delete nodeModule._extensions[".ts"];
  fs.rmSync(cache, { recursive: true, force: true });
});

const source = (n: number) => `import * as path from "node:path";\nexport const answer: number = ${n};\nexport class Box { readonly size: number = answer; }\nexport const base = path.basename("/a/b.ts");\n`;

function run(js: string): Record<string, any> {
  const m = { exports: {} as Record<string, any> };
  new Function("module", "exports", "require", js)(m, m.exports, require);
  return m.exports;
}

describe("ts-loader", () => {
  it("compiles TypeScript to CommonJS that runs", () => {
    const out = run(loader.compile(source(42), "/somewhere/answer.ts"));
    expect(out.answer).toBe(42);
    expect(new out.Box().size).toBe(42);
    expect(out.base).toBe("b.ts");
  });

  it("keeps each compile under a hash of its source: an edited file is a new entry, compiled again", () => {
    expect(loader.CACHE).toBe(cache);
    const before = new Set(fs.readdirSync(cache));
    expect(run(loader.compile(source(1), "/p/edited.ts")).answer).toBe(1);
    expect(run(loader.compile(source(2), "/p/edited.ts")).answer).toBe(2);
    const added = fs.readdirSync(cache).filter((f) => !before.has(f));
    expect(added.sort()).toEqual([`${loader.keyOf("/p/edited.ts", source(1))}.js`, `${loader.keyOf("/p/edited.ts", source(2))}.js`].sort());
    expect(loader.keyOf("/p/edited.ts", source(1))).not.toBe(loader.keyOf("/p/edited.ts", source(2)));
  });

  it("reads a cached compile instead of compiling again, for the same source wherever it lives", () => {
    const file = path.join(cache, `${loader.keyOf("/elsewhere/same.ts", source(7))}.js`);
    fs.writeFileSync(file, "module.exports = { answer: 'from the cache' };\n");
    expect(run(loader.compile(source(7), "/another/dir/same.ts")).answer).toBe("from the cache");
  });
});
