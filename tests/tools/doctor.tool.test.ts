// The image check of `npm run doctor`, against a fake registry on 127.0.0.1 that speaks the Registry
// v2 API with the anonymous bearer-token handshake (as Docker Hub, GHCR and Quay do).
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { checkImages, imagesIn, main as doctorMain, report } from "../../tools/doctor";
import { parseImage } from "../../tools/lib/registry";
import { renderDir, rendered } from "../harness";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { spawn } from "node:child_process";
import { errorText, tagStatus } from "../../tools/lib/registry";
import { ROOT } from "../harness";

const TAGS: Record<string, string[]> = { "qdrant/qdrant": ["v1.15.5"], "library/redis": ["7.4.5-alpine"], "zalando/spilo-17": ["4.0-p3"] };

let server: http.Server;
let base = "";
const seen: string[] = [];

beforeAll(async () => {
  server = http.createServer((req, res) => {
    const url = new URL(req.url!, "http://x");
    seen.push(`${req.method} ${url.pathname}`);
    if (url.pathname === "/token") {
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ token: `t:${url.searchParams.get("scope")}` }));
      return;
    }
    const m = /^\/v2\/(.+)\/manifests\/([^/]+)$/.exec(url.pathname);
    if (!m) {
      res.writeHead(400).end();
      return;
    }
    const [, repo, tag] = m;
    if (repo === "private/thing") {
      res.writeHead(401, { "www-authenticate": 'Basic realm="x"' }).end();
    } else if (req.headers.authorization !== `Bearer t:repository:${repo}:pull`) {
      res.writeHead(401, { "www-authenticate": `Bearer realm="${base}/token",service="fake",scope="repository:${repo}:pull"` }).end();
    } else res.writeHead(TAGS[repo]?.includes(decodeURIComponent(tag)) ? 200 : 404).end();
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise((r) => server.close(r)));

describe("image references", () => {
  it("splits registry, repository and tag, with Docker Hub's library/ for official images", () => {
    expect(parseImage("docker.io/qdrant/qdrant:v1.15.5")).toEqual({ host: "docker.io", repository: "qdrant/qdrant", tag: "v1.15.5" });
    expect(parseImage("redis:7.4.5-alpine")).toEqual({ host: "docker.io", repository: "library/redis", tag: "7.4.5-alpine" });
    expect(parseImage("ghcr.io/zalando/spilo-17:4.0-p3@sha256:abc")).toEqual({ host: "ghcr.io", repository: "zalando/spilo-17", tag: "4.0-p3" });
    expect(parseImage("localhost:5000/x/y:1.0")).toEqual({ host: "localhost:5000", repository: "x/y", tag: "1.0" });
    expect(() => parseImage("docker.io/qdrant/qdrant")).toThrow(/no tag/);
  });

  it("finds every container image of a rendered stack, init containers and jobs included", () => {
    const dir = renderDir();
    const images = imagesIn(fs.readFileSync(path.join(dir, "homelab", "manifests.yaml"), "utf8"));
    expect(images).toEqual(expect.arrayContaining(["docker.io/qdrant/qdrant:v1.15.5-unprivileged", "ghcr.io/zalando/spilo-17:4.0-p3", "docker.io/alpine/kubectl:1.35.3"]));
    expect(rendered("homelab").manifests.length).toBeGreaterThan(0);
  });
});

describe("tag check against a registry", () => {
  it("reports existing, missing and uncheckable tags, with the exit code", async () => {
    const results = await checkImages(
      ["docker.io/qdrant/qdrant:v1.15.5", "redis:7.4.5-alpine", "ghcr.io/zalando/spilo-17:4.0-p99", "quay.io/private/thing:1.0"],
      () => base,
    );
    expect(Object.fromEntries([...results].map(([k, v]) => [k, v.status]))).toEqual({
      "docker.io/qdrant/qdrant:v1.15.5": "exists",
      "redis:7.4.5-alpine": "exists",
      "ghcr.io/zalando/spilo-17:4.0-p99": "missing",
      "quay.io/private/thing:1.0": "unknown",
    });
    const r = report(results);
    expect(r.code).toBe(1);
    expect(r.text).toMatch(/MISSING  ghcr\.io\/zalando\/spilo-17:4\.0-p99: the registry has no such tag/);
    // The anonymous token handshake happened: an unauthenticated HEAD, a token, an authenticated HEAD.
    expect(seen).toEqual(expect.arrayContaining(["HEAD /v2/qdrant/qdrant/manifests/v1.15.5", "GET /token"]));
  });

  it("an unreachable registry is 'could not check' (exit 3), never 'exists'", async () => {
    const results = await checkImages(["docker.io/qdrant/qdrant:v1.15.5"], () => "http://127.0.0.1:9");
    expect([...results.values()][0].status).toBe("unknown");
    expect(report(results).code).toBe(3);
  });
});

describe("network errors", () => {
  it("show their cause, not just fetch's 'fetch failed'", async () => {
    // A port that was just free: connection refused, deterministically.
    const probe = http.createServer();
    await new Promise<void>((r) => probe.listen(0, "127.0.0.1", r));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((r) => probe.close(r));
    const refused = await tagStatus(parseImage("docker.io/qdrant/qdrant:v1.15.5"), `http://127.0.0.1:${port}`);
    expect(refused).toEqual({ status: "unknown", reason: expect.stringMatching(/^fetch failed: .*ECONNREFUSED/) });
    // A name that cannot resolve (.invalid is reserved): ENOTFOUND, or EAI_AGAIN without any resolver.
    const unknownHost = await tagStatus(parseImage("no-such-registry.invalid/x/y:1"), "https://no-such-registry.invalid", 5000);
    expect(unknownHost).toEqual({ status: "unknown", reason: expect.stringMatching(/^fetch failed: .*getaddrinfo (ENOTFOUND|EAI_AGAIN) no-such-registry\.invalid/) });
    expect(errorText(new Error("outer", { cause: Object.assign(new Error("inner"), { code: "ECODE" }) }))).toBe("outer: ECODE: inner");
  });
});

function doctor(args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ["-r", path.join(ROOT, "tools", "lib", "ts-loader.js"), path.join(ROOT, "tools", "doctor.ts"), ...args], { cwd: ROOT, env: { ...process.env, ...env } });
    let stdout = "";
    let stderr = "";
    p.stdout.on("data", (d) => (stdout += d));
    p.stderr.on("data", (d) => (stderr += d));
    p.on("error", reject);
    p.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

describe("doctor's command line", () => {
  it("renders only the --stack it is given; a render error passes through as exit 2, without a stack trace or a temp folder left", async () => {
    // Two node processes (doctor, then render): seconds each on a busy machine.
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-test-"));
    try {
      const file = path.join(tmp, "Pulumi.mine.yaml");
      fs.writeFileSync(file, fs.readFileSync(path.join(ROOT, "Pulumi.homelab.yaml"), "utf8").replace(/address: 100\.86\.122\.109/, "address: 100.81.76.55"));
      const own = path.join(tmp, "tmp");
      fs.mkdirSync(own);
      const r = await doctor(["--stack", "mine", "--config-file", file], { TMPDIR: own });
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/^render: stack mine \(.*Pulumi\.mine\.yaml\): invalid stack configuration \(1 problem\):\n  - homelab:nodes\[1\]\.address: address 100\.81\.76\.55 is already used/);
      expect(r.stderr).not.toMatch(/^\s+at /m);
      expect(r.stdout).not.toMatch(/checking \d+ images/);
      // (other tools may keep caches there; doctor's folders are doctor-*.)
      expect(fs.readdirSync(own).filter((f) => f.startsWith("doctor-"))).toEqual([]);
    } finally {
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  }, 90000);

  it("--preflight needs one stack, and names a missing --stack value", async () => {
    expect(await quiet(["--preflight"])).toEqual({ code: 2, err: expect.stringMatching(/^doctor: --preflight needs exactly one --stack <name>/), out: "" });
    expect(await quiet(["--preflight", "--stack"])).toEqual({ code: 2, err: expect.stringMatching(/^doctor: --stack needs a stack name \(stacks: dev, homelab, prod\)/), out: "" });
    expect((await quiet(["--identity", "/no/such/key"])).err).toMatch(/^doctor: --identity \/no\/such\/key does not exist/);
  });

  it("--preflight on a stack without SSH nodes says there is nothing to reach", async () => {
    expect(await quiet(["--preflight", "--stack", "dev"])).toEqual({ code: 0, err: "", out: "preflight dev: cluster.mode is existing: the program reaches no node over SSH, nothing to check" });
  });
});

/** doctor's main in this process, with what it printed. */
async function quiet(args: string[]): Promise<{ code: number; out: string; err: string }> {
  const out: string[] = [];
  const err: string[] = [];
  const log = jest.spyOn(console, "log").mockImplementation((x) => void out.push(String(x)));
  const error = jest.spyOn(console, "error").mockImplementation((x) => void err.push(String(x)));
  try {
    return { code: await doctorMain(args), out: out.join("\n"), err: err.join("\n") };
  } finally {
    log.mockRestore();
    error.mockRestore();
  }
}
