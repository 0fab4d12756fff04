// The policy pack as Pulumi runs it: Pulumi's own policy-pack runner (@pulumi/pulumi's
// cmd/run-policy-pack, which the CLI's nodejs analyzer plugin starts in the pack's directory) loads
// policy/ through its TypeScript loader, the pack prints its port, and the CLI's gRPC calls
// (GetAnalyzerInfo, Analyze per resource, AnalyzeStack) get answers. Only the CLI itself is missing.
import { ChildProcess, spawn } from "node:child_process";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as analyzerGrpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzer from "@pulumi/pulumi/proto/analyzer_pb";
import { OPTION_RULES, RULES } from "../../policy/rules";
import type { Manifest } from "../../policy/rules";
import { ROOT, rendered } from "../harness";
import { OptionsOf, optionsFrom, typeOf, urnOf } from "../lib/policy-runner";

let child: ChildProcess | undefined;
let client: any;
let stderr = "";

beforeAll(async () => {
  const runner = path.join(ROOT, "node_modules", "@pulumi", "pulumi", "cmd", "run-policy-pack");
  // The engine address is the runner's first argument; nothing here calls back into an engine.
  child = spawn(process.execPath, [runner, "127.0.0.1:1", "."], { cwd: path.join(ROOT, "policy"), stdio: ["ignore", "pipe", "pipe"] });
  child.stderr!.on("data", (d) => (stderr += d));
  const port = await new Promise<string>((resolve, reject) => {
    let out = "";
    child!.stdout!.on("data", (d) => {
      out += d;
      const m = /^(\d+)\s*$/m.exec(out);
      if (m) resolve(m[1]);
    });
    child!.on("close", (code) => reject(new Error(`the pack exited (${code}) before serving:\n${stderr}`)));
  });
  client = new (analyzerGrpc as any).AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
}, 240_000);

afterAll(async () => {
  client?.close();
  if (child && child.exitCode === null && child.signalCode === null) {
    const closed = new Promise((resolve) => child!.on("close", resolve));
    child.kill();
    await closed;
  }
});

function call<T>(method: string, req: unknown): Promise<T> {
  return new Promise((resolve, reject) => client[method](req, (err: Error | null, res: T) => (err ? reject(err) : resolve(res))));
}

/** The options each homelab object was registered with, as the render recorded them. */
const homelabOptions = () => optionsFrom(rendered("homelab").resources);

function resource<R extends analyzer.AnalyzerResource | analyzer.AnalyzeRequest>(r: R, m: Manifest, optionsOf: OptionsOf = homelabOptions()): R {
  r.setType(typeOf(m));
  r.setUrn(urnOf(m));
  r.setName(`${m.metadata?.namespace ?? ""}-${m.metadata?.name}`);
  r.setProperties(Struct.fromJavaScript(m));
  const o = optionsOf(m);
  const opts = new analyzer.AnalyzerResourceOptions();
  opts.setProtect(o.protect);
  const timeouts = new analyzer.AnalyzerResourceOptions.CustomTimeouts();
  timeouts.setCreate(o.createSeconds);
  opts.setCustomtimeouts(timeouts);
  r.setOptions(opts);
  return r;
}

function stackRequest(ms: readonly Manifest[], optionsOf: OptionsOf = homelabOptions()): analyzer.AnalyzeStackRequest {
  const req = new analyzer.AnalyzeStackRequest();
  req.setResourcesList(ms.map((m) => resource(new analyzer.AnalyzerResource(), m, optionsOf)));
  return req;
}

const diagnostics = (res: analyzer.AnalyzeResponse) =>
  res.getDiagnosticsList().map((d) => ({ policy: d.getPolicyname(), message: d.getMessage(), urn: d.getUrn(), mandatory: d.getEnforcementlevel() === analyzer.EnforcementLevel.MANDATORY }));

const homelab = (): Manifest[] => JSON.parse(JSON.stringify(rendered("homelab").manifests));

describe("the pack under Pulumi's own runner, over gRPC", () => {
  it("serves every rule that is not render-only, mandatory", async () => {
    const info = await call<analyzer.AnalyzerInfo>("getAnalyzerInfo", new Empty());
    expect(info.getName()).toBe("homelab-invariants");
    expect(info.getPoliciesList().map((p) => [p.getName(), p.getEnforcementlevel()])).toEqual(
      [...RULES.filter((r) => !r.renderOnly), ...OPTION_RULES].map((r) => [r.name, analyzer.EnforcementLevel.MANDATORY]),
    );
  });

  it("AnalyzeStack: nothing on the healthy stack (with its registered options); a Service that selects nothing, on that Service", async () => {
    expect(diagnostics(await call("analyzeStack", stackRequest(homelab())))).toEqual([]);
    const ms = homelab();
    const svc = ms.find((m) => m.kind === "Service" && m.metadata.name === "qdrant")!;
    svc.spec.selector["app.kubernetes.io/name"] = "qdrnt";
    const found = diagnostics(await call("analyzeStack", stackRequest(ms)));
    expect(found).toContainEqual({ policy: "service-selects-pods-and-ports", message: expect.stringContaining("Service homelab/qdrant selects no workload"), urn: urnOf(svc), mandatory: true });
  }, 60_000);

  it("AnalyzeStack reads the registered options: a StatefulSet with volumes that is not protected", async () => {
    const ms = homelab();
    const sts = ms.find((m) => m.kind === "StatefulSet" && m.metadata.name === "qdrant")!;
    const recorded = homelabOptions();
    const unprotected: OptionsOf = (m) => (m === sts ? { ...recorded(m), protect: false } : recorded(m));
    expect(diagnostics(await call("analyzeStack", stackRequest(ms, unprotected)))).toEqual([
      { policy: "stateful-data-protected", message: expect.stringContaining("StatefulSet homelab/qdrant holds volumes but is not protected"), urn: urnOf(sts), mandatory: true },
    ]);
  }, 60_000);

  it("Analyze: one resource judged alone, before it is sent (a container without a readiness probe)", async () => {
    const sts = homelab().find((m) => m.kind === "StatefulSet" && m.metadata.name === "qdrant")!;
    expect(diagnostics(await call("analyze", resource(new analyzer.AnalyzeRequest(), sts)))).toEqual([]);
    delete sts.spec.template.spec.containers[0].readinessProbe;
    // A resource policy's diagnostic carries no URN: the engine files it under the resource it asked about.
    expect(diagnostics(await call("analyze", resource(new analyzer.AnalyzeRequest(), sts)))).toEqual([
      { policy: "containers-complete", message: expect.stringContaining("StatefulSet homelab/qdrant container qdrant: no readiness probe"), urn: "", mandatory: true },
    ]);
  }, 60_000);
});
