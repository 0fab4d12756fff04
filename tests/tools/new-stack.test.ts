// `npm run new-stack`: a skeleton that cannot deploy until each placeholder is replaced, and that
// validates once they are.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { ConfigError } from "../../components/kit/problems";
import { splitConfig, validateRaw } from "../../stacks";
import { readStackFile } from "../../tools/lib/stack-file";
import { MODELINE } from "../../tools/lib/stack-schema";
import { main, placeholdersIn } from "../../tools/new-stack";

let dir: string;
beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), "new-stack-"))));
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function quietly<T>(f: () => T): { value: T; out: string; err: string } {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, "log").mockImplementation((x) => void out.push(String(x)));
  const error = jest.spyOn(console, "error").mockImplementation((x) => void err.push(String(x)));
  try {
    return { value: f(), out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}

/** Validation problems of a stack file, by config path; none when it validates. */
function problemsOf(file: string, stack: string): Record<string, string> {
  const sf = readStackFile(stack, file);
  try {
    validateRaw(stack, splitConfig(sf.config, sf.secretKeys), { requireSecrets: false });
    return {};
  } catch (e) {
    if (!(e instanceof ConfigError)) throw e;
    return Object.fromEntries(e.problems.map((p) => [p.path, p.message]));
  }
}

const VALUES: Record<string, string> = {
  domain: "lab.example.org",
  "node1-name": "box1",
  "node1-cpu-cores": "4",
  "node1-memory": "16Gi",
  "node1-address": "100.101.1.1",
  "node2-name": "box2",
  "node2-cpu-cores": "8",
  "node2-memory": "32Gi",
  "node2-address": "100.101.1.2",
  "acme-email": "me@pesulabs.net",
};

describe("new-stack", () => {
  it("writes a commented skeleton with the editor modeline first and no seed machine in it", () => {
    const r = quietly(() => main(["mine"], dir));
    expect(r.value).toBe(0);
    const text = fs.readFileSync(path.join(dir, "Pulumi.mine.yaml"), "utf8");
    expect(text.split("\n")[0]).toBe("# yaml-language-server: $schema=./schema/stack.schema.json");
    expect(text.split("\n")[0]).toBe(MODELINE);
    expect(text).not.toMatch(/asuna|pesubuntu|pesulabs|100\.81\.76\.55|ubuntu-8gb/);
    expect(placeholdersIn(text)).toEqual(Object.keys(VALUES));
  });

  it("fails validation naming every placeholder until it is filled, then validates", () => {
    quietly(() => main(["mine"], dir));
    const file = path.join(dir, "Pulumi.mine.yaml");
    const text = fs.readFileSync(file, "utf8");
    const before = problemsOf(file, "mine");
    expect(Object.keys(before).sort()).toEqual(
      [
        "homelab:domain",
        "homelab:ingress.certificates.email",
        ...[0, 1].flatMap((i) => ["name", "cpu", "memory", "address"].map((f) => `homelab:nodes[${i}].${f}`)),
      ].sort(),
    );
    for (const [k, v] of Object.entries(before)) expect([k, v]).toEqual([k, expect.stringMatching(/"<[a-z0-9-]+>"/)]);

    // Half filled: what is left is still named.
    fs.writeFileSync(file, text.replace("\"<domain>\"", VALUES.domain).replace("\"<acme-email>\"", VALUES["acme-email"]));
    expect(Object.keys(problemsOf(file, "mine"))).toEqual(expect.not.arrayContaining(["homelab:domain", "homelab:ingress.certificates.email"]));
    expect(Object.keys(problemsOf(file, "mine"))).toHaveLength(8);

    fs.writeFileSync(file, text.replace(/<([a-z0-9-]+)>/g, (m, k: string) => VALUES[k] ?? m));
    expect(problemsOf(file, "mine")).toEqual({});
  });

  it("a one-machine skeleton gives that machine both roles and validates once filled", () => {
    quietly(() => main(["solo", "--nodes", "1"], dir));
    const file = path.join(dir, "Pulumi.solo.yaml");
    const text = fs.readFileSync(file, "utf8");
    expect(text).toContain("roles: [service, compute]");
    fs.writeFileSync(file, text.replace(/<([a-z0-9-]+)>/g, (m, k: string) => VALUES[k] ?? m));
    expect(problemsOf(file, "solo")).toEqual({});
  });

  it("refuses to overwrite a stack file, and names a bad stack name", () => {
    const file = path.join(dir, "Pulumi.mine.yaml");
    fs.writeFileSync(file, "config: {}\n");
    const r = quietly(() => main(["mine"], dir));
    expect(r.value).toBe(2);
    expect(r.err).toMatch(/^new-stack: Pulumi\.mine\.yaml already exists: not overwriting it/);
    expect(fs.readFileSync(file, "utf8")).toBe("config: {}\n");
    expect(quietly(() => main(["../x"], dir)).err).toMatch(/^new-stack: "\.\.\/x" is not a stack name/);
    expect(quietly(() => main([], dir)).err).toMatch(/^new-stack: name the new stack/);
  });
});
