/**
 * The model-pull Job's script, exercised for real against a tiny fake Ollama on 127.0.0.1 (node http):
 * shellcheck, idempotence (models already present are never pulled again), resume after a cut-off
 * stream, errors reported and retried, and progress in the log.
 */
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import * as path from "node:path";
import { PULL_SCRIPT } from "../../components/ai/ollama";

const SCRIPT = path.resolve(__dirname, "../../components/ai/ollama/pull-models.sh");
const SIZE = 1000;

/** A fake Ollama: /api/version, /api/show (200 for models it has), /api/pull streaming NDJSON progress. */
class FakeOllama {
  readonly have = new Set<string>();
  readonly pulls: { model: string; resumedAt: number }[] = [];
  /** Bytes already downloaded per model: a new pull continues from there, as Ollama does with its partial blobs. */
  readonly partial = new Map<string, number>();
  /** Pull attempts to cut off mid-stream (the connection drops), per model. */
  cut = new Map<string, number>();
  /** Models whose pull ends in an error line. */
  failing = new Set<string>();
  private server = http.createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => this.handle(req, body, res));
  });

  private handle(req: http.IncomingMessage, body: string, res: http.ServerResponse): void {
    if (req.url === "/api/version") {
      res.writeHead(200, { "Content-Type": "application/json" }).end('{"version":"0.32.13"}');
      return;
    }
    const model = body ? JSON.parse(body).model : "";
    if (req.url === "/api/show" && req.method === "POST") {
      res.writeHead(this.have.has(model) ? 200 : 404).end(this.have.has(model) ? "{}" : '{"error":"model not found"}');
      return;
    }
    if (req.url === "/api/pull" && req.method === "POST") {
      const from = this.partial.get(model) ?? 0;
      this.pulls.push({ model, resumedAt: from });
      res.writeHead(200, { "Content-Type": "application/x-ndjson" });
      res.write(`${JSON.stringify({ status: "pulling manifest" })}\n`);
      if (this.failing.has(model)) {
        res.end(`${JSON.stringify({ error: "pull model manifest: file does not exist" })}\n`);
        return;
      }
      const cuts = this.cut.get(model) ?? 0;
      for (let done = from; done <= SIZE; done += 100) {
        res.write(`${JSON.stringify({ status: "pulling 6a0746a1ec1a", digest: "sha256:6a0746a1ec1a", total: SIZE, completed: done })}\n`);
        this.partial.set(model, done);
        if (cuts > 0 && done >= from + 400) {
          this.cut.set(model, cuts - 1);
          res.socket?.destroy();
          return;
        }
      }
      for (const status of ["verifying sha256 digest", "writing manifest", "success"]) res.write(`${JSON.stringify({ status })}\n`);
      this.have.add(model);
      res.end();
      return;
    }
    res.writeHead(404).end();
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, "127.0.0.1", resolve));
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}

/** Runs the script to its end; resolves on 'close' (output read to the end). */
function run(url: string, models: string, env: Record<string, string> = {}): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve) => {
    const child = spawn("sh", [SCRIPT], {
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", OLLAMA_URL: url, MODELS: models, RETRY_SECONDS: "0", POLL_SECONDS: "0.05", WAIT_SECONDS: "5", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (out += d));
    child.on("close", (code) => resolve({ code, out }));
  });
}

describe("pull-models.sh", () => {
  let fake: FakeOllama;
  let url: string;
  beforeEach(async () => {
    fake = new FakeOllama();
    url = await fake.start();
  });
  afterEach(() => fake.stop());

  it("is clean POSIX sh (shellcheck) and is what the Job runs", () => {
    const r = spawnSync("shellcheck", ["-s", "sh", SCRIPT], { encoding: "utf8" });
    if (r.error && (r.error as NodeJS.ErrnoException).code === "ENOENT") throw new Error("shellcheck is not installed: install it (apt-get install -y shellcheck) — this test is never skipped");
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.status).toBe(0);
    expect(PULL_SCRIPT).toBe(fs.readFileSync(SCRIPT, "utf8"));
  });

  it("pulls every missing model, with its progress in the log, and exits 0 only when all are present", async () => {
    const r = await run(url, "llama3.1:8b nomic-embed-text:v1.5");
    expect(r.code).toBe(0);
    expect(fake.pulls.map((p) => p.model)).toEqual(["llama3.1:8b", "nomic-embed-text:v1.5"]);
    expect([...fake.have].sort()).toEqual(["llama3.1:8b", "nomic-embed-text:v1.5"]);
    expect(r.out).toMatch(/llama3\.1:8b: pulling manifest/);
    for (const pct of [0, 50, 100]) expect(r.out).toContain(`llama3.1:8b: pulling 6a0746a1ec1a ${pct}% (${pct * 10} of 1000 bytes)`);
    // Every 10 %, not every progress line.
    expect(r.out.match(/llama3\.1:8b: pulling 6a0746a1ec1a \d+%/g)).toHaveLength(11);
    expect(r.out).toMatch(/every model is present: llama3\.1:8b nomic-embed-text:v1\.5/);
  });

  it("is idempotent: a second run over a warm volume pulls nothing", async () => {
    fake.have.add("llama3.1:8b");
    const first = await run(url, "llama3.1:8b nomic-embed-text:v1.5");
    expect(first.code).toBe(0);
    expect(fake.pulls.map((p) => p.model)).toEqual(["nomic-embed-text:v1.5"]);
    expect(first.out).toMatch(/llama3\.1:8b: already present, skipped/);
    const again = await run(url, "llama3.1:8b nomic-embed-text:v1.5");
    expect(again.code).toBe(0);
    expect(fake.pulls).toHaveLength(1);
    expect(again.out.match(/already present, skipped/g)).toHaveLength(2);
  });

  it("resumes a pull whose stream was cut off: the next attempt continues where the download stopped", async () => {
    fake.cut.set("llama3.1:8b", 2);
    const r = await run(url, "llama3.1:8b");
    expect(r.code).toBe(0);
    expect(fake.pulls).toEqual([
      { model: "llama3.1:8b", resumedAt: 0 },
      { model: "llama3.1:8b", resumedAt: 400 },
      { model: "llama3.1:8b", resumedAt: 800 },
    ]);
    expect(r.out).toMatch(/attempt 3 of 5/);
    expect(r.out).toMatch(/the next one resumes what was downloaded/);
    expect(r.out).toMatch(/llama3\.1:8b: pulled/);
  });

  it("reports Ollama's error, retries, and fails the Job naming the model when every attempt fails", async () => {
    fake.failing.add("no-such-model:1b");
    const r = await run(url, "no-such-model:1b nomic-embed-text:v1.5", { RETRIES: "3" });
    expect(r.code).toBe(1);
    expect(fake.pulls.filter((p) => p.model === "no-such-model:1b")).toHaveLength(3);
    expect(r.out).toMatch(/no-such-model:1b: error: pull model manifest: file does not exist/);
    expect(r.out).toMatch(/no-such-model:1b: failed after 3 attempts/);
    // The other models are still pulled.
    expect(fake.have.has("nomic-embed-text:v1.5")).toBe(true);
    expect(r.out).toMatch(/not pulled: no-such-model:1b/);
  });

  it("gives up when Ollama never answers", async () => {
    await fake.stop();
    const r = await run(url, "llama3.1:8b", { WAIT_SECONDS: "0" });
    fake = new FakeOllama();
    await fake.start();
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/did not answer \/api\/version within 0s/);
  });
});
