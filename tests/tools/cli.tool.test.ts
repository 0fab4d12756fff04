// The tools' command lines: every tool answers --help with its usage (exit 0), and the common
// mistakes are each named for what they are (exit 2) instead of a misleading follow-on message.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { main as renderMain } from "../../tools/render";
import { ROOT } from "../harness";

function run(tool: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    // As npm run <tool> starts it: plain node with the project's TypeScript loader.
    const p = spawn(process.execPath, ["-r", path.join(ROOT, "tools", "lib", "ts-loader.js"), path.join(ROOT, "tools", `${tool}.ts`), ...args], { cwd: ROOT });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    // A tool that ignores --help would start its real work (bench runs for minutes): stop it.
    const limit = setTimeout(() => p.kill("SIGKILL"), 80000);
    p.on("error", reject);
    p.on("close", (code) => {
      clearTimeout(limit);
      resolve({ code, stdout, stderr });
    });
  });
}

/** Runs render's main in this process and collects what it printed. */
async function render(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, "log").mockImplementation((s) => void out.push(String(s)));
  const error = jest.spyOn(console, "error").mockImplementation((s) => void err.push(String(s)));
  try {
    const code = await renderMain(args);
    return { code, out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

const HELP: [string, RegExp][] = [
  ["render", /usage: npm run render -- --stack <name>\|--all/],
  ["doctor", /usage: npm run doctor -- \[--stack <name>\]/],
  ["preview", /usage: npm run preview -- --stack <name>/],
  ["bench", /usage: npm run bench/],
  ["new-stack", /usage: npm run new-stack -- <name>/],
  ["schema", /usage: npm run schema/],
];

describe("--help", () => {
  // Each tool is a process of its own (the exit status is the point), one after the other: on a
  // busy two-core machine parallel starts only make each slower.
  it.each(HELP)("%s --help prints its usage on stdout and exits 0", async (tool, usage) => {
    const r = await run(tool, ["--help"]);
    expect([r.code, r.stderr]).toEqual([0, ""]);
    expect(r.stdout).toMatch(usage);
  }, 90000);
});

describe("render's argument mistakes", () => {
  it("--stack without a value says so, not 'unknown argument' or 'name a stack'", async () => {
    const r = await render(["--stack"]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^render: --stack needs a stack name \(stacks: dev, homelab, prod\)/);
    const s = await render(["--stack", "--dump"]);
    expect(s.err).toMatch(/^render: --stack needs a stack name .*\(got --dump\)/);
  });

  it("a --config-file that does not exist is named as such, not as a missing stack", async () => {
    const missing = path.join(os.tmpdir(), "no-such-dir-h14", "Pulumi.x.yaml");
    const r = await render(["--stack", "homelab", "--config-file", missing]);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`render: --config-file ${missing} does not exist`);
    expect(r.err).not.toMatch(/no stack file/);
  });

  it("a misspelt namespace prefix is the problem reported, not the key it leaves missing", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ns-"));
    try {
      const file = path.join(dir, "Pulumi.homelab.yaml");
      fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, "Pulumi.homelab.yaml"), "utf8").replace("homelab:domain:", "homelb:domain:"));
      const r = await render(["--stack", "homelab", "--config-file", file, "--out", dir]);
      expect(r.code).toBe(2);
      expect(r.err).toMatch(/- homelb:domain: is in namespace "homelb", not "homelab".*\n\s+fix: rename it to homelab:domain/);
      expect(r.err).not.toMatch(/homelab:domain: is required/);
      expect(fs.existsSync(path.join(dir, "homelab"))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
