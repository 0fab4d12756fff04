/**
 * The discovery sidecar's script, exercised for real: shellcheck, then its control flow against a tiny
 * fake Patroni (/primary answers 200 or 503, or nothing at all) and the recording fake kubectl that the
 * integration test uses too (tests/integration/fake-kubectl.sh).
 */
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as http from "http";
import { AddressInfo } from "net";
import * as os from "os";
import * as path from "path";

const ROOT = path.resolve(__dirname, "../..");
const SCRIPT = path.join(ROOT, "components/data/postgres/discovery-sidecar.sh");
const FAKE_KUBECTL = path.join(ROOT, "tests/integration/fake-kubectl.sh");
const NS = "db";
const ME = "10.42.0.11";
const OTHER = "10.42.0.12";
const TIMESTAMP = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ discovery\[10\.42\.0\.11\]: /;

function shellcheck(file: string): { status: number | null; output: string } {
  const r = spawnSync("shellcheck", ["-s", "sh", file], { encoding: "utf8" });
  if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") {
    throw new Error("shellcheck is not installed: install it (apt-get install -y shellcheck) — this test is never skipped");
  }
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

describe("shellcheck", () => {
  test.each([
    ["the sidecar script", SCRIPT],
    ["the fake kubectl", FAKE_KUBECTL],
  ])("%s is clean as POSIX sh", (_name, file) => {
    const r = shellcheck(file);
    expect(r.output).toBe("");
    expect(r.status).toBe(0);
  });

  test("the script has the sh shebang and explains the EndpointSlice choice at the top", () => {
    const text = fs.readFileSync(SCRIPT, "utf8");
    expect(text.startsWith("#!/bin/sh\n")).toBe(true);
    const header = text.slice(0, text.indexOf("set -u"));
    expect(header).toMatch(/EndpointSlice \(discovery\.k8s\.io\/v1\)/);
    expect(header).toMatch(/deprecates the\s+# v1 Endpoints API/);
    // Leadership comes from the status code, never from role names.
    const code = text.split("\n").filter((l) => !l.trimStart().startsWith("#")).join("\n");
    expect(code).toMatch(/--write-out '%\{http_code\}'/);
    expect(code).not.toMatch(/grep|role|master/);
  });
});

/** A fake Patroni REST API: /primary answers whatever `status` says. */
class FakePatroni {
  status = 503;
  private server = http.createServer((req, res) => {
    res.writeHead(req.url === "/primary" ? this.status : 404);
    res.end();
  });
  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** A port on 127.0.0.1 where nothing listens (connection refused). */
async function closedPortUrl(): Promise<string> {
  const s = http.createServer();
  await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

interface Event {
  verb: string;
  result: string;
  caller: string;
  addr: string;
}

class Harness {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "discovery-"));
  child?: ChildProcess;
  out = "";
  exited?: Promise<number | null>;

  constructor(initialSlice = "") {
    fs.writeFileSync(this.file("slice"), initialSlice ? `${initialSlice}\n` : "");
  }
  file(name: string): string {
    return path.join(this.dir, name);
  }
  start(patroniUrl: string, extraEnv: Record<string, string> = {}): void {
    this.child = spawn("sh", [SCRIPT], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        POD_IP: ME,
        NAMESPACE: NS,
        PATRONI_URL: patroniUrl,
        POLL_INTERVAL: "0.1",
        HTTP_TIMEOUT: "1",
        KUBECTL: `sh ${FAKE_KUBECTL}`,
        FAKE_KUBE_DIR: this.dir,
        FAKE_KUBE_NAMESPACE: NS,
        ...extraEnv,
      },
      stdio: ["ignore", "pipe", "pipe"],
      // Its own process group, so cleanup can end the sidecar together with its curl/kubectl/sleep.
      detached: true,
    });
    this.child.stdout!.on("data", (d) => (this.out += d));
    this.child.stderr!.on("data", (d) => (this.out += d));
    // 'close', not 'exit': only then have stdout and stderr been read to the end, so `out` is complete.
    this.exited = new Promise((resolve) => this.child!.on("close", (code) => resolve(code)));
  }
  slice(): string {
    return fs.readFileSync(this.file("slice"), "utf8").trim();
  }
  setSlice(addr: string): void {
    fs.writeFileSync(this.file("slice"), `${addr}\n`);
  }
  /** The non-empty lines of one of the recorder's logs (none before it first wrote). */
  private lines(name: string): string[] {
    const f = this.file(name);
    return fs.existsSync(f) ? fs.readFileSync(f, "utf8").trim().split("\n").filter(Boolean) : [];
  }
  events(): Event[] {
    return this.lines("events.log").map((line) => {
      const [, verb, result, caller, addr] = line.split(" ");
      return { verb, result, caller: caller.replace("caller=", ""), addr: addr.replace("addr=", "") };
    });
  }
  patches(): Array<{ type: string; body: unknown }> {
    return this.lines("calls.log").map((line) => {
      const [type, body] = line.split("\t");
      return { type, body: JSON.parse(body) };
    });
  }
  /**
   * Returns as soon as `cond` holds. The deadline only bounds a hang: on a busy machine the first poll
   * (sh, curl, the fake kubectl) took over 2 s, so it is generous and never a speed assertion.
   */
  async waitFor(what: string, cond: () => boolean, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!cond()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; sidecar log:\n${this.out}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  /** Lets the sidecar poll a few times (POLL_INTERVAL is 0.1 s). */
  async polls(n: number): Promise<void> {
    await new Promise((r) => setTimeout(r, n * 100 + 50));
  }
  async stop(): Promise<number | null> {
    if (!this.child || this.child.exitCode !== null) return this.child?.exitCode ?? null;
    this.child.kill("SIGTERM");
    // A bound on a hang, not a speed requirement (see waitFor).
    let handle: NodeJS.Timeout | undefined;
    const timer = new Promise<"timeout">((r) => (handle = setTimeout(() => r("timeout"), 15_000)));
    const code = await Promise.race([this.exited!, timer]);
    clearTimeout(handle);
    if (code === "timeout") {
      this.child.kill("SIGKILL");
      throw new Error("sidecar did not exit within 15 s of SIGTERM");
    }
    return code;
  }
  cleanup(): void {
    if (this.child?.pid !== undefined) {
      try {
        process.kill(-this.child.pid, "SIGKILL");
      } catch {
        // the group is already gone
      }
    }
    fs.rmSync(this.dir, { recursive: true, force: true, maxRetries: 5, retryDelay: 50 });
  }
}

describe("discovery sidecar control flow", () => {
  let patroni: FakePatroni;
  let url: string;
  const harnesses: Harness[] = [];
  const harness = (slice = ""): Harness => {
    const h = new Harness(slice);
    harnesses.push(h);
    return h;
  };

  beforeEach(async () => {
    patroni = new FakePatroni();
    url = await patroni.start();
  });
  afterEach(async () => {
    const errors: unknown[] = [];
    for (const h of harnesses.splice(0)) {
      try {
        h.cleanup();
      } catch (e) {
        errors.push(e);
      }
    }
    await patroni.stop();
    if (errors.length > 0) throw errors[0];
  });

  test("claims when /primary answers 200, releases on 503, logs each transition, exits 0 on SIGTERM", async () => {
    const h = harness();
    patroni.status = 200;
    h.start(url, { POD_NAME: "postgres-0" });
    await h.waitFor("the claim", () => h.out.includes("became primary"));
    expect(h.slice()).toBe(ME);
    expect(h.patches()).toEqual([
      {
        type: "merge",
        body: {
          endpoints: [
            {
              addresses: [ME],
              conditions: { ready: true, serving: true, terminating: false },
              targetRef: { kind: "Pod", namespace: NS, name: "postgres-0" },
            },
          ],
        },
      },
    ]);
    await h.polls(3);
    expect(h.events().filter((e) => e.verb === "CLAIM")).toHaveLength(1); // no re-patching while it holds

    patroni.status = 503;
    await h.waitFor("the release", () => h.out.includes("lost primary"));
    expect(h.slice()).toBe("");
    expect(h.patches()[1]).toEqual({
      type: "json",
      body: [
        { op: "test", path: "/endpoints/0/addresses/0", value: ME },
        { op: "replace", path: "/endpoints", value: [] },
      ],
    });

    const started = Date.now();
    expect(await h.stop()).toBe(0);
    expect(Date.now() - started).toBeLessThan(1000);
    const lines = h.out.trim().split("\n");
    for (const l of lines) expect(l).toMatch(TIMESTAMP);
    expect(h.out).toMatch(/became primary; EndpointSlice db\/postgres-primary now points at 10\.42\.0\.11/);
    expect(h.out).toMatch(/lost primary; removed 10\.42\.0\.11 from EndpointSlice db\/postgres-primary/);
    expect(h.out).toMatch(/stopping on signal/);
  });

  test("does not claim while /primary answers 503", async () => {
    const h = harness(OTHER);
    patroni.status = 503;
    h.start(url);
    await h.waitFor("the first read", () => h.out.includes("not primary"));
    await h.polls(4);
    expect(h.slice()).toBe(OTHER);
    expect(h.patches()).toEqual([]);
  });

  test("does not claim when Patroni refuses connections", async () => {
    const h = harness();
    h.start(await closedPortUrl());
    await h.waitFor("the first read", () => h.out.includes("not primary"));
    await h.polls(4);
    expect(h.slice()).toBe("");
    expect(h.patches()).toEqual([]);
  });

  test("after losing primary, leaves a new leader's address alone", async () => {
    const h = harness();
    patroni.status = 200;
    h.start(url);
    await h.waitFor("the claim", () => h.out.includes("became primary"));
    h.setSlice(OTHER); // the new leader's sidecar claimed it
    patroni.status = 503;
    await h.waitFor("the demotion", () => h.out.includes("lost primary"));
    await h.polls(3);
    expect(h.slice()).toBe(OTHER);
    expect(h.events().filter((e) => e.verb === "RELEASE")).toEqual([]);
    expect(h.out).toMatch(/lost primary; EndpointSlice db\/postgres-primary already lists '10\.42\.0\.12', left alone/);
  });

  test("the release is a test-and-set: a claim racing the read survives", async () => {
    const h = harness();
    patroni.status = 200;
    h.start(url);
    await h.waitFor("the claim", () => h.out.includes("became primary"));
    // The read still says ME, but the new leader has already written its own address.
    fs.writeFileSync(h.file("stale-get"), ME);
    h.setSlice(OTHER);
    patroni.status = 503;
    await h.waitFor("the refused release", () => /lost primary; patch failed .*retrying/.test(h.out));
    expect(h.events().some((e) => e.verb === "RELEASE" && e.result === "test-failed")).toBe(true);
    expect(h.slice()).toBe(OTHER);
    fs.unlinkSync(h.file("stale-get"));
    await h.waitFor("the retry", () => h.out.includes("left alone"));
    expect(h.slice()).toBe(OTHER);
  });

  test("a failed claim is logged and retried at the next poll", async () => {
    const h = harness();
    fs.writeFileSync(h.file("fail-patch"), "");
    patroni.status = 200;
    h.start(url);
    await h.waitFor("two failed patches", () => h.events().filter((e) => e.result === "failed").length >= 2);
    expect(h.out).toMatch(/patch failed while primary .*retrying/);
    expect(h.slice()).toBe("");
    fs.unlinkSync(h.file("fail-patch"));
    await h.waitFor("the claim", () => h.slice() === ME);
  });

  test("an unreadable API is retried too, without patching blind", async () => {
    const h = harness();
    fs.writeFileSync(h.file("fail"), "");
    patroni.status = 200;
    h.start(url);
    await h.waitFor("failed reads", () => h.out.includes("reading EndpointSlice db/postgres-primary failed; retrying"));
    expect(h.patches()).toEqual([]);
    fs.unlinkSync(h.file("fail"));
    await h.waitFor("the claim", () => h.slice() === ME);
  });

  test("a restarted sidecar clears its own stale address, and only that", async () => {
    const h = harness(ME);
    patroni.status = 503;
    h.start(url);
    await h.waitFor("the release", () => h.out.includes("removed"));
    expect(h.slice()).toBe("");
    expect(h.events().map((e) => `${e.verb} ${e.result} ${e.addr}`)).toEqual([`RELEASE ok ${ME}`]);
  });

  test("re-points the slice when something else reset it while primary", async () => {
    const h = harness();
    patroni.status = 200;
    h.start(url);
    await h.waitFor("the claim", () => h.out.includes("became primary"));
    h.setSlice(""); // e.g. a later `pulumi up` re-applied the empty endpoint list
    await h.waitFor("the re-claim", () => h.out.includes("pointed it back"));
    expect(h.slice()).toBe(ME);
    expect(h.out).toMatch(/listed '' while primary; pointed it back at 10\.42\.0\.11/);
  });

  test.each<[string, Record<string, string>, RegExp]>([
    ["a POD_IP that is not an IPv4 address", { POD_IP: '1.2.3.4"]}' }, /POD_IP must be this pod's IPv4 address/],
    ["a missing POD_IP", { POD_IP: "" }, /POD_IP must be/],
    ["a missing NAMESPACE", { NAMESPACE: "" }, /NAMESPACE must be/],
    ["a bad POLL_INTERVAL", { POLL_INTERVAL: "2s" }, /POLL_INTERVAL must be a number/],
    ["a missing kubectl", { KUBECTL: "no-such-kubectl" }, /'no-such-kubectl' \(KUBECTL\) is not installed/],
  ])("refuses %s", async (_name, env, message) => {
    const h = harness();
    h.start(url, env);
    expect(await h.exited).toBe(2);
    expect(h.out).toMatch(message);
    expect(h.patches()).toEqual([]);
  });
});
