// `npm run doctor -- --preflight`: before the first `pulumi up`, reach every node the way the program
// will (SSH, its user, its port), run preflight-probe.sh there and judge what it reports. Each
// failed check comes with its fix. The probe only reports; every judgement is here, pure and tested.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

/** What preflight needs to know of a node (from the validated stack config). */
export interface PreflightNode {
  readonly name: string;
  /** Index in homelab:nodes, for the config path in fixes. */
  readonly index: number;
  readonly ssh: { readonly host: string; readonly user: string; readonly port: number };
  readonly address: string;
  readonly lanAddress?: string;
  readonly gpu: boolean;
}

export interface PreflightOptions {
  /** Private key file (`ssh -i`); default: ssh-agent and ssh's default keys. */
  readonly identity?: string;
  /** Extra `ssh -o` options, "Key=Value"; they win over the defaults below. */
  readonly sshOptions?: readonly string[];
  /** Seconds to wait for a connection (default 10). */
  readonly connectTimeoutSeconds?: number;
  /** Free disk space a node needs under /var/lib/rancher (default 20 GiB). */
  readonly minFreeBytes?: number;
}

export const DEFAULT_MIN_FREE_BYTES = 20 * 1024 ** 3;

export interface Check {
  readonly check: string;
  readonly ok: boolean;
  readonly detail: string;
  readonly fix?: string;
}

export interface ProbeRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface Fact {
  readonly rc: number;
  readonly out: string;
}

const PROBE = path.join(__dirname, "preflight-probe.sh");

/** Tailscale hands out 100.64.0.0/10 (CGNAT) IPv4 addresses and fd7a:115c:a1e0::/48 IPv6 ones. */
export function isTailnetAddress(a: string): boolean {
  const v4 = /^(\d+)\.(\d+)\.\d+\.\d+$/.exec(a);
  if (v4) return Number(v4[1]) === 100 && Number(v4[2]) >= 64 && Number(v4[2]) < 128;
  return a.toLowerCase().startsWith("fd7a:115c:a1e0:");
}

/** ssh's arguments for one node; the probe script goes to the remote `sh -s` on stdin. */
export function sshArgs(n: PreflightNode, o: PreflightOptions = {}): string[] {
  // ssh keeps the first value it is given for an option: the user's options come first.
  const opts = [
    ...(o.sshOptions ?? []),
    "BatchMode=yes",
    `ConnectTimeout=${o.connectTimeoutSeconds ?? 10}`,
    "StrictHostKeyChecking=accept-new",
    "ServerAliveInterval=5",
    "ServerAliveCountMax=3",
  ];
  return [
    ...opts.flatMap((x) => ["-o", x]),
    ...(o.identity ? ["-i", o.identity, "-o", "IdentitiesOnly=yes"] : []),
    "-p",
    String(n.ssh.port),
    "-l",
    n.ssh.user,
    n.ssh.host,
    "sh -s",
  ];
}

/** "@section" lines, each followed by "rc=N" and the command's output. */
export function parseProbe(stdout: string): Map<string, Fact> {
  const facts = new Map<string, Fact>();
  const parts = stdout.split(/^@([a-z0-9-]+)\n/m);
  for (let i = 1; i < parts.length; i += 2) {
    const body = parts[i + 1] ?? "";
    const m = /^rc=(\d+)\n?/.exec(body);
    facts.set(parts[i], { rc: m ? Number(m[1]) : -1, out: (m ? body.slice(m[0].length) : body).trimEnd() });
  }
  return facts;
}

const firstLine = (s: string) => s.split("\n").find((l) => l.trim() !== "")?.trim() ?? "";
const lastLine = (s: string) => s.split("\n").filter((l) => l.trim() !== "").pop()?.trim() ?? "";
const gib = (bytes: number) => `${(bytes / 1024 ** 3).toFixed(1)} GiB`;

/** Addresses in `ip -o addr show` output. */
export function addressesIn(ipOutput: string): string[] {
  return [...ipOutput.matchAll(/\binet6? ([0-9A-Fa-f.:]+)\//g)].map((m) => m[1].toLowerCase());
}

function where(n: PreflightNode): string {
  return `${n.ssh.user}@${n.ssh.host} -p ${n.ssh.port}`;
}

/** The check when ssh itself failed (exit 255) or the probe did not finish. */
export function reachCheck(n: PreflightNode, run: ProbeRun): Check {
  const finished = /^@end$/m.test(run.stdout);
  if (run.code !== 255 && finished) return { check: "ssh", ok: true, detail: `reachable as ${n.ssh.user}` };
  const why = lastLine(run.stderr) || (run.code === null ? "ssh was stopped" : `ssh exited ${run.code}`);
  let fix: string;
  if (/permission denied/i.test(why)) {
    fix = `install your public key for ${n.ssh.user} on the node (ssh-copy-id -p ${n.ssh.port} ${n.ssh.user}@${n.ssh.host}) and offer the private key: ssh-agent (ssh-add) or --identity <file>; the key must work without a passphrase prompt (the same key goes into homelab:sshPrivateKey)`;
  } else if (/host key verification failed|REMOTE HOST IDENTIFICATION HAS CHANGED/i.test(run.stderr)) {
    fix = `the node's host key differs from the one in ~/.ssh/known_hosts: if the machine was reinstalled, run ssh-keygen -R ${n.ssh.host} and connect once by hand`;
  } else if (/connection refused/i.test(why)) {
    fix = `nothing listens for SSH on ${n.ssh.host}:${n.ssh.port}: on the node run sudo apt install openssh-server && sudo systemctl enable --now ssh, or correct homelab:nodes[${n.index}].ssh.port`;
  } else if (/could not resolve|name or service not known/i.test(why)) {
    fix = `${n.ssh.host} does not resolve: correct homelab:nodes[${n.index}].ssh.host (default: the node's address)`;
  } else if (!finished && run.code !== 255) {
    fix = `logged in, but the probe did not finish (exit ${run.code}): run ssh ${where(n)} 'sh -s' < tools/lib/preflight-probe.sh by hand to see why`;
  } else {
    fix = `check that the machine is on and reachable from here at ${n.ssh.host}:${n.ssh.port} (on a tailnet: tailscale status on this workstation lists it), then ssh ${where(n)} by hand`;
  }
  return { check: "ssh", ok: false, detail: `cannot run commands over SSH as ${n.ssh.user}@${n.ssh.host}:${n.ssh.port}: ${why}`, fix };
}

/** Every check after a successful login, from the probe's facts. */
export function judge(n: PreflightNode, facts: Map<string, Fact>, o: PreflightOptions = {}): Check[] {
  const checks: Check[] = [];
  const fact = (k: string): Fact => facts.get(k) ?? { rc: -1, out: "(not reported)" };

  const sudo = fact("sudo");
  checks.push(
    sudo.rc === 0
      ? { check: "root", ok: true, detail: sudo.out === "root" ? "logged in as root" : "password-less sudo works (sudo -n true)" }
      : {
          check: "root",
          ok: false,
          detail: `${n.ssh.user} cannot become root without a password: ${firstLine(sudo.out) || `sudo -n true exited ${sudo.rc}`}`,
          fix: `on the node: echo '${n.ssh.user} ALL=(ALL) NOPASSWD: ALL' | sudo tee /etc/sudoers.d/${n.ssh.user} && sudo chmod 440 /etc/sudoers.d/${n.ssh.user} (or set homelab:nodes[${n.index}].ssh.user to root)`,
        },
  );

  const ip = fact("addresses");
  const have = addressesIn(ip.out);
  const wanted: [string, string][] = [["address", n.address], ...(n.lanAddress ? [["lanAddress", n.lanAddress] as [string, string]] : [])];
  for (const [field, a] of wanted) {
    if (ip.rc !== 0) {
      checks.push({ check: field, ok: false, detail: `could not list the node's addresses: ${firstLine(ip.out) || `ip exited ${ip.rc}`}`, fix: "install iproute2 on the node (sudo apt install iproute2)" });
    } else if (have.includes(a.toLowerCase())) {
      checks.push({ check: field, ok: true, detail: `${a} is on the machine` });
    } else {
      const tailnet = isTailnetAddress(a);
      checks.push({
        check: field,
        ok: false,
        detail: `${a} is not an address of this machine (it has ${have.filter((x) => x !== "127.0.0.1" && x !== "::1").join(", ") || "none but loopback"})`,
        fix: tailnet
          ? `bring Tailscale up on the node (sudo tailscale up) and compare tailscale ip -4 with homelab:nodes[${n.index}].${field}`
          : `set homelab:nodes[${n.index}].${field} to one of the machine's addresses (ip -o addr), or fix the node's network`,
      });
    }
  }

  if (wanted.some(([, a]) => isTailnetAddress(a)) || isTailnetAddress(n.ssh.host)) {
    const ts = fact("tailscale");
    checks.push(
      ts.rc === 0
        ? { check: "tailscale", ok: true, detail: "tailscale status: up" }
        : {
            check: "tailscale",
            ok: false,
            detail: `the node's addresses are on a tailnet but Tailscale is not up: ${ts.rc === 127 ? "tailscale is not installed" : firstLine(ts.out) || `tailscale status exited ${ts.rc}`}`,
            fix:
              ts.rc === 127
                ? "install Tailscale on the node (curl -fsSL https://tailscale.com/install.sh | sh), then sudo tailscale up"
                : "on the node: sudo tailscale up (and sudo systemctl enable --now tailscaled so it survives a reboot)",
          },
    );
  }

  if (n.gpu) {
    const smi = fact("nvidia-smi");
    checks.push(
      smi.rc === 0
        ? { check: "nvidia-driver", ok: true, detail: firstLine(smi.out) || "nvidia-smi works" }
        : {
            check: "nvidia-driver",
            ok: false,
            detail: `the node has the gpu role but nvidia-smi ${smi.rc === 127 ? "is not installed" : `fails: ${firstLine(smi.out)}`}`,
            fix: "install the NVIDIA driver on the node (sudo ubuntu-drivers install, then reboot) until nvidia-smi -L lists the GPU; or remove the gpu role",
          },
    );
    const ctk = fact("nvidia-ctk");
    checks.push(
      ctk.rc === 0
        ? { check: "nvidia-toolkit", ok: true, detail: firstLine(ctk.out) || "nvidia-ctk works" }
        : {
            check: "nvidia-toolkit",
            ok: false,
            detail: `the node has the gpu role but the NVIDIA Container Toolkit ${ctk.rc === 127 ? "is not installed (no nvidia-ctk)" : `fails: ${firstLine(ctk.out)}`}`,
            fix: "install nvidia-container-toolkit from NVIDIA's apt repository (docs.nvidia.com/datacenter/cloud-native/container-toolkit/latest/install-guide.html) before k3s starts: k3s detects the runtime at start-up",
          },
    );
  }

  const df = fact("disk");
  const min = o.minFreeBytes ?? DEFAULT_MIN_FREE_BYTES;
  const row = df.out.split("\n").filter((l) => l.trim() !== "")[1]?.trim().split(/\s+/);
  const availKb = row ? Number(row[3]) : NaN;
  if (df.rc !== 0 || !Number.isFinite(availKb)) {
    checks.push({ check: "disk", ok: false, detail: `could not read free disk space: ${firstLine(df.out) || `df exited ${df.rc}`}`, fix: "run df -Pk /var/lib on the node and check it works" });
  } else {
    const free = availKb * 1024;
    const mount = row![5] ?? "?";
    checks.push(
      free >= min
        ? { check: "disk", ok: true, detail: `${gib(free)} free on ${mount}` }
        : {
            check: "disk",
            ok: false,
            detail: `${gib(free)} free on ${mount}, below the ${gib(min)} images and local-path volumes need`,
            fix: `free space on ${mount} (or grow the disk) until ${gib(min)} are free; k3s keeps images and volumes under /var/lib/rancher (--min-free-gb sets the threshold)`,
          },
    );
  }
  return checks;
}

/** Runs the probe on one node over SSH; resolves when ssh has closed its streams. */
export function probe(n: PreflightNode, o: PreflightOptions = {}, ssh = "ssh"): Promise<ProbeRun> {
  return new Promise((resolve) => {
    const p = spawn(ssh, sshArgs(n, o), { stdio: ["pipe", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    // A hung session after login would otherwise wait forever (ConnectTimeout covers only the connect).
    const limit = setTimeout(() => p.kill("SIGKILL"), ((o.connectTimeoutSeconds ?? 10) + 60) * 1000);
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.stdin.on("error", () => undefined); // ssh may exit before reading the script (unreachable)
    let failed = false;
    p.on("error", (e) => {
      // e.g. no ssh client installed: as unreachable as a refused connection (255 is ssh's own).
      failed = true;
      stderr += `${e.message}\n`;
    });
    p.on("close", (code) => {
      clearTimeout(limit);
      resolve({ code: failed ? 255 : code, stdout, stderr });
    });
    p.stdin.end(fs.readFileSync(PROBE));
  });
}

export interface NodeReport {
  readonly node: PreflightNode;
  readonly checks: Check[];
}

export function checkNode(n: PreflightNode, run: ProbeRun, o: PreflightOptions = {}): Check[] {
  const reach = reachCheck(n, run);
  return reach.ok ? [reach, ...judge(n, parseProbe(run.stdout), o)] : [reach];
}

export function formatReport(stack: string, reports: readonly NodeReport[]): { text: string; code: number } {
  const lines = [`preflight ${stack}: ${reports.length} node${reports.length === 1 ? "" : "s"} over SSH`];
  let failed = 0;
  let total = 0;
  for (const r of reports) {
    lines.push("", `${r.node.name}  (${r.node.ssh.user}@${r.node.ssh.host}:${r.node.ssh.port})`);
    for (const c of r.checks) {
      total++;
      if (!c.ok) failed++;
      lines.push(`  ${c.ok ? "ok  " : "FAIL"}  ${c.check.padEnd(14)} ${c.detail}`);
      if (!c.ok && c.fix) lines.push(`        fix: ${c.fix}`);
    }
  }
  lines.push("", failed ? `preflight: ${failed} of ${total} checks failed: fix them before pulumi up` : `preflight: all ${total} checks passed`);
  return { text: lines.join("\n"), code: failed ? 1 : 0 };
}

export async function preflight(stack: string, nodes: readonly PreflightNode[], o: PreflightOptions = {}): Promise<{ text: string; code: number }> {
  const reports = await Promise.all(nodes.map(async (n) => ({ node: n, checks: checkNode(n, await probe(n, o), o) })));
  return formatReport(stack, reports);
}
