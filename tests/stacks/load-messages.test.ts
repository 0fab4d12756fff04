// Loading a stack: how namespaced config is split, what validateConfig and loadStack report and
// return, exactly (the words a user reads on `pulumi preview`).
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, PlannedWorkload, loadStack, splitConfig, validateConfig, validateRaw, volumeHomes } from "../../stacks";
import { qdrantSpec } from "../../components/data/qdrant";
import { stackRaw } from "../lib/stack-config";

/** The homelab stack file's settings as the CLI hands them over: `homelab:<key>` → string. */
function homelabConfig(): Record<string, string> {
  return Object.fromEntries(Object.entries(stackRaw("homelab")).map(([k, v]) => [`homelab:${k}`, typeof v === "string" ? v : JSON.stringify(v)]));
}

/** Every secret the homelab stack needs (k3s, dns01, alerts), set encrypted: no "is not set" warning is left. */
const SECRETS = { "homelab:sshPrivateKey": "key", "homelab:cloudflareApiToken": "token", "homelab:alertWebhookUrl": "https://ntfy.example/x" };
const SECRET_KEYS = Object.keys(SECRETS);

const AWS_WARNING = 'aws:region: namespace "aws" is neither this project\'s (homelab) nor a provider\'s it uses (pulumi, kubernetes, command, random); nothing reads it';

/** The ConfigError `f` throws (fails the test when it throws nothing or something else). */
function refusal(f: () => unknown): ConfigError {
  try {
    f();
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
  throw new Error("expected a ConfigError");
}

describe("volumeHomes", () => {
  it("only a pinned workload with volume claims has a volume home", () => {
    const spec = qdrantSpec({ node: "asuna", storage: "20Gi", resources: { cpu: "1", memory: "1Gi", memoryLimit: "1Gi" }, apiKeySecret: "k" });
    const planned: PlannedWorkload[] = [
      { spec, path: "homelab:workloads.qdrant" },
      { spec: { ...spec, identity: { ...spec.identity, name: "no-claims" }, volumeClaims: [] }, path: "p" },
      { spec: { ...spec, identity: { ...spec.identity, name: "claims-unset" }, volumeClaims: undefined }, path: "p" },
    ];
    expect(volumeHomes(planned)).toStrictEqual({ qdrant: "asuna" });
  });
});

describe("splitConfig", () => {
  it("keeps the project's keys only, decodes JSON values, and reports a secret set in clear unless it is empty", () => {
    const split = splitConfig(
      {
        "homelab:domain": "a.net",
        "homelab:nodes": '[{"name":"n"}]',
        "kubernetes:context": "ctx",
        "homelab:sshPrivateKey": "",
        "homelab:kubeconfig": "apiVersion: v1",
        "homelab:cloudflareApiToken": "token",
        "homelab:alertWebhookUrl": "",
      },
      ["homelab:kubeconfig", "homelab:alertWebhookUrl"],
    );
    expect(split).toStrictEqual({
      raw: { domain: "a.net", nodes: [{ name: "n" }] },
      secretsPresent: ["kubeconfig", "cloudflareApiToken"],
      secretsInClear: ["cloudflareApiToken"],
      secretValues: { sshPrivateKey: "", kubeconfig: "apiVersion: v1", cloudflareApiToken: "token", alertWebhookUrl: "" },
    });
  });
});

describe("validateRaw", () => {
  it("a declared migration lets a stateful workload move off the node of its last deployment", () => {
    const raw = stackRaw("homelab");
    raw.workloads.qdrant.migrateFrom = "pesubuntu";
    const loaded = validateRaw("t", { raw, secretsPresent: [] }, { requireSecrets: false, previousVolumeHomes: { qdrant: "pesubuntu" } });
    expect(loaded.volumeHomes).toStrictEqual({ qdrant: "asuna", ollama: "pesubuntu", redis: "asuna", n8n: "pesubuntu" });
  });
});

describe("validateConfig", () => {
  it("warns about a key in an unknown namespace, first, every time it is asked", () => {
    const all = { ...homelabConfig(), ...SECRETS, "aws:region": "eu-west-1" };
    expect(validateConfig("homelab", all, SECRET_KEYS, { requireSecrets: true }).warnings).toStrictEqual([AWS_WARNING]);
    expect(validateConfig("homelab", all, SECRET_KEYS, { requireSecrets: true }).warnings).toStrictEqual([AWS_WARNING]);
  });

  it("a misspelt namespace is refused even when the rest of the config is valid", () => {
    const all = { ...homelabConfig(), ...SECRETS, "homelb:namespace": "apps" };
    const e = refusal(() => validateConfig("homelab", all, SECRET_KEYS, { requireSecrets: true }));
    expect(e.message).toBe(
      "invalid stack configuration (1 problem):\n" +
        '  - homelb:namespace: is in namespace "homelb", not "homelab": this program reads only homelab:<key>, so this key would be ignored\n' +
        "    fix: rename it to homelab:namespace",
    );
  });

  it("a misspelt namespace comes first and hides the missing key it causes, but not the other problems", () => {
    const { ["homelab:domain"]: domain, ...rest } = homelabConfig();
    const all = { ...rest, "homelb:domain": domain, "homelab:cloudflareApiToken": "token" };
    const e = refusal(() => validateConfig("t", all, [], { requireSecrets: false }));
    expect(e.problems).toStrictEqual([
      {
        path: "homelb:domain",
        message: 'is in namespace "homelb", not "homelab": this program reads only homelab:<key>, so this key would be ignored',
        fix: "rename it to homelab:domain",
      },
      {
        path: "homelab:cloudflareApiToken",
        message: "is a secret written in clear in the stack file: it would be committed to git",
        fix: 'delete it from Pulumi.t.yaml, then run: read -rs CLOUDFLARE_API_TOKEN && printf %s "$CLOUDFLARE_API_TOKEN" | pulumi config set --secret homelab:cloudflareApiToken && unset CLOUDFLARE_API_TOKEN',
      },
    ]);
  });
});

describe("loadStack", () => {
  const quiet = process.env.HOMELAB_QUIET_WARNINGS;
  afterEach(() => {
    pulumi.runtime.setAllConfig({}, []);
    if (quiet === undefined) delete process.env.HOMELAB_QUIET_WARNINGS;
    else process.env.HOMELAB_QUIET_WARNINGS = quiet;
    jest.restoreAllMocks();
  });

  it("by default is for a deploy: a missing secret is a problem, not a warning", () => {
    pulumi.runtime.setAllConfig({ ...homelabConfig(), "homelab:cloudflareApiToken": "token", "homelab:alertWebhookUrl": "u" }, ["homelab:cloudflareApiToken", "homelab:alertWebhookUrl"]);
    const e = refusal(() => loadStack());
    expect(e.problems).toStrictEqual([
      { path: "homelab:sshPrivateKey", message: 'is not set (cluster mode "k3s" needs it)', fix: "run: pulumi config set --secret homelab:sshPrivateKey < ~/.ssh/id_ed25519" },
    ]);
  });

  it("logs each warning through Pulumi", () => {
    delete process.env.HOMELAB_QUIET_WARNINGS;
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    pulumi.runtime.setAllConfig({ ...homelabConfig(), ...SECRETS, "aws:region": "us-east-1" }, SECRET_KEYS);
    expect(loadStack({ requireSecrets: true }).warnings).toStrictEqual([AWS_WARNING]);
    expect(warn.mock.calls).toStrictEqual([[AWS_WARNING]]);
  });

  it("logs nothing with HOMELAB_QUIET_WARNINGS set, and still returns the warnings", () => {
    process.env.HOMELAB_QUIET_WARNINGS = "1";
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    pulumi.runtime.setAllConfig({ ...homelabConfig(), ...SECRETS, "aws:region": "eu-central-1" }, SECRET_KEYS);
    expect(loadStack({ requireSecrets: true }).warnings).toStrictEqual([AWS_WARNING]);
    expect(warn.mock.calls).toStrictEqual([]);
  });
});
