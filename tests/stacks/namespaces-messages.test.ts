// Keys outside the project's namespace: which are refused, which are warned about, and the exact words.
import { foreignKeys } from "../../stacks";

describe("foreignKeys", () => {
  it("the project's own keys and the providers' keys (pulumi, kubernetes, command, random) pass in silence", () => {
    const config = { "homelab:domain": "a.net", "pulumi:template": "t", "kubernetes:context": "c", "command:x": "1", "random:y": "2" };
    expect(foreignKeys(config, "homelab")).toStrictEqual({ problems: [], warnings: [] });
  });

  it("a key without a namespace is refused, with the namespaced name to use", () => {
    expect(foreignKeys({ domain: "a.net" }, "homelab")).toStrictEqual({
      problems: [{ path: "domain", message: "has no namespace: this program reads only homelab:<key>, so this key would be ignored", fix: "rename it to homelab:domain" }],
      warnings: [],
    });
  });

  it("a key without a namespace is refused even when it begins with a provider's name", () => {
    expect(foreignKeys({ pulumix: "1" }, "homelab").problems).toStrictEqual([
      { path: "pulumix", message: "has no namespace: this program reads only homelab:<key>, so this key would be ignored", fix: "rename it to homelab:pulumix" },
    ]);
  });

  it("a near miss of the project's name is refused, naming both namespaces", () => {
    expect(foreignKeys({ "homelb:domain": "a.net" }, "homelab")).toStrictEqual({
      problems: [{ path: "homelb:domain", message: 'is in namespace "homelb", not "homelab": this program reads only homelab:<key>, so this key would be ignored', fix: "rename it to homelab:domain" }],
      warnings: [],
    });
  });

  it("another namespace is a warning that lists the namespaces the program knows", () => {
    expect(foreignKeys({ "aws:region": "eu-west-1" }, "homelab")).toStrictEqual({
      problems: [],
      warnings: ['aws:region: namespace "aws" is neither this project\'s (homelab) nor a provider\'s it uses (pulumi, kubernetes, command, random); nothing reads it'],
    });
  });

  it("a key with an empty namespace is a warning, not a missing namespace", () => {
    expect(foreignKeys({ ":domain": "a.net" }, "homelab")).toStrictEqual({
      problems: [],
      warnings: [':domain: namespace "" is neither this project\'s (homelab) nor a provider\'s it uses (pulumi, kubernetes, command, random); nothing reads it'],
    });
  });
});
