// How a real `pulumi preview` runs this program, and that it does not type-check on every run.
// The Pulumi CLI's Node.js language host starts @pulumi/pulumi's cmd/run with
// PULUMI_NODEJS_TYPESCRIPT=true (Pulumi.yaml runtime.options.typescript) and
// PULUMI_NODEJS_TSCONFIG_PATH (runtime.options.tsconfig); its run() registers ts-node — type-checking
// unless PULUMI_NODEJS_TRANSPILE_ONLY=true or that tsconfig's compilerOptions say noCheck — and
// requires the program. tests/lib/pulumi-run.js calls that same run(), with the SDK's mocks in place
// of an engine (no Pulumi CLI here).
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { readStackFile } from "../../tools/lib/stack-file";
import { ROOT } from "../harness";

const RUNNER = path.join(ROOT, "tests", "lib", "pulumi-run.js");
const tsconfigOption: string = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")).runtime.options.tsconfig;

function pulumiRun(dir: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const clean = { ...process.env };
    delete clean.PULUMI_NODEJS_TRANSPILE_ONLY;
    delete clean.PULUMI_NODEJS_TSCONFIG_PATH;
    const p = spawn(process.execPath, [RUNNER, dir], { cwd: dir, env: { ...clean, PULUMI_NODEJS_TYPESCRIPT: "true", TS_NODE_CACHE: "false", ...env } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("Pulumi's Node.js runtime", () => {
  it("Pulumi.yaml names a tsconfig whose compilerOptions (read as Pulumi reads them) say noCheck", () => {
    expect(tsconfigOption).toBe("tsconfig.pulumi.json");
    // Pulumi reads the file's own compilerOptions (tsutils.loadTypeScriptCompilerOptions), without `extends`.
    const { loadTypeScriptCompilerOptions } = require("@pulumi/pulumi/tsutils");
    expect(loadTypeScriptCompilerOptions(path.join(ROOT, tsconfigOption))).toMatchObject({ noCheck: true, module: "commonjs" });
  });

  describe("on a program with a type error", () => {
    let dir = "";
    beforeAll(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "pulumi-runtime-"));
      fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(dir, "node_modules"), "dir");
      for (const f of ["tsconfig.json", tsconfigOption]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
      fs.writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "typo", main: "index.ts" }));
      fs.writeFileSync(path.join(dir, "index.ts"), 'const replicas: number = "two";\nexport = async () => ({ replicas });\n');
    });
    afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("type-checks by default: ts-node refuses it", async () => {
      const r = await pulumiRun(dir, {});
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/TS2322: Type 'string' is not assignable to type 'number'/);
    }, 120_000);

    it("with the project's runtime.options.tsconfig it only transpiles: the program runs", async () => {
      const r = await pulumiRun(dir, { PULUMI_NODEJS_TSCONFIG_PATH: tsconfigOption });
      expect([r.code, r.stderr]).toEqual([0, ""]);
      expect(JSON.parse(r.stdout)).toEqual({ resources: 1 }); // the Stack resource
    }, 120_000);
  });

  it("runs this program's index.ts for the dev stack through Pulumi's own run(), transpile-only", async () => {
    const dev = readStackFile("dev");
    const r = await pulumiRun(ROOT, { PULUMI_NODEJS_TSCONFIG_PATH: tsconfigOption, STACK: "dev", CONFIG: JSON.stringify({ config: dev.config, secretKeys: dev.secretKeys }) });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).resources).toBeGreaterThan(20);
  }, 180_000);
});
