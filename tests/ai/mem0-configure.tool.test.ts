/**
 * The Mem0 sidecar's script, exercised for real against a fake Mem0 server on 127.0.0.1: shellcheck,
 * the configuration it posts (Qdrant with its key, Ollama's /v1 for LLM and embedder), the admin key
 * as X-API-Key, readiness only once configured, and a new configuration after every restart of the server.
 */
import { ChildProcess, spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { CONFIGURE_SCRIPT } from "../../components/ai/mem0";

const SCRIPT = path.resolve(__dirname, "../../components/ai/mem0/configure.sh");
const ADMIN = "admin-key-not-real";
const QDRANT_KEY = "qdrant-key-not-real";

class FakeMem0 {
  readonly posts: { headers: http.IncomingHttpHeaders; body: any }[] = [];
  /** Status codes for the next POST /configure calls (then 200). */
  failNext: number[] = [];
  private server?: http.Server;
  port = 0;

  async start(port = 0): Promise<string> {
    this.server = http.createServer((req, res) => {
      let body = "";
      req.on("data", (d) => (body += d));
      req.on("end", () => {
        if (req.method === "GET" && req.url === "/openapi.json") return void res.writeHead(200).end("{}");
        if (req.method === "POST" && req.url === "/configure") {
          this.posts.push({ headers: req.headers, body: JSON.parse(body) });
          const code = this.failNext.shift() ?? 200;
          return void res.writeHead(code).end(code === 200 ? '{"message":"Configuration set successfully"}' : '{"detail":"no"}');
        }
        res.writeHead(404).end();
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(port, "127.0.0.1", resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return `http://127.0.0.1:${this.port}`;
  }
  async stop(): Promise<void> {
    if (!this.server?.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server!.close(() => resolve()));
  }
}

async function until(cond: () => boolean, what: string, ms = 10_000): Promise<void> {
  // Bounds a hang only: the script polls every 50 ms.
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("configure.sh (the Mem0 sidecar)", () => {
  let dir: string;
  let child: ChildProcess | undefined;
  let out = "";
  let closed: Promise<void> | undefined;
  let fake: FakeMem0;

  beforeEach(() => {
    fake = new FakeMem0();
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "mem0-configure-"));
    out = "";
  });
  afterEach(async () => {
    if (child && child.exitCode === null) child.kill("SIGTERM");
    await closed;
    await fake.stop();
    child = undefined;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  function start(url: string): void {
    child = spawn("sh", [SCRIPT], {
      env: {
        PATH: process.env.PATH ?? "/usr/bin:/bin",
        MEM0_URL: url,
        ADMIN_API_KEY: ADMIN,
        QDRANT_URL: "http://qdrant.homelab.svc.cluster.local:6333",
        QDRANT_API_KEY: QDRANT_KEY,
        OLLAMA_BASE_URL: "http://ollama.homelab.svc.cluster.local:11434/v1",
        LLM_MODEL: "llama3.1:8b",
        EMBEDDING_MODEL: "nomic-embed-text:v1.5",
        EMBEDDING_DIMS: "768",
        COLLECTION: "mem0",
        STATE_DIR: dir,
        POLL_SECONDS: "0.05",
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stdout!.on("data", (d) => (out += d));
    child.stderr!.on("data", (d) => (out += d));
    closed = new Promise((resolve) => child!.on("close", () => resolve()));
  }
  const ready = () => fs.existsSync(path.join(dir, "mem0-configured"));

  it("is clean POSIX sh (shellcheck) and is what the sidecar runs", () => {
    const r = spawnSync("shellcheck", ["-s", "sh", SCRIPT], { encoding: "utf8" });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") throw new Error("shellcheck is not installed: install it (apt-get install -y shellcheck) — this test is never skipped");
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.status).toBe(0);
    expect(CONFIGURE_SCRIPT).toBe(fs.readFileSync(SCRIPT, "utf8"));
  });

  it("posts Qdrant and Ollama's /v1 as the configuration, with the admin key, once, and is ready only after it", async () => {
    const url = await fake.start();
    fake.failNext = [500, 401];
    start(url);
    await until(() => ready(), "the ready mark");
    expect(fake.posts).toHaveLength(3);
    const { headers, body } = fake.posts[2];
    expect(headers["x-api-key"]).toBe(ADMIN);
    expect(body).toEqual({
      vector_store: { provider: "qdrant", config: { url: "http://qdrant.homelab.svc.cluster.local:6333", api_key: QDRANT_KEY, collection_name: "mem0", embedding_model_dims: 768 } },
      llm: { provider: "openai", config: { model: "llama3.1:8b", openai_base_url: "http://ollama.homelab.svc.cluster.local:11434/v1", api_key: "ollama" } },
      embedder: { provider: "openai", config: { model: "nomic-embed-text:v1.5", openai_base_url: "http://ollama.homelab.svc.cluster.local:11434/v1", api_key: "ollama", embedding_dims: 768 } },
    });
    expect(out).toMatch(/POST \/configure answered 500/);
    expect(out).toMatch(/POST \/configure answered 401/);
    // Configured once: while the server keeps answering, nothing is posted again.
    const beats = () => Number(fs.readFileSync(path.join(dir, "heartbeat"), "utf8"));
    const before = beats();
    await until(() => beats() > before + 1, "two more heartbeats", 5000);
    expect(fake.posts).toHaveLength(3);
    // Secrets never reach the log.
    expect(out).not.toContain(ADMIN);
    expect(out).not.toContain(QDRANT_KEY);
    await fake.stop();
  });

  it("after the server restarts it is configured again (and not ready in between)", async () => {
    const url = await fake.start();
    start(url);
    await until(() => fake.posts.length === 1 && ready(), "the first configuration");
    const port = fake.port;
    await fake.stop();
    await until(() => !ready(), "not ready while the server is down");
    expect(out).toMatch(/the server stopped answering/);
    const again = new FakeMem0();
    await again.start(port);
    await until(() => again.posts.length === 1 && ready(), "the configuration after the restart");
    expect(again.posts[0].headers["x-api-key"]).toBe(ADMIN);
    await again.stop();
  });
});
