// The user's path in docs/: linked first from the README, every relative link resolves, and no
// documented command puts a secret on a command line (where shell history and `ps` keep it).
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT } from "../harness";

const docs = fs.readdirSync(path.join(ROOT, "docs")).filter((f) => f.endsWith(".md")).map((f) => path.join("docs", f));
const read = (f: string) => fs.readFileSync(path.join(ROOT, f), "utf8");

describe("docs", () => {
  it("the README links getting started before anything else, and teardown, troubleshooting and upgrades", () => {
    const readme = read("README.md");
    const links = [...readme.matchAll(/\]\(([^)#]+\.md)[^)]*\)/g)].map((m) => m[1]);
    expect(links.slice(0, 4)).toEqual(["docs/getting-started.md", "docs/teardown.md", "docs/troubleshooting.md", "docs/upgrade.md"]);
  });

  it("every relative link between the pages resolves to a file", () => {
    const broken: string[] = [];
    for (const f of ["README.md", ...docs]) {
      for (const m of read(f).matchAll(/\]\(([^)#:]+)(#[^)]*)?\)/g)) {
        if (!fs.existsSync(path.resolve(ROOT, path.dirname(f), m[1]))) broken.push(`${f} → ${m[1]}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("secrets are set from stdin, never as an argument", () => {
    const onCommandLine: string[] = [];
    for (const f of ["README.md", ...docs]) {
      let code = false;
      for (const line of read(f).split("\n")) {
        if (line.trimStart().startsWith("```")) code = !code;
        const m = code ? /pulumi config set --secret (\S+)(.*)$/.exec(line) : null;
        // After the key only a redirect from a file (`< ~/.ssh/key`, not a `<token>` placeholder for
        // a value) or the end of the command may follow.
        if (m && !/^\s*(<\s*[~/.$]\S*.*|&&.*|#.*)?$/.test(m[2])) onCommandLine.push(`${f}: ${line.trim()}`);
      }
    }
    expect(onCommandLine).toEqual([]);
  });
});
