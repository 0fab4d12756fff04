// Every rendered monitor and rule validates against the prometheus-operator schema
// (@kubernetes-models/prometheus-operator, ESM only: validated in a plain Node child process).
import * as path from "node:path";
import { spawn } from "node:child_process";
import { allStacks } from "../harness";
import type { Manifest } from "../../tools/lib/manifests";

const SCRIPT = path.join(__dirname, "validate-monitoring.mjs");

function validate(objects: readonly Manifest[]): Promise<{ checked: number; errors: string[] }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, [SCRIPT], { cwd: path.join(__dirname, "../.."), stdio: ["pipe", "pipe", "pipe"] });
    let out = "";
    let err = "";
    p.stdout.on("data", (d) => (out += d));
    p.stderr.on("data", (d) => (err += d));
    p.on("error", reject);
    p.on("close", (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`validator exited ${code}: ${err}`))));
    p.stdin.end(JSON.stringify(objects));
  });
}

describe("prometheus-operator objects", () => {
  it("every rendered PodMonitor and PrometheusRule of every stack validates", async () => {
    const objects = allStacks().flatMap((s) => s.manifests.filter((m) => String(m.apiVersion).startsWith("monitoring.coreos.com/")));
    const kinds = new Set(objects.map((m) => m.kind));
    expect([...kinds].sort()).toEqual(["PodMonitor", "PrometheusRule"]);
    const r = await validate(objects);
    expect(r.errors).toEqual([]);
    expect(r.checked).toBe(objects.length);
  });

  it("the validator rejects a malformed monitor", async () => {
    const bad = { apiVersion: "monitoring.coreos.com/v1", kind: "PodMonitor", metadata: { name: "bad" }, spec: { selector: {}, podMetricsEndpoints: [{ port: 9100, interval: "thirty seconds" }] } };
    const r = await validate([bad]);
    expect(r.errors).toHaveLength(1);
    expect(r.errors[0]).toMatch(/interval/);
  });
});
