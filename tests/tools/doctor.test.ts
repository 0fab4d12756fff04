// The image check of `npm run doctor`, against a fake registry on 127.0.0.1 that speaks the Registry
// v2 API with the anonymous bearer-token handshake (as Docker Hub, GHCR and Quay do).
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { checkImages, imagesIn, report } from "../../tools/doctor";
import { parseImage } from "../../tools/lib/registry";
import { renderDir, rendered } from "../harness";
import * as fs from "node:fs";
import * as path from "node:path";

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
    expect(images).toEqual(expect.arrayContaining(["docker.io/qdrant/qdrant:v1.15.5", "ghcr.io/zalando/spilo-17:4.0-p3", "docker.io/alpine/k8s:1.34.1"]));
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
