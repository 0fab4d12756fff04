// Runs the real program (index.ts) under the Pulumi SDK's mock runtime and collects every resource
// it registers with its resolved inputs. Used by `render`, the tests and the benchmark.
import * as pulumi from "@pulumi/pulumi";
import { StackFile } from "./stack-file";

export interface RecordedResource {
  readonly type: string;
  readonly name: string;
  readonly inputs: Record<string, any>;
  /** Provider reference (urn::id) for custom resources, when one was given. */
  readonly provider?: string;
  readonly custom: boolean;
  /** The resource options the program asked the engine for (those the tests check), when set. */
  readonly options?: RecordedOptions;
}

export interface RecordedOptions {
  readonly protect?: boolean;
  readonly retainOnDelete?: boolean;
  /** As the engine receives them, e.g. "25m". */
  readonly customTimeouts?: { readonly create?: string; readonly update?: string; readonly delete?: string };
}

export interface ProgramRun {
  readonly resources: RecordedResource[];
  /** The stack outputs the program returned. */
  readonly outputs?: Record<string, unknown>;
  /** The error the program threw, if it failed (e.g. a ConfigError). */
  readonly error?: unknown;
}

/** What the first server prints for the admin ServiceAccount: `<ca.crt base64> <token base64>`. */
const MOCK_ADMIN_CREDENTIALS = [
  Buffer.from("-----BEGIN CERTIFICATE-----\nmock\n-----END CERTIFICATE-----\n").toString("base64"),
  Buffer.from("mock.service-account.token").toString("base64"),
].join(" ");
/** The first server's secure join token (K10<CA hash>::server:<password>). */
const MOCK_JOIN_TOKEN = `K10${"0".repeat(64)}::server:mock`;

/** The SDK's marker for a secret value in serialized inputs. */
const SECRET_SIG = "4dabf18193072939515e22adb298388d";
const SECRET_SIG_VALUE = "1b47061264138c4ac30d75fd1eb44270";

/**
 * Inputs as the program meant them: secret markers (e.g. the Kubernetes SDK marks a Secret's whole
 * `stringData` secret) are replaced by their values. Under the mock runtime these are mock values or
 * redaction placeholders, never a real secret.
 */
export function unwrapSecrets(v: unknown): any {
  if (Array.isArray(v)) return v.map(unwrapSecrets);
  if (v && typeof v === "object") {
    const o = v as Record<string, unknown>;
    if (o[SECRET_SIG] === SECRET_SIG_VALUE) return unwrapSecrets(o.value);
    return Object.fromEntries(Object.entries(o).map(([k, x]) => [k, unwrapSecrets(x)]));
  }
  return v;
}

/** Values the mocks give outputs that only a real provider would compute. */
function mockState(args: pulumi.runtime.MockResourceArgs, previousOutputs: Record<string, unknown>): Record<string, unknown> {
  switch (args.type) {
    case "pulumi:pulumi:StackReference":
      // The program reads its own last outputs; a render is a first deployment unless told otherwise.
      return { name: args.inputs.name, outputs: previousOutputs, secretOutputNames: [] };
    case "random:index/randomPassword:RandomPassword":
    case "random:index/randomString:RandomString":
      return { ...args.inputs, result: `mock-${args.name}`, bcryptHash: `$2a$10$mock.${args.name}` };
    case "random:index/randomBytes:RandomBytes":
      return { ...args.inputs, base64: Buffer.from(`mock-${args.name}`).toString("base64"), hex: Buffer.from(`mock-${args.name}`).toString("hex") };
    case "command:remote:Command":
      // The commands whose output the program reads: the admin credentials and the join token.
      if (args.name.endsWith("-kubeconfig")) return { ...args.inputs, stdout: MOCK_ADMIN_CREDENTIALS };
      if (args.name.endsWith("-join-token")) return { ...args.inputs, stdout: MOCK_JOIN_TOKEN };
      return args.inputs;
    default:
      return args.inputs;
  }
}

async function resolveOutputs(o: Record<string, unknown>): Promise<Record<string, unknown>> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) {
    out[k] = pulumi.Output.isInstance(v) ? await new Promise((r) => (v as pulumi.Output<unknown>).apply(r)) : v;
  }
  return out;
}

/**
 * Calls `watch` with every register request the mock monitor receives, before it handles it: the
 * mocks are given only type, name, inputs and provider, while options, parent and dependencies travel
 * in the request itself. Call after setMocks (which installs the monitor).
 */
export function watchRegistrations(watch: (req: any) => void): void {
  const settings = require("@pulumi/pulumi/runtime/settings") as { getMonitor(): any };
  const monitor = settings.getMonitor();
  const register = monitor.registerResource.bind(monitor);
  monitor.registerResource = (req: any, callback: unknown) => {
    watch(req);
    return register(req, callback);
  };
}

/** The options of each register request, keyed by type and name, for newResource to record. */
function captureOptions(into: Map<string, RecordedOptions>): void {
  watchRegistrations((req) => {
    const t = req.getCustomtimeouts?.();
    const timeouts = t && (t.getCreate() || t.getUpdate() || t.getDelete())
      ? { create: t.getCreate() || undefined, update: t.getUpdate() || undefined, delete: t.getDelete() || undefined }
      : undefined;
    const o: RecordedOptions = {
      ...(req.getProtect() ? { protect: true } : {}),
      ...(req.getRetainondelete?.() ? { retainOnDelete: true } : {}),
      ...(timeouts ? { customTimeouts: timeouts } : {}),
    };
    if (Object.keys(o).length) into.set(`${req.getType()}::${req.getName()}`, o);
  });
}

/**
 * The SDK stamps every promise it makes inside (four per output property of every resource, and
 * more) with a stack trace (`runtime/debuggable.js`), read only to name promises still pending when
 * the process exits. Capturing a trace costs more the deeper and the more asynchronous the stack at
 * that point: measured on the 91-node render, ~50 µs a promise in this program against ~16 µs in a
 * flat loop of ConfigMaps, and ~15,000 promises (`npm run bench`, README "How fast"). While a
 * program runs under the mocks, those stamps are empty ("Error"); the SDK's own behaviour is
 * otherwise unchanged, errors keep their stacks, and resource source positions (one trace per
 * resource) are still taken. Returns the undo.
 */
function withoutPromiseStacks(): () => void {
  let debuggable: { debuggablePromise?: (p: Promise<unknown>, ctx: unknown) => Promise<unknown> };
  try {
    debuggable = require("@pulumi/pulumi/runtime/debuggable");
  } catch {
    return () => undefined;
  }
  const original = debuggable.debuggablePromise;
  if (typeof original !== "function") return () => undefined;
  debuggable.debuggablePromise = (p, ctx) => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 0;
    try {
      return original(p, ctx);
    } finally {
      Error.stackTraceLimit = limit;
    }
  };
  return () => void (debuggable.debuggablePromise = original);
}

/** Waits until every outstanding resource registration and output has settled. */
async function settle(): Promise<void> {
  // The SDK's own drain of pending RPCs (what `pulumi.runtime.disconnect` waits for), without disconnecting.
  const settings = require("@pulumi/pulumi/runtime/settings") as { waitForRPCs?: () => Promise<void> };
  for (let i = 0; i < 3; i++) {
    if (settings.waitForRPCs) await settings.waitForRPCs();
    await new Promise((r) => setImmediate(r));
  }
}

/**
 * Runs `entry` (default: the project's index.ts) for one stack; a process (or a jest worker) can run
 * several stacks in turn.
 */
export interface RunOptions {
  /** Default: the project's index.ts. */
  readonly entry?: string;
  /** Default true: the program sees a preview (dry run). */
  readonly preview?: boolean;
  /** The stack outputs of a pretended previous deployment. */
  readonly previousOutputs?: Record<string, unknown>;
}

export async function runProgram(stack: StackFile, o: RunOptions = {}): Promise<ProgramRun> {
  const resources: RecordedResource[] = [];
  const options = new Map<string, RecordedOptions>();
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        const opts = options.get(`${args.type}::${args.name}`);
        resources.push({ type: args.type, name: args.name, inputs: unwrapSecrets(args.inputs), provider: args.provider, custom: args.custom ?? true, ...(opts ? { options: opts } : {}) });
        return { id: `${args.name}-id`, state: mockState(args, o.previousOutputs ?? {}) };
      },
      call(args) {
        return args.inputs;
      },
    },
    "homelab",
    stack.stack,
    o.preview ?? true,
    // What the self-managed (file) backends call every organization.
    "organization",
  );
  captureOptions(options);
  pulumi.runtime.setAllConfig(stack.config, stack.secretKeys);
  let error: unknown;
  let outputs: Record<string, unknown> | undefined;
  // The SDK captures a stack trace for every resource it registers (its source position); with a
  // TypeScript loader's source maps on, mapping those traces costs more than everything else per
  // resource. Nothing under the mock runtime reads them, so maps stay off while the program runs and
  // come back for any error that is printed afterwards.
  const proc = process as unknown as { sourceMapsEnabled?: boolean; setSourceMapsEnabled(on: boolean): void };
  const maps = proc.sourceMapsEnabled ?? false;
  proc.setSourceMapsEnabled(false);
  const restoreStacks = withoutPromiseStacks();
  try {
    // The program itself by a static require, so that a tool's bundle (tools/lib/bundle.js) holds it
    // and its errors are the tool's own classes (instanceof ConfigError); it exports a function, run
    // afresh for each stack. Another entry is loaded fresh from its file.
    if (o.entry) delete require.cache[require.resolve(o.entry)];
    const exported = o.entry ? require(o.entry) : require("../../index");
    // Like the Pulumi runtime: a program exporting a function is called, and its result is the outputs.
    const result = typeof exported === "function" ? await exported() : exported;
    await settle();
    outputs = result && typeof result === "object" ? await resolveOutputs(result) : undefined;
  } catch (e) {
    error = e;
  } finally {
    restoreStacks();
    proc.setSourceMapsEnabled(maps);
  }
  return { resources, error, outputs };
}
