// A stand-in for Qdrant's snapshot API on 127.0.0.1 (no Qdrant binary can be had here), for the
// backup round trip: the routes and JSON shapes of Qdrant's documented API that the snapshot and
// restore scripts use, the api-key header required on every call. It is a stub, not Qdrant: it
// proves the scripts' HTTP, JSON, checksum and multipart handling, not Qdrant's behaviour.
// Usage: QDRANT_API_KEY=… node fake-qdrant.js <port> <collection>…; GET /__state (with the key) for the test.
"use strict";
const http = require("node:http");
const crypto = require("node:crypto");

const [port, ...collections] = process.argv.slice(2);
const key = process.env.QDRANT_API_KEY;
const snapshots = new Map(); // "<collection>/<name>" -> Buffer
const state = { created: [], deleted: [], uploads: {}, unauthorized: 0 };

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { "content-type": "application/json", "content-length": Buffer.byteLength(text) });
  res.end(text);
}

/** The first file part of a multipart/form-data body. */
function filePart(body, contentType) {
  const boundary = /boundary=(?:"([^"]+)"|([^;]+))/.exec(contentType ?? "");
  if (!boundary) return undefined;
  const sep = Buffer.from(`--${boundary[1] ?? boundary[2]}`);
  const start = body.indexOf(sep);
  const headersEnd = body.indexOf(Buffer.from("\r\n\r\n"), start);
  const end = body.indexOf(Buffer.from(`\r\n--${boundary[1] ?? boundary[2]}`), headersEnd);
  if (start < 0 || headersEnd < 0 || end < 0) return undefined;
  const headers = body.subarray(start, headersEnd).toString();
  return { name: /name="([^"]+)"/.exec(headers)?.[1], data: body.subarray(headersEnd + 4, end) };
}

http
  .createServer((req, res) => {
    const chunks = [];
    req.on("data", (c) => chunks.push(c));
    req.on("end", () => {
      if (req.headers["api-key"] !== key) {
        state.unauthorized++;
        return send(res, 401, { status: { error: "Must provide an API key or an Authorization bearer token" } });
      }
      const url = new URL(req.url, "http://x");
      const parts = url.pathname.split("/").filter(Boolean).map(decodeURIComponent);
      if (req.method === "GET" && url.pathname === "/__state") return send(res, 200, state);
      if (req.method === "GET" && parts.length === 1 && parts[0] === "collections") {
        return send(res, 200, { result: { collections: collections.map((name) => ({ name })) }, status: "ok", time: 0.001 });
      }
      const [root, c, snaps, name, extra] = parts;
      if (root !== "collections" || snaps !== "snapshots" || !collections.includes(c)) return send(res, 404, { status: { error: `Not found: ${url.pathname}` } });
      if (req.method === "POST" && parts.length === 3) {
        const snap = `${c}-${Date.now()}-${state.created.length}.snapshot`;
        const data = Buffer.concat([Buffer.from(`snapshot of ${c}\n`), crypto.randomBytes(64 * 1024)]);
        snapshots.set(`${c}/${snap}`, data);
        state.created.push({ collection: c, name: snap, sha256: crypto.createHash("sha256").update(data).digest("hex") });
        const checksum = crypto.createHash("sha256").update(data).digest("hex");
        return send(res, 200, { result: { name: snap, creation_time: new Date().toISOString(), size: data.length, checksum }, status: "ok", time: 0.01 });
      }
      if (req.method === "POST" && name === "upload" && parts.length === 4) {
        if (url.searchParams.get("priority") !== "snapshot") return send(res, 400, { status: { error: "expected priority=snapshot" } });
        const part = filePart(Buffer.concat(chunks), req.headers["content-type"]);
        if (!part || part.name !== "snapshot") return send(res, 400, { status: { error: "no snapshot part" } });
        state.uploads[c] = crypto.createHash("sha256").update(part.data).digest("hex");
        return send(res, 200, { result: true, status: "ok", time: 0.01 });
      }
      const data = snapshots.get(`${c}/${name}`);
      if (!data || extra !== undefined) return send(res, 404, { status: { error: `Snapshot ${name} not found` } });
      if (req.method === "GET") {
        res.writeHead(200, { "content-type": "application/octet-stream", "content-length": data.length });
        return res.end(data);
      }
      if (req.method === "DELETE") {
        snapshots.delete(`${c}/${name}`);
        state.deleted.push({ collection: c, name });
        return send(res, 200, { result: true, status: "ok", time: 0.001 });
      }
      return send(res, 405, { status: { error: "method not allowed" } });
    });
  })
  .listen(Number(port), "127.0.0.1", () => console.log(`fake-qdrant listening on 127.0.0.1:${port}`));
