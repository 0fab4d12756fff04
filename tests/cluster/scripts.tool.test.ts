import { spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import { parse } from "yaml";
import { resolveCluster, ResolvedCluster, ResolvedNode } from "../../components/cluster/validate";
import { nodeDigest, renderNodeConfig, secretsConfigYaml, K3S_CONFIG_FILE, K3S_SECRETS_FILE } from "../../components/cluster/node-config";
import {
  asRemoteCommand, CONTAINERD_CONFIG_FILE, deleteNodeScript, drainScript, gpuCheckScript, installScript,
  KUBELET_KUBECONFIG_FILE, membershipScript, removalRequestScript,
  removeFromMachineScript, shellQuote, uninstallScript, waitReadyScript,
} from "../../components/cluster/scripts";
import { adminAccessScript, joinTokenScript } from "../../components/cluster/access-scripts";
import { devArgs, homelabArgs, prodArgs } from "./fixtures";
import { StubNode } from "./stub-env";
import { scratchDir } from "../lib/scratch";

const OWNER = "owner-aaaa";
const OTHER_OWNER = "owner-bbbb";
const TOKEN = "T0KEN-never-on-a-command-line";

function allScripts(cluster: ResolvedCluster): Record<string, string> {
  const out: Record<string, string> = {};
  for (const n of cluster.nodes) {
    const configYaml = renderNodeConfig(n, cluster);
    out[`install-${n.name}`] = installScript({
      nodeName: n.name, role: n.role, version: cluster.version, configYaml, gpu: n.gpu,
      gpuWaitSeconds: cluster.gpuRuntimeWaitSeconds, installerUrl: cluster.installerUrl, installerSha256: cluster.installerSha256,
      installTimeoutSeconds: cluster.installTimeoutSeconds,
    });
    out[`remove-${n.name}`] = removeFromMachineScript({ nodeName: n.name, role: n.role, uninstall: false, uninstallTimeoutSeconds: 600 });
    out[`uninstall-${n.name}`] = uninstallScript({ nodeName: n.name, role: n.role, uninstallTimeoutSeconds: 600 });
    out[`gpu-${n.name}`] = gpuCheckScript({ nodeName: n.name, role: n.role, gpuWaitSeconds: 5 });
    out[`ready-${n.name}`] = waitReadyScript({
      nodeName: n.name, version: cluster.version, digest: nodeDigest(n, cluster), labels: n.labels, taints: n.taints,
      timeoutSeconds: cluster.readyTimeoutSeconds,
    });
    out[`drain-${n.name}`] = drainScript({ nodeName: n.name, drainTimeoutSeconds: cluster.drainTimeoutSeconds });
    out[`membership-${n.name}`] = membershipScript({ nodeName: n.name });
    out[`delete-node-${n.name}`] = deleteNodeScript({ nodeName: n.name });
  }
  out["removal-requests"] = removalRequestScript({ firstServer: cluster.firstServer.name, nodeNames: ["old-node", "older-node"] });
  out["join-token"] = joinTokenScript({ nodeName: cluster.firstServer.name });
  out["admin-access"] = adminAccessScript({ nodeName: cluster.firstServer.name });
  out.remote = asRemoteCommand(out["admin-access"], "k3s-admin-access", 300);
  return out;
}

const STACKS = { homelab: homelabArgs(), prod: prodArgs(), dev: devArgs() };

/**
 * shellcheck runs in the background from the start of this file (it takes ~1 s for ~70 scripts)
 * while the stub tests run; the test at the end of the file waits for it.
 */
interface ShellcheckRun { readonly missing: boolean; readonly output: string; readonly status: number | null; readonly files: number }
let shellcheckRun: Promise<ShellcheckRun>;
beforeAll(() => {
  shellcheckRun = new Promise((resolve) => {
    const probe = spawnSync("shellcheck", ["--version"], { encoding: "utf8" });
    if (probe.error || probe.status !== 0) {
      resolve({ missing: true, output: "", status: null, files: 0 });
      return;
    }
    const dir = scratchDir("k3s-shellcheck-");
    const files: string[] = [];
    for (const [stack, args] of Object.entries(STACKS)) {
      for (const [name, text] of Object.entries(allScripts(resolveCluster(args)))) {
        const f = path.join(dir, `${stack}-${name}.sh`);
        fs.writeFileSync(f, text);
        files.push(f);
      }
    }
    const child = spawn("shellcheck", ["--shell=sh", "--severity=style", ...files]);
    let output = "";
    child.stdout.on("data", (d) => { output += d; });
    child.stderr.on("data", (d) => { output += d; });
    child.on("close", (status) => {
      resolve({ missing: false, output, status, files: files.length });
    });
  });
});

describe("no secret in any script or command line", () => {
  test("scripts only read secrets from stdin", () => {
    for (const args of Object.values(STACKS)) {
      for (const text of Object.values(allScripts(resolveCluster(args)))) {
        expect(text).not.toContain("FAKE-");
        expect(text).not.toMatch(/^token:/m);
      }
    }
  });

  test("shellQuote survives quotes", () => {
    const node = new StubNode();
    try {
      const r = node.runCommandString(`printf '%s' ${shellQuote("it's \"$HOME\" `x`")}`);
      expect(r.stdout).toBe("it's \"$HOME\" `x`");
    } finally {
      node.cleanup();
    }
  });
});

describe("install script control flow (stub k3s/systemctl/curl)", () => {
  const home = resolveCluster(homelabArgs());
  const [asuna, pesubuntu] = home.nodes as ResolvedNode[];
  const version = home.version;
  const script = (n: ResolvedNode, c: ResolvedCluster = home, extra: Partial<Parameters<typeof installScript>[0]> = {}) =>
    installScript({
      nodeName: n.name, role: n.role, version: c.version, configYaml: renderNodeConfig(n, c), gpu: n.gpu,
      gpuWaitSeconds: 5, installerUrl: c.installerUrl, installTimeoutSeconds: 900, ...extra,
    });
  const stdin = (n: ResolvedNode, owner = OWNER) => `${owner}\n${secretsConfigYaml(n, home, { token: TOKEN })}`;
  const NVIDIA_TOML = 'version = 3\n[plugins."io.containerd.cri.v1.runtime".containerd.runtimes."nvidia"]\n  runtime_type = "io.containerd.runc.v2"\n';
  let node: StubNode;
  beforeEach(() => { node = new StubNode(); });
  afterEach(() => node.cleanup());

  test("fresh machine: writes config + mode-600 secrets, runs the installer pinned to the version", () => {
    const r = node.run(script(asuna), stdin(asuna));
    expect(r.stderr).toContain(`installing k3s ${version} as server (installed: none)`);
    expect(r.code).toBe(0);
    expect(r.calls).toContain("curl -sfL --connect-timeout 30 https://get.k3s.io");
    expect(r.calls).toContain(`installer INSTALL_K3S_VERSION=${version} INSTALL_K3S_EXEC=server INSTALL_K3S_FORCE_RESTART=true`);
    expect(node.read(K3S_CONFIG_FILE)).toBe(renderNodeConfig(asuna, home));
    expect(parse(node.read(K3S_SECRETS_FILE)!)).toEqual({ token: TOKEN });
    expect(fs.statSync(node.path(K3S_SECRETS_FILE)).mode & 0o777).toBe(0o600);
    expect(node.read("/var/lib/rancher/k3s-pulumi/install.owner")).toBe(`${OWNER}\n`);
    expect(r.stdout + r.stderr).not.toContain(TOKEN);
  });

  test("already at the version with the same config and running: does nothing", () => {
    node.run(script(asuna), stdin(asuna));
    const r = node.run(script(asuna), stdin(asuna));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`k3s ${version} already runs with the wanted config; nothing to do`);
    expect(r.calls.filter((c) => !c.startsWith("systemctl is-active") && !c.startsWith("k3s --version"))).toEqual([]);
  });

  test("another version installed: upgrades through the installer", () => {
    node.run(script(asuna), stdin(asuna));
    node.installed("v1.34.9+k3s1", "k3s");
    const r = node.run(script(asuna), stdin(asuna));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`installing k3s ${version} as server (installed: v1.34.9+k3s1)`);
    expect(r.calls).toContain(`installer INSTALL_K3S_VERSION=${version} INSTALL_K3S_EXEC=server INSTALL_K3S_FORCE_RESTART=true`);
  });

  test("same version, changed config: writes it and restarts, no installer", () => {
    node.installed(version, "k3s").writeFile(K3S_CONFIG_FILE, "node-name: old\n");
    node.writeFile(K3S_SECRETS_FILE, secretsConfigYaml(asuna, home, { token: TOKEN }), 0o600);
    const r = node.run(script(asuna), stdin(asuna));
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("applying changes (config.yaml) and restarting k3s");
    expect(r.calls).toContain("systemctl restart k3s");
    expect(r.calls.some((c) => c.startsWith("curl") || c.startsWith("installer"))).toBe(false);
    expect(node.read(K3S_CONFIG_FILE)).toBe(renderNodeConfig(asuna, home));
  });

  test("same version and config but stopped (e.g. after a removal): enables and restarts", () => {
    node.run(script(asuna), stdin(asuna));
    fs.rmSync(path.join(node.state, "active-k3s"));
    const r = node.run(script(asuna), stdin(asuna));
    expect(r.code).toBe(0);
    expect(r.calls).toEqual(expect.arrayContaining(["systemctl enable k3s", "systemctl restart k3s"]));
  });

  test("agent on a GPU node with the NVIDIA runtime: installs as agent and passes the GPU check", () => {
    node.writeFile(CONTAINERD_CONFIG_FILE, NVIDIA_TOML);
    const r = node.run(script(pesubuntu), stdin(pesubuntu));
    expect(r.code).toBe(0);
    expect(r.calls).toContain(`installer INSTALL_K3S_VERSION=${version} INSTALL_K3S_EXEC=agent INSTALL_K3S_FORCE_RESTART=true`);
    expect(r.stderr).toContain("GPU check: k3s configured the NVIDIA container runtime");
  });

  test("GPU node without the NVIDIA runtime: clear failure, non-zero exit", () => {
    node.writeFile(CONTAINERD_CONFIG_FILE, 'version = 3\n[plugins."io.containerd.cri.v1.runtime".containerd.runtimes.runc]\n');
    const r = node.run(script(pesubuntu), stdin(pesubuntu));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/ERROR: GPU check: node pesubuntu is marked gpu but k3s found no NVIDIA container runtime/);
    expect(r.stderr).toContain("Install the NVIDIA driver and the NVIDIA Container Toolkit");
    expect(r.stderr).toContain("systemctl restart k3s-agent");
  });

  test("GPU node whose containerd config never appears: fails naming the file", () => {
    const r = node.run(script(pesubuntu), stdin(pesubuntu));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`${CONTAINERD_CONFIG_FILE} does not exist after 0s`);
  });

  test("standalone GPU check script", () => {
    const gpu = gpuCheckScript({ nodeName: "pesubuntu", role: "agent", gpuWaitSeconds: 5 });
    expect(node.run(gpu).code).not.toBe(0);
    node.writeFile(CONTAINERD_CONFIG_FILE, NVIDIA_TOML);
    expect(node.run(gpu).code).toBe(0);
  });

  test("refuses a machine running the other k3s role", () => {
    node.setState("active-k3s");
    const r = node.run(script(pesubuntu), stdin(pesubuntu));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("k3s is running here: this machine has another k3s role");
  });

  test("no stdin, failed download, installer checksum mismatch", () => {
    let r = node.run(script(asuna), "");
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("expected the owner id and the secrets file on stdin");
    r = node.run(script(asuna), `${OWNER}\n# no token\n`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("no join token in the secrets on stdin");
    node.setState("curl-fails");
    r = node.run(script(asuna), stdin(asuna));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("could not download the k3s installer from https://get.k3s.io");
    fs.rmSync(path.join(node.state, "curl-fails"));
    r = node.run(script(asuna, home, { installerSha256: "0".repeat(64) }), stdin(asuna));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/the installer from https:\/\/get\.k3s\.io has sha256 [0-9a-f]{64}, expected 0{64}/);
    expect(r.calls.some((c) => c.startsWith("installer"))).toBe(false);
  });

  test("an installer that never returns (k3s never reports ready) fails at the install bound, naming what to check", () => {
    node.setState("installer-hangs");
    const r = node.run(script(pesubuntu), stdin(pesubuntu), { INSTALL_TIMEOUT: "0.3" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ERROR: the k3s installer (k3s did not report ready: see journalctl -u k3s-agent on this node");
    expect(r.stderr).toContain("did not finish within 0.3s");
    expect(node.read("/var/lib/rancher/k3s-pulumi/install.owner")).toBeUndefined();
  });

  test("a restart that never returns fails at the install bound", () => {
    node.run(script(asuna), stdin(asuna));
    node.setState("restart-hangs");
    const changed = resolveCluster({ ...homelabArgs(), disable: ["servicelb"] });
    const r = node.run(script(changed.nodes[0], changed), stdin(asuna), { INSTALL_TIMEOUT: "0.3" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("ERROR: systemctl restart k3s (k3s did not report ready: see journalctl -u k3s on this node");
    expect(r.stderr).toContain("did not finish within 0.3s");
  });
});

describe("wait-for-Ready, drain and node deletion (stub kubectl on the first server)", () => {
  const home = resolveCluster(homelabArgs());
  const pesubuntu = home.nodes[1];
  const ready = (timeout = 30) => waitReadyScript({
    nodeName: "pesubuntu", version: home.version, digest: nodeDigest(pesubuntu, home), labels: pesubuntu.labels,
    taints: ["nvidia.com/gpu=present:NoSchedule"], timeoutSeconds: timeout,
  });
  let node: StubNode;
  beforeEach(() => { node = new StubNode(); });
  afterEach(() => node.cleanup());

  test("Ready at the wanted version: applies labels and taints, claims the marker", () => {
    node.setState("node-pesubuntu", `True ${home.version}`);
    const r = node.run(ready(), `${OWNER}\n`);
    expect(r.code).toBe(0);
    expect(r.calls).toContain("kubectl label node pesubuntu --overwrite homelab.pesulabs.net/role-compute=true homelab.pesulabs.net/role-gpu=true");
    expect(r.calls).toContain("kubectl taint node pesubuntu --overwrite nvidia.com/gpu=present:NoSchedule");
    expect(node.read("/var/lib/rancher/k3s-pulumi/ready-pesubuntu.owner")).toBe(`${OWNER}\n`);
  });

  test("still at the old version (or NotReady): times out with the last status", () => {
    node.setState("node-pesubuntu", "True v1.34.9+k3s1");
    const r = node.run(ready(), `${OWNER}\n`, { READY_TIMEOUT: "0" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`node pesubuntu did not become Ready at ${home.version} within 0s (last seen: True v1.34.9+k3s1)`);
    expect(r.calls.some((c) => c.startsWith("kubectl label"))).toBe(false);
  });

  test("an API server that does not answer cannot stall the wait: each kubectl call is bounded", () => {
    node.setState("node-pesubuntu", `True ${home.version}`).setState("kubectl-hangs");
    const r = node.run(ready(), `${OWNER}\n`, { READY_TIMEOUT: "0", KUBECTL_TIMEOUT: "0.3" });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`node pesubuntu did not become Ready at ${home.version} within 0s (last seen: not registered)`);
  });

  test("not registered yet: times out saying so", () => {
    const r = node.run(ready(), `${OWNER}\n`, { READY_TIMEOUT: "0" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("(last seen: not registered)");
  });

  test("drain on removal: cordons and drains; a replaced command (other owner) does not", () => {
    node.setState("node-pesubuntu", `True ${home.version}`);
    node.run(ready(), `${OWNER}\n`);
    const drain = drainScript({ nodeName: "pesubuntu", drainTimeoutSeconds: 300 });

    const skipped = node.run(drain, `${OTHER_OWNER}\n`);
    expect(skipped.code).toBe(0);
    expect(skipped.stderr).toContain("was replaced, not removed; not draining");
    expect(skipped.calls.some((c) => c.startsWith("kubectl drain"))).toBe(false);

    const r = node.run(drain, `${OWNER}\n`);
    expect(r.code).toBe(0);
    expect(r.calls).toContain("kubectl cordon pesubuntu");
    expect(r.calls).toContain("kubectl drain pesubuntu --ignore-daemonsets --delete-emptydir-data --timeout=300s");
    expect(node.read("/var/lib/rancher/k3s-pulumi/ready-pesubuntu.owner")).toBeUndefined();
  });

  test("drain blocked: fails with the reason to fix", () => {
    node.setState("node-pesubuntu", `True ${home.version}`).setState("drain-fails");
    const r = node.run(drainScript({ nodeName: "pesubuntu", drainTimeoutSeconds: 60 }), `${OWNER}\n`);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("could not drain node pesubuntu within 60s (a PodDisruptionBudget");
  });

  test("drain of a node that is gone: nothing to do", () => {
    const r = node.run(drainScript({ nodeName: "pesubuntu", drainTimeoutSeconds: 60 }), `${OWNER}\n`);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("node is not registered; nothing to drain");
  });

  test("membership: delete removes the Node unless the command was replaced", () => {
    expect(node.run(membershipScript({ nodeName: "pesubuntu" }), `${OWNER}\n`).code).toBe(0);
    const del = deleteNodeScript({ nodeName: "pesubuntu" });
    const skipped = node.run(del, `${OTHER_OWNER}\n`);
    expect(skipped.calls.some((c) => c.startsWith("kubectl delete"))).toBe(false);
    const r = node.run(del, `${OWNER}\n`);
    expect(r.code).toBe(0);
    expect(r.calls).toContain("kubectl delete node pesubuntu --ignore-not-found");
  });
});

describe("removal on the machine itself", () => {
  let node: StubNode;
  beforeEach(() => { node = new StubNode(); });
  afterEach(() => node.cleanup());
  const claimInstall = (owner: string) => node.writeFile("/var/lib/rancher/k3s-pulumi/install.owner", `${owner}\n`);

  test("default: stop and disable k3s, stop containers, keep it installed", () => {
    claimInstall(OWNER);
    node.installed("v1.35.8+k3s1", "k3s-agent");
    const r = node.run(removeFromMachineScript({ nodeName: "pesubuntu", role: "agent", uninstall: false, uninstallTimeoutSeconds: 600 }), `${OWNER}\nrest-is-ignored\n`);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual(["systemctl disable --now k3s-agent", "k3s-killall.sh "]);
    expect(node.hasState("active-k3s-agent")).toBe(false);
    expect(node.read("/var/lib/rancher/k3s-pulumi/install.owner")).toBeUndefined();
  });

  test("unit already gone: still succeeds", () => {
    node.setState("unit-missing");
    const r = node.run(removeFromMachineScript({ nodeName: "dev", role: "server", uninstall: false, uninstallTimeoutSeconds: 600 }), `${OWNER}\n`);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("could not disable k3s (not installed? or no answer within 60s); continuing");
  });

  test("explicit uninstall runs k3s's uninstall script for the role", () => {
    claimInstall(OWNER);
    const r = node.run(uninstallScript({ nodeName: "pesubuntu", role: "agent", uninstallTimeoutSeconds: 600 }), `${OWNER}\n`);
    expect(r.code).toBe(0);
    expect(r.calls).toEqual(["k3s-agent-uninstall.sh "]);
    const s = node.run(uninstallScript({ nodeName: "asuna", role: "server", uninstallTimeoutSeconds: 600 }), `${OWNER}\n`);
    expect(s.calls).toEqual(["k3s-uninstall.sh "]);
  });

  test("removal requested through the Node annotation (uninstallRemovedNodes): uninstalls", () => {
    claimInstall(OWNER);
    node.writeFile(KUBELET_KUBECONFIG_FILE, "fake kubelet kubeconfig\n", 0o600);
    node.setState("node-pesubuntu", "True v1.35.8+k3s1");
    node.setState("annotations-pesubuntu", '{"flannel.alpha.coreos.com/backend-type":"vxlan","k3s-pulumi/on-remove":"uninstall"}');
    const r = node.run(removeFromMachineScript({ nodeName: "pesubuntu", role: "agent", uninstall: false, uninstallTimeoutSeconds: 600 }), `${OWNER}\n`);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("the cluster asked to uninstall k3s from this removed node");
    expect(r.calls).toContain(`kubectl --kubeconfig ${node.path(KUBELET_KUBECONFIG_FILE)} get node pesubuntu -o jsonpath={.metadata.annotations}`);
    expect(r.calls[r.calls.length - 1]).toBe("k3s-agent-uninstall.sh ");
  });

  test("other annotations only: stops, does not uninstall", () => {
    claimInstall(OWNER);
    node.writeFile(KUBELET_KUBECONFIG_FILE, "fake kubelet kubeconfig\n", 0o600);
    node.setState("node-pesubuntu", "True v1.35.8+k3s1");
    node.setState("annotations-pesubuntu", '{"k3s-pulumi/on-remove":"stop"}');
    const r = node.run(removeFromMachineScript({ nodeName: "pesubuntu", role: "agent", uninstall: false, uninstallTimeoutSeconds: 600 }), `${OWNER}\n`);
    expect(r.code).toBe(0);
    expect(r.calls).toContain("systemctl disable --now k3s-agent");
    expect(r.calls.some((c) => c.includes("uninstall.sh"))).toBe(false);
  });

  test("replaced command (a newer owner claimed the machine): leaves k3s alone", () => {
    claimInstall(OTHER_OWNER);
    for (const uninstall of [false, true]) {
      const r = node.run(removeFromMachineScript({ nodeName: "pesubuntu", role: "agent", uninstall, uninstallTimeoutSeconds: 600 }), `${OWNER}\n`);
      expect(r.code).toBe(0);
      expect(r.calls).toEqual([]);
      expect(r.stderr).toContain("another Pulumi resource now manages k3s on this machine");
    }
  });
});

describe("removal requests on the first server", () => {
  test("annotates registered removed nodes, skips unknown ones", () => {
    const node = new StubNode();
    try {
      node.setState("node-pesubuntu", "True v1.35.8+k3s1");
      const r = node.run(removalRequestScript({ firstServer: "asuna", nodeNames: ["pesubuntu", "gone"] }));
      expect(r.code).toBe(0);
      expect(r.calls).toContain("kubectl annotate node pesubuntu --overwrite k3s-pulumi/on-remove=uninstall");
      expect(r.calls.some((c) => c.includes("annotate node gone"))).toBe(false);
      expect(r.stderr).toContain("node gone is not registered; nothing to mark");
    } finally {
      node.cleanup();
    }
  });
});

describe("remote command wrapper", () => {
  let node: StubNode;
  beforeEach(() => { node = new StubNode(); });
  afterEach(() => node.cleanup());

  test("runs the script through sh with stdin passed through (as root here)", () => {
    const cmd = asRemoteCommand(membershipScript({ nodeName: "pesubuntu" }), "k3s-membership-pesubuntu", 60);
    const r = node.runCommandString(cmd, `${OWNER}\n`);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("[k3s pesubuntu] membership recorded");
    expect(node.read("/var/lib/rancher/k3s-pulumi/member-pesubuntu.owner")).toBe(`${OWNER}\n`);
  });

  test("a step that hangs is cut off at its bound, naming the step; failures keep their status", () => {
    const hung = node.runCommandString(asRemoteCommand("#!/bin/sh\necho started >&2\nsleep 30\n", "k3s-install-asuna", 1));
    expect(hung.code).toBe(124);
    expect(hung.stderr).toContain("started");
    expect(hung.stderr).toContain("[k3s-install-asuna] ERROR: gave up after 1s");
    const failed = node.runCommandString(asRemoteCommand("#!/bin/sh\nexit 3\n", "k3s-x", 5));
    expect(failed.code).toBe(3);
    expect(failed.stderr).not.toContain("gave up");
    expect(() => asRemoteCommand("true", "k3s-x", 0)).toThrow(/positive number of seconds/);
  });
});

describe("generated scripts pass shellcheck", () => {
  test("every script of every stack (POSIX sh)", async () => {
    const r = await shellcheckRun;
    if (r.missing) {
      throw new Error("shellcheck is required for this test but was not found on PATH. Install it: " +
        "`apt-get install -y shellcheck` (Debian/Ubuntu), `brew install shellcheck` (macOS), or see https://github.com/koalaman/shellcheck#installing");
    }
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
    expect(r.files).toBeGreaterThan(40);
  });
});
