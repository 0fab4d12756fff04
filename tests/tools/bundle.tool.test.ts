// tools/lib/bundle.js: a tool started with `node -r tools/lib/ts-loader.js <tool>.ts` runs from one
// bundle of itself and everything it imports. The promises: the bundle is never older than any file
// in it, each file still sees its own folder, only the entry is the main module, the V8 code cache
// is only ever used for the exact code it was made from, and a file that does not compile is reported
// as the per-file loader always did. Fixtures are small programs in a temporary folder; each case
// starts node as `npm run <tool>` does.
import { execFileSync, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ROOT } from "../harness";

const LOADER = path.join(ROOT, "tools", "lib", "ts-loader.js");
let dir = "";
let cache = "";

/** Runs `entry` as a tool: plain node with the loader, the cache in this test's folder. */
function tool(entry: string, env: NodeJS.ProcessEnv = {}) {
  const r = spawnSync(process.execPath, ["-r", LOADER, entry], { cwd: dir, env: { ...process.env, HOMELAB_TS_CACHE: cache, ...env }, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const bundles = () => fs.readdirSync(cache).filter((f) => f.startsWith("bundle-") && f.endsWith(".js"));
const codeCaches = () => fs.readdirSync(cache).filter((f) => f.endsWith(".v8"));

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "bundle-test-"));
  cache = path.join(dir, "cache");
  fs.mkdirSync(path.join(dir, "lib"));
  fs.writeFileSync(path.join(dir, "lib", "part.ts"), 'export const word: string = "first";\nexport const where = __dirname;\nexport const partIsMain = require.main === module;\n');
  fs.writeFileSync(
    path.join(dir, "main.ts"),
    'import { partIsMain, where, word } from "./lib/part";\nconsole.log(JSON.stringify({ word, where, partIsMain, mainIsMain: require.main === module, here: __dirname }));\n',
  );
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe("a tool runs from its bundle", () => {
  it("runs the entry and what it imports from one bundle: each file sees its own folder, only the entry is main", () => {
    const r = tool(path.join(dir, "main.ts"));
    expect(r.stderr).toBe("");
    expect(JSON.parse(r.stdout)).toEqual({ word: "first", where: path.join(dir, "lib"), partIsMain: false, mainIsMain: true, here: dir });
    // One bundle, and no per-file compile of either file: both came from the bundle.
    expect(bundles()).toHaveLength(1);
    expect(fs.readdirSync(cache).filter((f) => /^[0-9a-f]{40}\.js$/.test(f))).toEqual([]);
  });

  it("is never stale: an edit to an imported file is in the very next run", () => {
    expect(JSON.parse(tool(path.join(dir, "main.ts")).stdout).word).toBe("first");
    // Same length on purpose: nothing may rely on sizes or times for project files.
    fs.writeFileSync(path.join(dir, "lib", "part.ts"), fs.readFileSync(path.join(dir, "lib", "part.ts"), "utf8").replace('"first"', '"again"'));
    expect(JSON.parse(tool(path.join(dir, "main.ts")).stdout).word).toBe("again");
  });

  it("uses a code cache made from exactly this code, and survives one that is not", () => {
    tool(path.join(dir, "main.ts"));
    const [made] = codeCaches();
    expect(made).toBeDefined();
    // A cache V8 must refuse (garbage of the right name): the run still works and writes a good one.
    const garbage = "\u0007".repeat(4096);
    fs.writeFileSync(path.join(cache, made), garbage);
    const r = tool(path.join(dir, "main.ts"));
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout).word).toBe("first");
    expect(fs.readFileSync(path.join(cache, made), "latin1")).not.toBe(garbage);
    // Another bundle (an edit) gets its own cache; the old one is removed.
    fs.writeFileSync(path.join(dir, "lib", "part.ts"), fs.readFileSync(path.join(dir, "lib", "part.ts"), "utf8").replace('"first"', '"other"'));
    tool(path.join(dir, "main.ts"));
    expect(codeCaches()).toHaveLength(1);
    expect(codeCaches()[0]).not.toBe(made);
  });

  it("a file that does not compile is reported by name, as the per-file loader does", () => {
    fs.writeFileSync(path.join(dir, "lib", "part.ts"), "export const word: string = ;\n");
    const r = tool(path.join(dir, "main.ts"));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/part\.ts/);
    expect(r.stderr).toMatch(/Unexpected ";"/);
  });

  it("HOMELAB_NO_BUNDLE=1 loads file by file, with the same result", () => {
    const r = tool(path.join(dir, "main.ts"), { HOMELAB_NO_BUNDLE: "1" });
    expect(JSON.parse(r.stdout)).toEqual({ word: "first", where: path.join(dir, "lib"), partIsMain: false, mainIsMain: true, here: dir });
    expect(fs.existsSync(cache) ? bundles() : []).toEqual([]);
  });
});

describe("render from its bundle", () => {
  it("writes byte for byte what the file-by-file render writes", () => {
    const out = (name: string) => path.join(dir, name);
    const render = (o: string, env: NodeJS.ProcessEnv) =>
      execFileSync(process.execPath, ["-r", LOADER, path.join(ROOT, "tools", "render.ts"), "--stack", "dev", "--out", o], { cwd: ROOT, env: { ...process.env, HOMELAB_TS_CACHE: cache, ...env } });
    render(out("bundled"), {});
    render(out("per-file"), { HOMELAB_NO_BUNDLE: "1" });
    expect(bundles()).toHaveLength(1);
    for (const f of ["manifests.yaml", "plan.json"]) {
      expect(fs.readFileSync(path.join(out("bundled"), "dev", f), "utf8")).toBe(fs.readFileSync(path.join(out("per-file"), "dev", f), "utf8"));
    }
  });
});
