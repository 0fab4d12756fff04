/**
 * K3sCluster under the Pulumi SDK mock runtime: the command graph (dependsOn), secretness of the
 * token, SSH keys, stdin and kubeconfig, the provider, which commands change when inputs change,
 * early validation and the existing-cluster mode.
 */
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import type { K3sNodesClusterArgs } from "../../components/cluster/types";
import { FAKE_KEY, K3S_YAML, devArgs, homelabArgs, prodArgs } from "./fixtures";

const MOCK_TOKEN = "mock-token-0123456789abcdef";
/** What the first server's token file holds: the secure form of the same password. */
const SECURE_TOKEN = `K10${"c0ffee00".repeat(8)}::server:${MOCK_TOKEN}`;
const CA_B64 = Buffer.from("-----BEGIN CERTIFICATE-----\nFAKE-CA\n-----END CERTIFICATE-----\n").toString("base64");
const SA_TOKEN = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZG1pbiJ9.RkFLRS1TSUc";
const registered: string[] = [];

pulumi.runtime.setMocks({
  newResource: (a) => {
    registered.push(`${a.type}::${a.name}`);
    const state: Record<string, unknown> = { ...a.inputs };
    if (a.type === "random:index/randomPassword:RandomPassword") state.result = MOCK_TOKEN;
    if (a.type === "command:remote:Command" && a.name.endsWith("-kubeconfig")) {
      state.stdout = `${CA_B64} ${Buffer.from(SA_TOKEN).toString("base64")}\n`;
    }
    if (a.type === "command:remote:Command" && a.name.endsWith("-join-token")) state.stdout = `${SECURE_TOKEN}\n`;
    return { id: `${a.name}_id`, state };
  },
  call: (a) => a.inputs,
}, "homelab", "test", false);

// Loaded only after setMocks (static imports would be hoisted above it).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { K3sCluster } = require("../../components/cluster/k3s-cluster") as typeof import("../../components/cluster/k3s-cluster");
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { K3sClusterArgsError } = require("../../components/cluster/validate") as typeof import("../../components/cluster/validate");

const COMMAND = "command:remote:Command";

interface Captured {
  readonly name: string;
  readonly type: string;
  readonly props: Record<string, any>;
  readonly deps: readonly string[];
  readonly customTimeouts?: pulumi.CustomTimeouts;
}

function value<T>(o: pulumi.Input<T>): Promise<T> {
  return new Promise((resolve) => pulumi.output(o).apply((v) => { resolve(v as T); return v; }));
}

async function secret(o: unknown): Promise<boolean> {
  return pulumi.Output.isInstance(o) ? pulumi.isSecret(o as pulumi.Output<unknown>) : false;
}

let counter = 0;
/** Builds a cluster and records every child's props and dependsOn (by resource name). */
function build(args: ConstructorParameters<typeof K3sCluster>[1], prefix = `c${counter++}`) {
  const names = new Map<pulumi.Resource, string>();
  const captured: Captured[] = [];
  const capture: pulumi.ResourceTransformation = ({ resource, type, name, props, opts }) => {
    names.set(resource, name);
    if (type === "homelab:cluster:K3sCluster") return undefined;
    const deps = ([] as unknown[]).concat((opts.dependsOn as unknown[] | undefined) ?? []);
    captured.push({
      name: name.slice(prefix.length + 1), type, props,
      deps: deps.map((d) => (names.get(d as pulumi.Resource) ?? "?").slice(prefix.length + 1)),
      customTimeouts: opts.customTimeouts,
    });
    return undefined;
  };
  const cluster = new K3sCluster(prefix, args, { transformations: [capture] });
  const byName = Object.fromEntries(captured.map((c) => [c.name, c]));
  return { cluster, captured, byName, prefix };
}

// Built once and shared by the tests that only read them (each build costs ~80 ms under mocks).
const HOME = build(homelabArgs());
const PROD = build(prodArgs());

/** Names reachable from `name` through dependsOn. */
function ancestors(byName: Record<string, Captured>, name: string): Set<string> {
  const seen = new Set<string>();
  const walk = (n: string) => {
    for (const d of byName[n]?.deps ?? []) if (!seen.has(d)) { seen.add(d); walk(d); }
  };
  walk(name);
  return seen;
}

describe("command graph", () => {
  test("homelab: asuna install → ready → join token → pesubuntu membership → install → ready → kubeconfig → provider", () => {
    const { captured, byName } = HOME;
    expect(captured.map((c) => [c.name, c.type, c.deps])).toEqual([
      ["token", "random:index/randomPassword:RandomPassword", []],
      ["asuna-install", COMMAND, []],
      ["asuna-ready", COMMAND, ["asuna-install"]],
      ["join-token", COMMAND, ["asuna-ready"]],
      ["pesubuntu-membership", COMMAND, ["asuna-ready", "join-token"]],
      ["pesubuntu-install", COMMAND, ["asuna-ready", "join-token", "pesubuntu-membership"]],
      ["pesubuntu-ready", COMMAND, ["pesubuntu-install"]],
      ["kubeconfig", COMMAND, ["asuna-ready", "pesubuntu-ready"]],
      ["provider", "pulumi:providers:kubernetes", []],
    ]);
    // Commands about a node run on the node (install) or on the first server (membership, ready, kubeconfig).
    expect(byName["pesubuntu-install"].props.create).toContain("Install/upgrade k3s");
    expect(byName["pesubuntu-ready"].props.create).toContain("Wait until node pesubuntu is Ready");
  });

  test("a GPU node's install script runs the NVIDIA runtime check; a node without a GPU's does not", () => {
    // The remote command is `run_as_root sh -c '<script>' '<label>'`: read the script back out of its quotes.
    const script = (node: string) => {
      const m = /run_as_root timeout -k \d+ \d+ sh -c '(.*)' '[^']*' \|\| rc=\$\?$/ms.exec(HOME.byName[`${node}-install`].props.create as string);
      return m![1].split("'\\''").join("'");
    };
    expect(script("pesubuntu")).toMatch(/^GPU='true'$/m);
    expect(script("asuna")).toMatch(/^GPU='false'$/m);
    expect(script("pesubuntu")).toMatch(/^if \[ "\$GPU" = true \]; then gpu_check; fi$/m);
  });

  test("HA prod with agents: first server, then each server one at a time, agents after all servers", () => {
    const prod = prodArgs();
    const agent = (name: string, ip: string) => ({ name, role: "agent" as const, nodeIp: ip, ssh: { host: ip, privateKey: FAKE_KEY } });
    const { byName, cluster } = build({ ...prod, nodes: [agent("worker-1", "10.1.0.1"), ...prod.nodes, agent("worker-2", "10.1.0.2")] });
    const order = ["ubuntu-8gb-hil-1", "ubuntu-8gb-ash-1", "ubuntu-8gb-ash-2", "worker-1", "worker-2"];
    expect(cluster.installOrder).toEqual(order);
    expect(byName["ubuntu-8gb-hil-1-membership"]).toBeUndefined();
    order.forEach((node, j) => {
      const before = ancestors(byName, `${node}-install`);
      order.slice(0, j).forEach((earlier) => {
        expect(before).toContain(`${earlier}-ready`);
        expect(ancestors(byName, `${earlier}-ready`)).toContain(`${earlier}-install`);
      });
      order.slice(j + 1).forEach((later) => expect(before).not.toContain(`${later}-install`));
      expect(before.has(`${node}-ready`)).toBe(false);
    });
    expect(byName.kubeconfig.deps).toEqual(order.map((n) => `${n}-ready`));
  });

  test("dev: one node, no membership, no join token, the seed's ready has no drain", () => {
    const { captured, byName } = build(devArgs());
    expect(captured.filter((c) => c.type === COMMAND).map((c) => c.name)).toEqual(["dev-install", "dev-ready", "kubeconfig"]);
    expect(byName["dev-ready"].props.delete).toBeUndefined();
    expect(byName["dev-install"].props.delete).toContain("Stop k3s on server node dev");
  });

  test("removal steps: drain (ready), stop/uninstall (install), delete Node (membership)", () => {
    const args = homelabArgs();
    const { byName } = build({ ...args, nodes: [args.nodes[0], { ...args.nodes[1], uninstallOnRemove: true }] });
    expect(byName["pesubuntu-ready"].props.delete).toContain("Drain node pesubuntu");
    expect(byName["pesubuntu-install"].props.delete).toContain("Uninstall k3s on agent node pesubuntu");
    expect(byName["asuna-install"].props.delete).toContain("Stop k3s on server node asuna");
    expect(byName["pesubuntu-membership"].props.delete).toContain("Delete node pesubuntu from the cluster");
  });
});

describe("every remote step is bounded (issue 9, item 5)", () => {
  const minutes = (d: string | undefined) => Number(/^(\d+)m$/.exec(d ?? "")?.[1] ?? NaN) * 60;
  const bound = (cmd: string | undefined) => Number(/run_as_root timeout -k 30 (\d+) sh -c /.exec(cmd ?? "")?.[1] ?? NaN);

  test("each create and delete script runs under timeout, and the resource's customTimeouts cover it", () => {
    const args = prodArgs();
    const agent = { name: "worker-1", role: "agent" as const, nodeIp: "10.1.0.1", ssh: { host: "10.1.0.1", privateKey: FAKE_KEY } };
    const x = build({ ...args, nodes: [...args.nodes, agent], uninstallRemovedNodes: ["old-node"], installTimeoutSeconds: 1200 });
    const commands = x.captured.filter((c) => c.type === COMMAND);
    expect(commands.map((c) => c.name)).toEqual(expect.arrayContaining(["join-token", "kubeconfig", "removal-requests", "worker-1-membership"]));
    for (const c of commands) {
      const create = bound(c.props.create);
      expect([c.name, create]).toEqual([c.name, expect.any(Number)]);
      expect(create).toBeGreaterThan(0);
      expect(minutes(c.customTimeouts?.create)).toBeGreaterThan(create);
      expect(minutes(c.customTimeouts?.update)).toBeGreaterThan(create);
      if (c.props.delete !== undefined) expect(minutes(c.customTimeouts?.delete)).toBeGreaterThan(bound(c.props.delete));
    }
    // The step bound leaves room for the installer's own bound (installTimeoutSeconds) inside it.
    expect(bound(x.byName["worker-1-install"].props.create)).toBeGreaterThan(1200);
    expect(x.byName["worker-1-install"].props.create).toContain('INSTALL_TIMEOUT="${INSTALL_TIMEOUT:-1200}"');
  });
});

describe("removing nodes with uninstall (uninstallRemovedNodes)", () => {
  test("a first-server command marks the removed nodes; nothing else changes", () => {
    const base = HOME;
    const { byName, captured } = build({ ...homelabArgs(), uninstallRemovedNodes: ["old-gpu-box"] });
    expect(byName["removal-requests"].deps).toEqual(["asuna-ready"]);
    expect(byName["removal-requests"].props.create).toContain("k3s-pulumi/on-remove=uninstall");
    expect(byName["removal-requests"].props.create).toContain("'old-gpu-box'");
    expect(captured.map((c) => c.name).filter((n) => n !== "removal-requests")).toEqual(base.captured.map((c) => c.name));
    expect(byName["pesubuntu-install"].props.create).toBe(base.byName["pesubuntu-install"].props.create);
  });

  test("a node still in nodes cannot be listed", () => {
    expect(() => build({ ...homelabArgs(), uninstallRemovedNodes: ["pesubuntu"] }, "bad-uninstall"))
      .toThrow(/uninstallRemovedNodes\[0\]: node "pesubuntu" is still in nodes/);
  });
});

describe("secrets stay secret", () => {
  test("token, SSH keys, stdin and kubeconfig are secret; scripts are readable and hold no secret", async () => {
    const { cluster, captured, byName } = HOME;
    expect(await secret(cluster.token)).toBe(true);
    expect(await value(cluster.token!)).toBe(MOCK_TOKEN);

    for (const c of captured.filter((x) => x.type === COMMAND)) {
      expect(await secret(c.props.connection)).toBe(true);
      const conn = await value(c.props.connection);
      expect(conn.privateKey).toBe(FAKE_KEY);
      for (const field of ["create", "delete"]) {
        const text = c.props[field];
        if (text === undefined) continue;
        expect(typeof text).toBe("string"); // plain, shown in previews
        expect(text).not.toContain(MOCK_TOKEN);
        expect(text).not.toContain("FAKE-KEY");
      }
      if (c.props.stdin !== undefined) expect(await secret(c.props.stdin)).toBe(true);
    }
    const stdin = await value<string>(byName["pesubuntu-install"].props.stdin);
    expect(stdin).toMatch(/^[0-9a-f]{24}\n/);
    expect(stdin).not.toContain("FAKE-KEY");
    expect(await secret(cluster.joinToken)).toBe(true);
    for (const c of captured.filter((x) => x.type === COMMAND)) {
      const text = `${c.props.create}\n${c.props.delete}`;
      expect(text).not.toContain(SECURE_TOKEN);
    }
    expect(await value<string>(byName["asuna-ready"].props.stdin)).toMatch(/^[0-9a-f]{24}\n$/);

    expect(await secret(cluster.kubeconfig)).toBe(true);
    const provider = byName.provider;
    expect(await secret(provider.props.kubeconfig)).toBe(true);
  });

  test("a plain-string SSH key or S3 key still ends up secret", async () => {
    const { byName } = PROD;
    const install = byName["ubuntu-8gb-ash-1-install"];
    expect(await secret(install.props.connection)).toBe(true);
    const stdin = await value<string>(install.props.stdin);
    expect(stdin).toContain("etcd-s3-secret-key: FAKE-SECRET-KEY");
    expect(await secret(install.props.stdin)).toBe(true);
    expect(install.props.create).not.toContain("FAKE-SECRET-KEY");
  });

  test("owner ids differ per machine and follow the SSH connection", async () => {
    const a = HOME;
    const b = build(homelabArgs());
    const args = homelabArgs();
    const rotated = build({ ...args, nodes: [args.nodes[0], { ...args.nodes[1], ssh: { ...args.nodes[1].ssh, privateKey: `${FAKE_KEY}rotated` } }] });
    const owner = async (x: ReturnType<typeof build>, n: string) => (await value<string>(x.byName[n].props.stdin)).split("\n")[0];
    expect(await owner(a, "asuna-install")).not.toBe(await owner(a, "pesubuntu-install"));
    expect(await owner(a, "pesubuntu-install")).toBe(await owner(b, "pesubuntu-install"));
    expect(await owner(rotated, "pesubuntu-install")).not.toBe(await owner(a, "pesubuntu-install"));
    expect(await owner(rotated, "asuna-install")).toBe(await owner(a, "asuna-install"));
  });
});

describe("joins are secure (issue 9, item 1)", () => {
  const installToken = async (x: ReturnType<typeof build>, node: string) =>
    /\ntoken: (\S+)\n/.exec(await value<string>(x.byName[`${node}-install`].props.stdin))?.[1];

  test("joining nodes get the first server's secure K10 token, read once it is Ready; the seed keeps its own", async () => {
    const { byName } = HOME;
    expect(byName["join-token"].props.create).toContain("Read the secure join token of the cluster from asuna");
    expect((await value<{ host: string }>(byName["join-token"].props.connection)).host).toBe("100.81.76.55");
    expect(await installToken(HOME, "pesubuntu")).toBe(SECURE_TOKEN);
    expect(await installToken(HOME, "asuna")).toBe(MOCK_TOKEN);
    expect(await secret(byName["pesubuntu-install"].props.stdin)).toBe(true);
  });

  test("HA: every joining server and agent joins with the secure token", async () => {
    for (const node of ["ubuntu-8gb-ash-1", "ubuntu-8gb-ash-2"]) expect(await installToken(PROD, node)).toBe(SECURE_TOKEN);
    expect(await installToken(PROD, "ubuntu-8gb-hil-1")).toBe(MOCK_TOKEN);
  });
});

describe("kubeconfig and provider", () => {
  test("the provider authenticates with the admin ServiceAccount's token, not an expiring client certificate", async () => {
    const { cluster, byName, prefix } = HOME;
    expect(cluster.apiServerUrl).toBe("https://100.81.76.55:6443");
    const kc = parse(await value(cluster.kubeconfig));
    expect(kc.clusters).toEqual([{ name: prefix, cluster: { server: "https://100.81.76.55:6443", "certificate-authority-data": CA_B64 } }]);
    expect(kc.users).toEqual([{ name: prefix, user: { token: SA_TOKEN } }]);
    expect(kc["current-context"]).toBe(prefix);
    expect(byName.kubeconfig.props.create).toContain("kind: ServiceAccount");
    expect(byName.kubeconfig.props.create).toContain("name: cluster-admin");
    expect((await value<{ host: string }>(byName.kubeconfig.props.connection)).host).toBe("100.81.76.55");
    expect(await value(byName.provider.props.kubeconfig)).toBe(await value(cluster.kubeconfig));
  });

  test("the provider carries a clusterIdentifier that a k3s upgrade or a new API address does not change (item 4)", () => {
    const id = PROD.byName.provider.props.clusterIdentifier;
    expect(id).toBe(`k3s/${PROD.prefix}/ubuntu-8gb-hil-1`);
    const prefix = `c${counter++}`;
    const upgraded = build({ ...prodArgs(), version: "v1.36.4+k3s1", apiEndpoint: "k8s.example.org" }, prefix);
    expect(upgraded.byName.provider.props.clusterIdentifier).toBe(`k3s/${prefix}/ubuntu-8gb-hil-1`);
    expect(HOME.byName.provider.props.clusterIdentifier).toBe(`k3s/${HOME.prefix}/asuna`);
  });

  test("node configs and order are exposed for render/plan", () => {
    const { cluster } = HOME;
    expect(cluster.installOrder).toEqual(["asuna", "pesubuntu"]);
    expect(cluster.nodeConfigs.pesubuntu).toContain("server: https://100.81.76.55:6443");
    expect(cluster.nodeCommands.asuna.membership).toBeUndefined();
    expect(cluster.nodeCommands.pesubuntu.membership).toBeDefined();
  });
});

describe("what changes when inputs change (Pulumi re-runs a command whose inputs changed)", () => {
  const commandInputs = (x: ReturnType<typeof build>) =>
    Object.fromEntries(x.captured.filter((c) => c.type === COMMAND).map((c) => [c.name, `${c.props.create}\n--\n${c.props.delete}`]));

  test("one node's config change touches only that node's install and ready", () => {
    const base = commandInputs(HOME);
    const args = homelabArgs();
    const changed = commandInputs(build({ ...args, nodes: [args.nodes[0], { ...args.nodes[1], labels: { "homelab.pesulabs.net/role-compute": "true" } }] }));
    const differing = Object.keys(base).filter((k) => base[k] !== changed[k]);
    expect(differing).toEqual(["pesubuntu-install", "pesubuntu-ready"]);
  });

  test("a version change touches every install and ready, not the kubeconfig nor the join token", () => {
    const base = commandInputs(PROD);
    const changed = commandInputs(build({ ...prodArgs(), version: "v1.36.4+k3s1" }));
    const differing = Object.keys(base).filter((k) => base[k] !== changed[k]).sort();
    expect(differing).toEqual([
      "ubuntu-8gb-ash-1-install", "ubuntu-8gb-ash-1-ready",
      "ubuntu-8gb-ash-2-install", "ubuntu-8gb-ash-2-ready",
      "ubuntu-8gb-hil-1-install", "ubuntu-8gb-hil-1-ready",
    ]);
  });
});

describe("validation and existing-cluster mode", () => {
  test("bad args throw before anything is registered, naming the fields", async () => {
    await new Promise((r) => setTimeout(r, 50));
    const before = registered.length;
    const bad: K3sNodesClusterArgs = { ...prodArgs(), nodes: prodArgs().nodes.slice(0, 2) };
    expect(() => build(bad, "bad")).toThrow(K3sClusterArgsError);
    expect(() => build(bad, "bad2")).toThrow(/nodes: 2 servers is an even number/);
    const dup = homelabArgs();
    expect(() => build({ ...dup, nodes: [dup.nodes[0], { ...dup.nodes[1], name: "asuna" }] }, "bad3"))
      .toThrow(/nodes\[1\]\.name: duplicate node name "asuna"/);
    expect(() => build({ nodes: [{ ...dup.nodes[1] }] }, "bad4")).toThrow(/no node has role "server"/);
    await new Promise((r) => setTimeout(r, 50));
    expect(registered.slice(before).filter((r) => r.includes("bad"))).toEqual([]);
  });

  test("existing cluster: no SSH commands, just the provider; kubeconfig secret", async () => {
    const { captured, cluster, prefix } = build({ kubeconfig: K3S_YAML, context: "default" });
    expect(captured.map((c) => [c.name, c.type])).toEqual([["provider", "pulumi:providers:kubernetes"]]);
    expect(cluster.mode).toBe("existing");
    expect(await secret(cluster.kubeconfig)).toBe(true);
    expect(await value(cluster.kubeconfig)).toBe(K3S_YAML);
    expect(await secret(captured[0].props.kubeconfig)).toBe(true);
    expect(captured[0].props.context).toBe("default");
    expect(captured[0].props.clusterIdentifier).toBe(`existing/${prefix}/default`);
    expect(cluster.nodeCommands).toEqual({});
    expect(() => build({ kubeconfig: K3S_YAML, nodes: homelabArgs().nodes } as never, "both")).toThrow(/not both/);
  });
});
