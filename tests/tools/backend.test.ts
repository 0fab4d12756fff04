// Every pulumi command of the project uses the same state: the file backend Pulumi.yaml names,
// which `npm run preview` uses too. A second, empty backend would mean a new join token and a
// second cluster.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { previewCommand } from "../../tools/preview";
import { ROOT } from "../harness";

describe("the project's state backend", () => {
  const project = YAML.parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));

  it("Pulumi.yaml declares the file backend in the project folder, the one preview uses", () => {
    const url: string = project.backend?.url;
    expect(url).toMatch(/^file:\/\//);
    // The CLI resolves a relative file:// path against the folder it runs in: the project root.
    const dir = path.resolve(ROOT, url.slice("file://".length));
    expect(dir).toBe(path.join(ROOT, ".pulumi"));
    const c = previewCommand(["--stack", "homelab"], {});
    if (typeof c === "string") throw new Error(c);
    expect(c.env.PULUMI_BACKEND_URL).toBe(`file://${dir}`);
  });

  it("the folder exists in a fresh clone, and the state written there is never committed", () => {
    const git = (...args: string[]) => spawnSync("git", args, { cwd: ROOT, encoding: "utf8" });
    expect(git("ls-files", "--error-unmatch", ".pulumi/.gitkeep").status).toBe(0);
    expect(git("check-ignore", "-q", ".pulumi/stacks/homelab/homelab.json").status).toBe(0);
    expect(git("check-ignore", "-q", ".pulumi/.gitkeep").status).toBe(1);
  });
});
