// The bucket Job's script, run for real by /bin/sh against a stateful fake `mc` (tests/data/fixtures/
// fake-mc.sh: buckets, lifecycles, policies and users as files, failing where mc fails). No MinIO
// server or mc binary can be installed here (README: MinIO, "What was verified offline").
import { spawn, spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { DEFAULT_BUCKETS, MinioBucket, bucketJobDigest, bucketJobFiles, lifecycleJson, minioConsumers, policyJson } from "../../components/data/minio";
import { IMAGES } from "../../components/kit";
import { scratchDir } from "../lib/scratch";

/** Tools a slim image may lack, named outside comments (the same rule as tests/kit/images.test.ts). */
function missingTools(script: string, provides: readonly string[]): string[] {
  const code = script.split("\n").map((l) => l.replace(/(^|\s)#.*$/, "")).join("\n");
  return ["bash", "curl", "wget", "jq", "sed", "awk", "grep", "cut", "tr", "base64", "timeout", "date", "sleep", "cat", "printf", "python3"].filter(
    (t) => new RegExp(`(^|[\\s;|&(\`$])${t}(?=[\\s;|&)]|$)`, "m").test(code) && !provides.includes(t),
  );
}

const ROOT = path.resolve(__dirname, "../..");
const SCRIPT = path.join(ROOT, "components/data/minio/minio-buckets.sh");
const ROOT_PASSWORD = "RootPassw0rdFromTheSecretxxxxxxxxxxxxxxx";

interface Run {
  code: number | null;
  stderr: string;
  state: string;
}

/** The fake MinIO's whole state as sorted "path: content" lines (calls excluded). */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) {
        out[`${path.relative(dir, p)}/`] = "";
        walk(p);
      } else if (e.name !== "calls") out[path.relative(dir, p)] = fs.readFileSync(p, "utf8");
    }
  };
  walk(dir);
  return out;
}

function world(buckets: readonly MinioBucket[], state = scratchDir("fake-minio-")) {
  const dir = scratchDir("minio-buckets-");
  const config = path.join(dir, "config");
  const users = path.join(dir, "users");
  const bin = path.join(dir, "bin");
  fs.mkdirSync(config);
  fs.mkdirSync(bin);
  for (const [k, v] of Object.entries(bucketJobFiles(buckets))) fs.writeFileSync(path.join(config, k), v);
  for (const c of minioConsumers(buckets)) {
    fs.mkdirSync(path.join(users, c), { recursive: true });
    fs.writeFileSync(path.join(users, c, "access-key-id"), c);
    // As a mounted Secret: no trailing newline.
    fs.writeFileSync(path.join(users, c, "secret-access-key"), `secret-of-${c}-0123456789abcdefghij`);
  }
  fs.symlinkSync(path.join(ROOT, "tests/data/fixtures/fake-mc.sh"), path.join(bin, "mc"));
  return { state, config, users, bin };
}

function run(w: ReturnType<typeof world>, env: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn("/bin/sh", [SCRIPT], {
      env: {
        PATH: `${w.bin}:/usr/bin:/bin`,
        FAKE_MC_STATE: w.state,
        MINIO_ENDPOINT: "minio.homelab.svc.cluster.local:9000",
        MINIO_ROOT_USER: "rootuser0123456789ab",
        MINIO_ROOT_PASSWORD: ROOT_PASSWORD,
        CONFIG_DIR: w.config,
        USERS_DIR: w.users,
        WAIT_SECONDS: "0",
        ...env,
      },
    });
    let stderr = "";
    child.stderr.on("data", (d) => (stderr += d));
    child.stdout.resume();
    child.on("close", (code) => resolve({ code, stderr, state: w.state }));
  });
}

const calls = (state: string) => fs.readFileSync(path.join(state, "calls"), "utf8").trim().split("\n");

describe("minio-buckets.sh", () => {
  it("is POSIX sh that shellcheck passes, calling only what the mc image has", () => {
    const r = spawnSync("shellcheck", ["-s", "sh", SCRIPT], { encoding: "utf8" });
    if (r.error) throw new Error("shellcheck is not installed: this test is never skipped");
    expect(`${r.stdout}${r.stderr}`).toBe("");
    expect(r.status).toBe(0);
    expect(missingTools(fs.readFileSync(SCRIPT, "utf8"), IMAGES.mc.provides)).toEqual([]);
  });

  it("creates the buckets, their expiry, and one user per consumer limited to its buckets", async () => {
    const w = world(DEFAULT_BUCKETS);
    const r = await run(w);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const s = snapshot(w.state);
    expect(s["buckets/postgres-backups/lifecycle"]).toBe(lifecycleJson(30));
    expect(JSON.parse(s["buckets/qdrant-snapshots/lifecycle"]).Rules).toEqual([{ ID: "expire-after-30-days", Status: "Enabled", Filter: { Prefix: "" }, Expiration: { Days: 30 } }]);
    expect(s["policies/consumer-postgres"]).toBe(policyJson(["postgres-backups"]));
    expect(JSON.parse(s["policies/consumer-qdrant"]).Statement[1].Resource).toEqual(["arn:aws:s3:::qdrant-snapshots/*"]);
    expect(s["users/postgres/secret"]).toBe("secret-of-postgres-0123456789abcdefghij");
    expect(s["users/postgres/policies"]).toBe("consumer-postgres\n");
    expect(s["users/qdrant/policies"]).toBe("consumer-qdrant\n");
  });

  it("is idempotent: a second run leaves exactly the same state, and never appends a lifecycle rule", async () => {
    const w = world(DEFAULT_BUCKETS);
    expect((await run(w)).code).toBe(0);
    const first = snapshot(w.state);
    expect((await run(w)).code).toBe(0);
    expect(snapshot(w.state)).toEqual(first);
    expect(calls(w.state).filter((c) => c.startsWith("ilm rule add"))).toEqual([]);
    expect(calls(w.state).filter((c) => c.startsWith("ilm rule import"))).toHaveLength(4);
  });

  it("follows a changed config: an expiry taken away is removed, a new consumer gets its user", async () => {
    const w = world(DEFAULT_BUCKETS);
    expect((await run(w)).code).toBe(0);
    const changed: MinioBucket[] = [
      { name: "postgres-backups", consumers: ["postgres"], expireDays: 30 },
      { name: "qdrant-snapshots", consumers: ["qdrant", "n8n"] },
    ];
    const r = await run(world(changed, w.state));
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
    const s = snapshot(w.state);
    expect(s["buckets/qdrant-snapshots/lifecycle"]).toBeUndefined();
    expect(s["buckets/postgres-backups/lifecycle"]).toBe(lifecycleJson(30));
    expect(s["users/n8n/policies"]).toBe("consumer-n8n\n");
    expect(s["policies/consumer-n8n"]).toBe(policyJson(["qdrant-snapshots"]));
    // And a rerun of the changed config removes nothing more (export fails: no lifecycle left to remove).
    expect((await run(world(changed, w.state))).code).toBe(0);
    expect(calls(w.state).filter((c) => c.startsWith("ilm rule rm"))).toEqual(["ilm rule rm --all --force minio/qdrant-snapshots"]);
  });

  it("puts no secret on a command line: the root password travels in MC_HOST_minio, each secret key on stdin", async () => {
    const w = world(DEFAULT_BUCKETS);
    expect((await run(w)).code).toBe(0);
    const argv = calls(w.state).join("\n");
    expect(argv).not.toContain(ROOT_PASSWORD);
    expect(argv).not.toMatch(/secret-of-/);
    expect(calls(w.state)).toContain("admin user add minio postgres");
  });

  it("waits for MinIO, then gives up naming the endpoint", async () => {
    const w = world(DEFAULT_BUCKETS);
    fs.writeFileSync(path.join(w.state, "down"), "");
    const r = await run(w, { WAIT_TRIES: "3" });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/MinIO at minio\.homelab\.svc\.cluster\.local:9000 did not answer after 3 tries/);
    expect(calls(w.state)).toEqual(["admin info minio", "admin info minio", "admin info minio"]);
  });

  it("refuses to start without its credentials", async () => {
    const r = await run(world(DEFAULT_BUCKETS), { MINIO_ROOT_PASSWORD: "" });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/MINIO_ROOT_PASSWORD is required/);
  });

  it("the Job's name follows what it applies", () => {
    const other: MinioBucket[] = [{ ...DEFAULT_BUCKETS[0], expireDays: 31 }, DEFAULT_BUCKETS[1]];
    expect(bucketJobDigest(DEFAULT_BUCKETS)).toMatch(/^[0-9a-f]{8}$/);
    expect(bucketJobDigest(other)).not.toBe(bucketJobDigest(DEFAULT_BUCKETS));
    expect(bucketJobDigest([...DEFAULT_BUCKETS])).toBe(bucketJobDigest(DEFAULT_BUCKETS));
  });
});
