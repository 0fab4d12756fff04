// Stack files are read without the Pulumi CLI and without the passphrase: an encrypted value is
// present but redacted, never decrypted and never required for a render.
import * as fs from "node:fs";
import * as path from "node:path";
import { REDACTED, readStackFile } from "../../tools/lib/stack-file";
import { splitConfig, validateRaw } from "../../stacks";
import { previewCommand } from "../../tools/preview";
import { ROOT } from "../harness";
import { scratchDir } from "../lib/scratch";

function withSecret(): string {
  const dir = scratchDir("stack-");
  const text = fs.readFileSync(path.join(ROOT, "Pulumi.homelab.yaml"), "utf8") + "  homelab:sshPrivateKey:\n    secure: v1:AAAABBBBCCCC:DDDDEEEE\n  homelab:cloudflareApiToken:\n    secure: v1:FFFFGGGG:HHHHIIII\n";
  const file = path.join(dir, "Pulumi.sec.yaml");
  fs.writeFileSync(file, text);
  return file;
}

describe("stack files", () => {
  it("an encrypted value is present but redacted, and marked secret", () => {
    const sf = readStackFile("sec", withSecret());
    expect(sf.config["homelab:sshPrivateKey"]).toBe(REDACTED);
    expect(sf.secretKeys).toEqual(["homelab:sshPrivateKey", "homelab:cloudflareApiToken"]);
    const split = splitConfig(sf.config, sf.secretKeys);
    expect(split.secretsPresent).toEqual(["sshPrivateKey", "cloudflareApiToken"]);
    expect(split.secretsInClear).toEqual([]);
    expect(split.raw.sshPrivateKey).toBeUndefined();
    // Present counts for a real deploy's check, with no passphrase anywhere.
    expect(() => validateRaw("sec", split, { requireSecrets: true })).not.toThrow();
  });

  it("the committed stack files hold no secret in clear and no encrypted blob", () => {
    for (const f of fs.readdirSync(ROOT).filter((x) => /^Pulumi\..+\.yaml$/.test(x))) {
      const text = fs.readFileSync(path.join(ROOT, f), "utf8");
      expect([f, /BEGIN [A-Z ]*PRIVATE KEY|password:\s*\S|secure:/i.test(text)]).toEqual([f, false]);
    }
  });
});

describe("preview wrapper", () => {
  it("uses a file backend inside the project unless PULUMI_BACKEND_URL is set", () => {
    const c = previewCommand(["--stack", "homelab"], {});
    if (typeof c === "string") throw new Error(c);
    expect(c.env.PULUMI_BACKEND_URL).toBe(`file://${path.join(ROOT, ".pulumi")}`);
    expect(c.args).toEqual(["preview", "--stack", "homelab", "--diff"]);
    const d = previewCommand(["--stack", "prod", "--refresh"], { PULUMI_BACKEND_URL: "s3://bucket" });
    if (typeof d === "string") throw new Error(d);
    expect(d.env.PULUMI_BACKEND_URL).toBe("s3://bucket");
    expect(d.args).toContain("--refresh");
  });
  it("refuses an unknown stack or a missing --stack with the list of stacks", () => {
    expect(previewCommand(["--stack", "nope"], {})).toMatch(/no stack file Pulumi\.nope\.yaml \(stacks: dev, homelab, prod\)/);
    expect(previewCommand([], {})).toMatch(/usage: npm run preview -- --stack <name>/);
  });
});
