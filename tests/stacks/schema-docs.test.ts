// The stack schema is the one source of the editor schema, the README's config reference and
// Pulumi.yaml's key list; the committed copies must match it, and the stack files must pass the
// editor schema under a real JSON Schema validator (ajv, draft 2020-12).
import * as fs from "node:fs";
import * as path from "node:path";
import Ajv2020 from "ajv/dist/2020";
import YAML from "yaml";
import { MODELINE, SCHEMA_FILE, staleFiles, stackFileJsonSchema } from "../../tools/lib/stack-schema";
import { ROOT, listStacks, stackFilePath } from "../../tools/lib/stack-file";
import { scratchDir } from "../lib/scratch";

function validator() {
  const schema = JSON.parse(fs.readFileSync(path.join(ROOT, SCHEMA_FILE), "utf8"));
  // Formats (ipv4, email…) are annotations here; the program checks them with the stack schema.
  return new Ajv2020({ allErrors: true, strict: false, validateFormats: false }).compile(schema);
}

const stackDoc = (stack: string) => YAML.parse(fs.readFileSync(stackFilePath(stack), "utf8"));

describe("generated from the stack schema", () => {
  it("schema/stack.schema.json, the README config reference and Pulumi.yaml's key list are current (npm run schema)", () => {
    expect(staleFiles()).toEqual([]);
  });

  it("a changed description makes the committed files stale", () => {
    const dir = scratchDir("stale-");
    for (const f of ["README.md", "Pulumi.yaml", SCHEMA_FILE]) {
      fs.mkdirSync(path.dirname(path.join(dir, f)), { recursive: true });
      const text = fs.readFileSync(path.join(ROOT, f), "utf8");
      fs.writeFileSync(path.join(dir, f), text.replace("share of each node's CPU and memory", "share of each node"));
    }
    expect(staleFiles(dir).sort()).toEqual(["Pulumi.yaml", "README.md", SCHEMA_FILE].sort());
  });

  it.each(listStacks())("Pulumi.%s.yaml carries the yaml-language-server modeline", (stack) => {
    expect(fs.readFileSync(stackFilePath(stack), "utf8").split("\n")[0]).toBe(MODELINE);
  });

  it.each(listStacks())("Pulumi.%s.yaml validates against the JSON Schema", (stack) => {
    const validate = validator();
    const ok = validate(stackDoc(stack));
    expect(validate.errors ?? []).toEqual([]);
    expect(ok).toBe(true);
  });

  it("the JSON Schema refuses a secret in clear, an unknown key and a bad enum; allows secure values and other namespaces", () => {
    const validate = validator();
    const doc = stackDoc("homelab");
    const errorsFor = (mutate: (c: Record<string, any>) => void) => {
      const d = structuredClone(doc);
      mutate(d.config);
      validate(d);
      return (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);
    };
    expect(errorsFor((c) => (c["homelab:sshPrivateKey"] = "-----BEGIN OPENSSH PRIVATE KEY-----"))).toContainEqual("/config/homelab:sshPrivateKey must be object");
    expect(errorsFor((c) => (c["homelab:domian"] = "x.net"))).toContainEqual("/config must NOT have additional properties");
    expect(errorsFor((c) => (c["homelab:cluster"] = { mode: "k8s" }))).toContainEqual("/config/homelab:cluster/mode must be equal to one of the allowed values");
    expect(errorsFor((c) => (c["homelab:workloads"].qdrant.storag = "1Gi"))).toContainEqual("/config/homelab:workloads/qdrant must NOT have additional properties");
    expect(errorsFor((c) => {
      c["homelab:sshPrivateKey"] = { secure: "v1:abc" };
      c["kubernetes:context"] = "k3s";
    })).toEqual([]);
  });

  it("every stack-schema key is in the JSON Schema's config map, secrets only as secure objects", () => {
    const config = stackFileJsonSchema().properties.config.properties;
    expect(Object.keys(config)).toEqual(expect.arrayContaining(["homelab:domain", "homelab:nodes", "homelab:workloads", "homelab:ingress", "homelab:sshPrivateKey", "homelab:kubeconfig", "homelab:cloudflareApiToken"]));
    for (const k of ["homelab:sshPrivateKey", "homelab:kubeconfig", "homelab:cloudflareApiToken"]) expect(config[k].required).toEqual(["secure"]);
  });
});

describe("no import circles", () => {
  it("stacks/, components/, tools/ and policy/ import without cycles (madge, type-only imports included)", async () => {
    const madge = require("madge");
    const res = await madge([path.join(ROOT, "stacks"), path.join(ROOT, "components"), path.join(ROOT, "tools"), path.join(ROOT, "policy"), path.join(ROOT, "index.ts")], {
      fileExtensions: ["ts"],
      tsConfig: path.join(ROOT, "tsconfig.json"),
    });
    expect(res.circular()).toEqual([]);
  });
});
