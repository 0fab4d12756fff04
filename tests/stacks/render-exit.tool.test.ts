// render as a process (its exit status is the point): bad config exits 2 naming the field, an unknown
// stack exits 2 listing the stacks. Moved out of validation.test.ts, whose cases render in-process,
// into the tools project (npm run test:tools): each case here starts a node process.
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { ROOT } from "../harness";
import { scratchDir } from "../lib/scratch";

describe("render exits non-zero on bad config", () => {
  // Started as npm run render starts it: plain node with the project's TypeScript loader.
  const loader = path.join(ROOT, "tools", "lib", "ts-loader.js");
  it("exit code 2 and the field in the message, nothing written", () => {
    const dir = scratchDir("bad-stack-");
    const doc = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.homelab.yaml"), "utf8"));
    doc.config["homelab:nodes"][0].address = "100.81.76";
    fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), YAML.stringify(doc));
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    const script = `require(${JSON.stringify(path.join(ROOT, "tools/render.ts"))}).render({stack:"bad", out:${JSON.stringify(dir + "/out")}, configFile:${JSON.stringify(dir + "/Pulumi.bad.yaml")}}).then(c=>process.exit(c))`;
    let status = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, ["-r", loader, "-e", script], { cwd: ROOT, stdio: "pipe" });
    } catch (e: any) {
      status = e.status;
      stderr = String(e.stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toMatch(/homelab:nodes\[0\]\.address: "100\.81\.76" is not a valid IP address/);
    expect(fs.existsSync(path.join(dir, "out"))).toBe(false);
  });

  it("an unknown stack exits 2 and lists the stacks", () => {
    let status = 0;
    let stderr = "";
    try {
      execFileSync(process.execPath, ["-r", loader, path.join(ROOT, "tools/render.ts"), "--stack", "nope"], { cwd: ROOT, stdio: "pipe" });
    } catch (e: any) {
      status = e.status;
      stderr = String(e.stderr);
    }
    expect(status).toBe(2);
    expect(stderr).toMatch(/no stack file Pulumi\.nope\.yaml: stacks here are .*homelab/);
  });
});
