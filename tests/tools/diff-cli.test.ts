// `npm run diff` end to end: the base exported from git and rendered by its own render command, the
// working tree rendered in this process, temporary directories gone afterwards.
import * as fs from "node:fs";
import * as os from "node:os";
import { diff, parseArgs } from "../../tools/diff";

const ours = () => new Set(fs.readdirSync(os.tmpdir()).filter((f) => /^homelab-diff-/.test(f)));

describe("npm run diff", () => {
  it('against HEAD (the program is committed as it is here) says "no changes", exits 0 and leaves no temporary directory', async () => {
    const before = ours();
    const r = await diff({ stacks: ["dev"], base: "HEAD", format: "text" });
    expect(r).toEqual({ code: 0, output: "no changes (dev)" });
    expect([...ours()].filter((f) => !before.has(f))).toEqual([]);
  }, 180_000);

  it("refuses an unknown ref or stack with exit 2, cleaning up", async () => {
    const before = ours();
    expect(await diff({ stacks: ["dev"], base: "no-such-ref-h12", format: "text" })).toEqual({ code: 2, output: 'diff: unknown git ref "no-such-ref-h12"' });
    const r = await diff({ stacks: ["nope"], base: "HEAD", format: "text" });
    expect(r.code).toBe(2);
    expect(r.output).toMatch(/^diff: no stack nope here or at HEAD/);
    expect([...ours()].filter((f) => !before.has(f))).toEqual([]);
  });

  it("parses its arguments", () => {
    expect(parseArgs(["--all", "--format", "markdown", "--base", "origin/main"])).toEqual({ stacks: "all", base: "origin/main", format: "markdown" });
    expect(parseArgs(["--stack", "dev", "--stack", "prod"])).toEqual({ stacks: ["dev", "prod"], base: undefined, format: "text" });
    expect(parseArgs([])).toMatch(/name a stack or --all/);
    expect(parseArgs(["--format", "html", "--all"])).toMatch(/unknown or incomplete argument "--format"/);
  });
});
