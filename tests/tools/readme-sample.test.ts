// The README's sample render output is what the code prints for the homelab stack today.
import * as fs from "node:fs";
import * as path from "node:path";
import { rendered } from "../harness";
import { summary } from "../../tools/render";
import { ROOT } from "../../tools/lib/stack-file";

describe("README", () => {
  it("the sample render summary is the homelab stack's real summary (update it from npm run render -- --stack homelab)", () => {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const block = /<!-- render-sample:start[^>]*-->\n```\n([\s\S]*?)\n```\n<!-- render-sample:end -->/.exec(readme);
    expect(block).not.toBeNull();
    const r = rendered("homelab");
    expect(block![1]).toBe(summary(r.plan, "dist/render/homelab", r.manifests.length));
  });
});
