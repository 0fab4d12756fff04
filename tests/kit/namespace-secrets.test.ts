// The promises of a platform namespace and of a generated Secret, checked in-process under the SDK's
// mock runtime (the invariant tests check them on a render too, in a child process that mutation
// testing's per-test coverage cannot see).
import * as pulumi from "@pulumi/pulumi";
import { recordResources, registered } from "../lib/recording-mocks";

// A generated password's value, recognisable by the resource it came from.
const recorded = recordResources("unit", (r) => (r.type === "random:index/randomPassword:RandomPassword" ? { result: `generated-${r.name}` } : undefined));
/** The inputs of the resource of this kind (the type's last part) and name. */
const find = (kind: string, name: string) => recorded.find((r) => r.type.split(":").pop() === kind && r.name === name);
const inputsOf = (kind: string, name: string) => find(kind, name)?.inputs;
const urnOf = (r: pulumi.Resource) => new Promise<string>((resolve) => r.urn.apply(resolve));

// eslint-disable-next-line @typescript-eslint/no-require-imports
const kit = require("../../components/kit") as typeof import("../../components/kit");

const valueOf = <T>(o: pulumi.Output<T>) => new Promise<T>((resolve) => o.apply(resolve));

describe("a platform namespace", () => {
  // Made inside each test (not in beforeAll), so mutation testing's per-test coverage sees the test reach the code.
  let made = 0;
  async function emit(): Promise<[string, ReturnType<typeof kit.emitPlatformNamespace>]> {
    const name = `apps${++made}`;
    const parent = new pulumi.ComponentResource("test:unit:Parent", `${name}-parent`, {});
    const ns = kit.emitPlatformNamespace(parent, name);
    await Promise.all(ns.ready.map(registered));
    return [name, ns];
  }

  it("enforces Pod Security baseline and warns on restricted", async () => {
    const [name] = await emit();
    const m = inputsOf("Namespace", name)!.metadata;
    expect(m.name).toBe(name);
    expect(m.labels).toEqual({ "pod-security.kubernetes.io/enforce": "baseline", "pod-security.kubernetes.io/warn": "restricted" });
  });

  it("is protected from deletion (its volume claims would go with it)", async () => {
    const [, ns] = await emit();
    expect((ns.namespace as unknown as { __protect?: boolean }).__protect).toBe(true);
  });

  it("denies all ingress from the start: a policy over every pod of the namespace, with no allow", async () => {
    const [name, ns] = await emit();
    const deny = inputsOf("NetworkPolicy", `${name}-default-deny-ingress`);
    expect(deny).toBeDefined();
    expect(deny!.metadata.namespace).toBe(name);
    expect(deny!.spec.podSelector).toEqual({});
    expect(deny!.spec.policyTypes).toEqual(["Ingress"]);
    expect(deny!.spec.ingress).toBeUndefined();
    expect(ns.ready).toEqual([ns.namespace, ns.deny]);
  });

  it("its default deny waits for the namespace (a policy in a namespace not yet created fails), and both belong to the component", async () => {
    const [name, ns] = await emit();
    const namespaceUrn = await urnOf(ns.namespace);
    const deny = find("NetworkPolicy", `${name}-default-deny-ingress`)!;
    expect(deny.dependencies).toContain(namespaceUrn);
    expect(deny.parent).toMatch(new RegExp(`::test:unit:Parent::${name}-parent$`));
    expect(find("Namespace", name)!.parent).toBe(deny.parent);
  });

  it("refuses a name Kubernetes would refuse", () => {
    const parent = new pulumi.ComponentResource("test:unit:Parent", "bad-ns-parent", {});
    expect(() => kit.emitPlatformNamespace(parent, "Not_A_Name")).toThrow(/namespace/);
  });
});

describe("a generated Secret", () => {
  let made = 0;
  async function emit(): Promise<[string, ReturnType<typeof kit.generatedSecret>]> {
    const name = `app${++made}-credentials`;
    const parent = new pulumi.ComponentResource("test:unit:Parent", `${name}-parent`, {});
    const s = kit.generatedSecret(parent, {
      name,
      namespace: "apps",
      labels: { "app.kubernetes.io/name": "app" },
      generate: { token: { length: 48, special: true }, password: {} },
      literals: { username: "app" },
    });
    await registered(s.secret);
    return [name, s];
  }

  it("generates 32 letters and digits unless told otherwise", async () => {
    const [name] = await emit();
    expect(inputsOf("RandomPassword", `${name}-password`)).toEqual({ length: 32, special: false });
    expect(inputsOf("RandomPassword", `${name}-token`)).toEqual({ length: 48, special: true });
  });

  it("is one Opaque Secret holding every generated and given key, in its namespace with its labels", async () => {
    const [name] = await emit();
    const secret = inputsOf("Secret", name)!;
    expect(secret.type).toBe("Opaque");
    expect(secret.metadata).toEqual({ name, namespace: "apps", labels: { "app.kubernetes.io/name": "app" } });
    // The whole map travels as a Pulumi secret (the mock runtime sees it wrapped with the secret signature).
    expect(secret.stringData[pulumi.runtime.specialSigKey]).toBe(pulumi.runtime.specialSecretSig);
    expect(secret.stringData.value).toEqual({ password: `generated-${name}-password`, token: `generated-${name}-token`, username: "app" });
  });

  it("hands out each key's value as a Pulumi secret, and a reference by name", async () => {
    const [name, s] = await emit();
    expect(await valueOf(s.value("password"))).toBe(`generated-${name}-password`);
    expect(await valueOf(s.value("username"))).toBe("app");
    expect(await pulumi.isSecret(s.value("token"))).toBe(true);
    expect(s.ref("token")).toEqual({ secretName: name, key: "token" });
    expect(s.name).toBe(name);
  });

  it("the Secret and its passwords are children of the component: their URNs (and so the passwords) stay as long as it does", async () => {
    const [name] = await emit();
    const parent = new RegExp(`::test:unit:Parent::${name}-parent$`);
    expect(find("Secret", name)!.parent).toMatch(parent);
    expect(find("RandomPassword", `${name}-password`)!.parent).toMatch(parent);
    expect(find("RandomPassword", `${name}-token`)!.parent).toMatch(parent);
  });

  it("refuses a key it does not hold, naming the keys it has (generated ones sorted, then the given ones)", async () => {
    const [name, s] = await emit();
    expect(() => s.ref("pasword")).toThrow(`secret ${name} has no key "pasword" (keys: password, token, username)`);
    expect(() => s.value("nope")).toThrow(/no key "nope"/);
  });
});
