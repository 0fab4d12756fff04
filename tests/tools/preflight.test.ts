// Preflight's judgement of what a node reports (the SSH round trip itself is exercised against a
// real OpenSSH server by tests/integration/preflight.sh).
import { spawnSync } from "node:child_process";
import * as path from "node:path";
import { Fact, PreflightNode, addressesIn, checkNode, isTailnetAddress, judge, parseProbe, reachCheck, sshArgs } from "../../tools/lib/preflight";
import { ROOT } from "../harness";

const node: PreflightNode = { name: "gpu1", index: 1, ssh: { host: "100.86.122.109", user: "ubuntu", port: 2222 }, address: "100.86.122.109", lanAddress: "192.168.8.129", gpu: true };

function report(parts: Record<string, [number, string]>): string {
  return Object.entries(parts).map(([k, [rc, out]]) => `@${k}\nrc=${rc}\n${out}\n`).join("") + "@end\n";
}

const READY = {
  sudo: [0, ""],
  addresses: [0, "1: lo    inet 127.0.0.1/8 scope host lo\n2: eth0    inet 192.168.8.129/24 brd 192.168.8.255 scope global eth0\n3: tailscale0    inet 100.86.122.109/32 scope global tailscale0\n3: tailscale0    inet6 fd7a:115c:a1e0::1/128 scope global"],
  tailscale: [0, "100.86.122.109 gpu1 me@ linux -"],
  "nvidia-smi": [0, "GPU 0: NVIDIA GeForce RTX 3090 (UUID: GPU-1)"],
  "nvidia-ctk": [0, "NVIDIA Container Toolkit CLI version 1.17.8"],
  disk: [0, "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/nvme0n1p2 490691512 1 104857600 20% /"],
} as Record<string, [number, string]>;

const failing = (checks: { check: string; ok: boolean }[]) => checks.filter((c) => !c.ok).map((c) => c.check);

describe("preflight judgement", () => {
  it("a ready GPU node on a tailnet passes every check", () => {
    const checks = checkNode(node, { code: 0, stdout: report(READY), stderr: "" });
    expect(checks.map((c) => [c.check, c.ok])).toEqual([
      ["ssh", true], ["root", true], ["address", true], ["lanAddress", true], ["tailscale", true], ["nvidia-driver", true], ["nvidia-toolkit", true], ["disk", true],
    ]);
    expect(checks.find((c) => c.check === "disk")!.detail).toBe("100.0 GiB free on /");
  });

  it("each missing piece fails its own check, with a fix that names what to do", () => {
    const facts = parseProbe(report({
      ...READY,
      sudo: [1, "sudo: a password is required"],
      addresses: [0, "2: eth0    inet 192.168.8.129/24 scope global eth0"],
      tailscale: [1, "Logged out."],
      "nvidia-smi": [127, "sh: nvidia-smi: not found"],
      "nvidia-ctk": [127, ""],
      disk: [0, "Filesystem 1024-blocks Used Available Capacity Mounted on\n/dev/sda1 1000 1 1048576 99% /var/lib"],
    }));
    const checks = judge(node, facts);
    expect(failing(checks)).toEqual(["root", "address", "tailscale", "nvidia-driver", "nvidia-toolkit", "disk"]);
    const fix = (c: string) => checks.find((x) => x.check === c)!.fix!;
    expect(fix("root")).toContain("echo 'ubuntu ALL=(ALL) NOPASSWD: ALL' | sudo tee /etc/sudoers.d/ubuntu");
    expect(fix("address")).toMatch(/sudo tailscale up.*homelab:nodes\[1\]\.address/);
    expect(checks.find((c) => c.check === "address")!.detail).toBe("100.86.122.109 is not an address of this machine (it has 192.168.8.129)");
    expect(fix("nvidia-driver")).toMatch(/ubuntu-drivers install/);
    expect(fix("nvidia-toolkit")).toMatch(/nvidia-container-toolkit/);
    expect(checks.find((c) => c.check === "disk")!.detail).toBe("1.0 GiB free on /var/lib, below the 20.0 GiB images and local-path volumes need");
  });

  it("checks Tailscale only for tailnet addresses, and the GPU only on gpu nodes", () => {
    const lan: PreflightNode = { ...node, ssh: { ...node.ssh, host: "192.168.8.129" }, address: "192.168.8.129", lanAddress: undefined, gpu: false };
    const facts = parseProbe(report({ ...READY, tailscale: [127, ""], "nvidia-smi": [127, ""], "nvidia-ctk": [127, ""] }));
    expect(judge(lan, facts).map((c) => c.check)).toEqual(["root", "address", "disk"]);
    expect(isTailnetAddress("100.64.0.1")).toBe(true);
    expect(isTailnetAddress("100.127.255.254")).toBe(true);
    expect(isTailnetAddress("100.128.0.1")).toBe(false);
    expect(isTailnetAddress("100.63.0.1")).toBe(false);
    expect(isTailnetAddress("fd7a:115c:a1e0::1")).toBe(true);
  });

  it("the disk threshold is an option", () => {
    const facts = parseProbe(report(READY));
    expect(failing(judge(node, facts, { minFreeBytes: 200 * 1024 ** 3 }))).toEqual(["disk"]);
  });

  it("reads addresses from ip -o addr, IPv6 included", () => {
    expect(addressesIn(READY.addresses[1])).toEqual(["127.0.0.1", "192.168.8.129", "100.86.122.109", "fd7a:115c:a1e0::1"]);
  });

  it("an unreachable node is one failed ssh check whose fix follows ssh's reason", () => {
    const run = (stderr: string, code: number | null = 255) => reachCheck(node, { code, stdout: "", stderr });
    expect(run("ubuntu@100.86.122.109: Permission denied (publickey).").fix).toMatch(/ssh-copy-id -p 2222 ubuntu@100\.86\.122\.109/);
    expect(run("ssh: connect to host 100.86.122.109 port 2222: Connection refused").fix).toMatch(/nothing listens for SSH.*homelab:nodes\[1\]\.ssh\.port/);
    expect(run("ssh: connect to host 100.86.122.109 port 2222: Connection timed out").fix).toMatch(/machine is on and reachable/);
    expect(run("ssh: Could not resolve hostname nas: Name or service not known").fix).toMatch(/does not resolve/);
    // Logged in, but the probe's output stops early: not reachable in the sense that matters.
    const cut = reachCheck(node, { code: 1, stdout: "@sudo\nrc=0\n", stderr: "" });
    expect([cut.ok, cut.fix]).toEqual([false, expect.stringMatching(/did not finish/)]);
    expect(checkNode(node, { code: 255, stdout: "", stderr: "Connection refused" }).map((c) => c.check)).toEqual(["ssh"]);
  });

  it("parses each section's exit status and output", () => {
    const f = parseProbe("@sudo\nrc=1\nsudo: a password is required\n@disk\nrc=0\nline1\nline2\n@end\n");
    expect(f.get("sudo")).toEqual<Fact>({ rc: 1, out: "sudo: a password is required" });
    expect(f.get("disk")).toEqual<Fact>({ rc: 0, out: "line1\nline2" });
  });
});

describe("preflight's ssh command", () => {
  it("uses the node's user, host and port, batch mode, and lets the user's -o options win", () => {
    const args = sshArgs(node, { identity: "/k/id", sshOptions: ["StrictHostKeyChecking=yes"], connectTimeoutSeconds: 3 });
    expect(args.slice(-6)).toEqual(["-p", "2222", "-l", "ubuntu", "100.86.122.109", "sh -s"]);
    // ssh keeps the first value of an option: the user's must come before the defaults.
    expect(args.indexOf("StrictHostKeyChecking=yes")).toBeLessThan(args.indexOf("StrictHostKeyChecking=accept-new"));
    expect(args).toEqual(expect.arrayContaining(["BatchMode=yes", "ConnectTimeout=3", "-i", "/k/id", "IdentitiesOnly=yes"]));
  });

  it("the probe script is POSIX sh that shellcheck accepts", () => {
    const probe = spawnSync("shellcheck", ["--version"]);
    if (probe.error) throw new Error("shellcheck is not installed (apt install shellcheck)");
    const r = spawnSync("shellcheck", ["-s", "sh", path.join(ROOT, "tools", "lib", "preflight-probe.sh")], { encoding: "utf8" });
    expect(r.stdout + r.stderr).toBe("");
    expect(r.status).toBe(0);
  });
});
