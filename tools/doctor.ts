// `npm run doctor`: checks that need the network, which the offline render cannot do.
// - default: every image the stacks run (the catalog and every container in the rendered manifests)
//   exists in its registry at its pinned tag. Exit 0 all found, 1 a tag is missing, 3 some could not
//   be checked, 2 the stack does not render (render's own message).
// - `--preflight --stack <name>`: every node of the stack, over SSH, is ready for `pulumi up`
//   (tools/lib/preflight.ts). Exit 0 ready, 1 a check failed, 2 invalid config or arguments.
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import YAML from "yaml";
import { IMAGES, imageRef } from "../components/kit";
import { ConfigError } from "../components/kit/problems";
import { UsageError, existingFile, stackName, valueAfter, wantsHelp } from "./lib/args";
import { checkStackFile } from "./lib/check-stack";
import { PreflightNode, PreflightOptions, preflight } from "./lib/preflight";
import { ROOT, listStacks, readStackFile } from "./lib/stack-file";
import { TagStatus, defaultBase, parseImage, tagStatus } from "./lib/registry";
import { nodeTs } from "./lib/node-ts";

/** Every image reference in rendered manifests (pods of workloads and jobs, init containers included). */
export function imagesIn(manifestsYaml: string): string[] {
  const found = new Set<string>();
  for (const doc of YAML.parseAllDocuments(manifestsYaml)) {
    const m = doc.toJSON() as any;
    const pod = m?.spec?.template?.spec ?? m?.spec?.jobTemplate?.spec?.template?.spec;
    for (const c of [...(pod?.containers ?? []), ...(pod?.initContainers ?? [])]) if (c.image) found.add(c.image);
  }
  return [...found];
}

export async function checkImages(refs: readonly string[], base: (host: string) => string = defaultBase): Promise<Map<string, TagStatus>> {
  const out = new Map<string, TagStatus>();
  await Promise.all(
    [...new Set(refs)].sort().map(async (ref) => {
      const img = parseImage(ref);
      out.set(ref, await tagStatus(img, base(img.host)));
    }),
  );
  return out;
}

export function report(results: Map<string, TagStatus>): { text: string; code: number } {
  const lines: string[] = [];
  let code = 0;
  for (const [ref, r] of [...results].sort(([a], [b]) => a.localeCompare(b))) {
    if (r.status === "exists") lines.push(`  ok       ${ref}`);
    else if (r.status === "missing") {
      lines.push(`  MISSING  ${ref}: the registry has no such tag; pin one that exists in components/kit/images.ts`);
      code = 1;
    } else {
      lines.push(`  ?        ${ref}: could not check (${r.reason})`);
      if (code === 0) code = 3;
    }
  }
  return { text: lines.join("\n"), code };
}

export function usage(): string {
  return [
    "usage: npm run doctor -- [--stack <name>] [--config-file <file>]",
    "       npm run doctor -- --preflight --stack <name> [--config-file <file>] [--identity <key file>]",
    "                         [--ssh-option Key=Value]... [--min-free-gb <n>] [--connect-timeout <s>]",
    "  images (default): asks each registry whether every image tag the stack(s) run exists (default: every stack)",
    "  --preflight: reaches every node of the stack over SSH (its ssh user, host, port) and checks it is",
    "    ready for pulumi up: login, password-less sudo, its configured addresses, Tailscale up for tailnet",
    "    addresses, NVIDIA driver and container toolkit on gpu nodes, free disk (default 20 GiB).",
    "    The key comes from ssh-agent / ssh's defaults, or --identity.",
    "exit: 0 ok, 1 a check failed (a tag missing), 3 some registry could not be asked, 2 invalid config or arguments",
    `stacks: ${listStacks().join(", ")}`,
  ].join("\n");
}

interface DoctorArgs {
  readonly stacks: string[];
  readonly configFile?: string;
  readonly preflight: boolean;
  readonly options: PreflightOptions;
}

export function parseArgs(argv: readonly string[]): DoctorArgs {
  const stacks: string[] = [];
  let configFile: string | undefined;
  let pre = false;
  let identity: string | undefined;
  const sshOptions: string[] = [];
  let minFreeBytes: number | undefined;
  let connectTimeoutSeconds: number | undefined;
  const number = (i: number, what: string) => {
    const v = Number(valueAfter(argv, i, what));
    if (!Number.isFinite(v) || v <= 0) throw new UsageError(`${argv[i]} needs ${what}, not ${argv[i + 1]}`);
    return v;
  };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--stack") stacks.push(stackName(argv, i++, listStacks()));
    else if (a === "--config-file") configFile = existingFile(argv, i++);
    else if (a === "--preflight") pre = true;
    else if (a === "--identity") identity = existingFile(argv, i++);
    else if (a === "--ssh-option") {
      const o = valueAfter(argv, i++, "Key=Value");
      if (!/^[A-Za-z]+=.+$/.test(o)) throw new UsageError(`--ssh-option needs Key=Value (an ssh -o option), not ${o}`);
      sshOptions.push(o);
    } else if (a === "--min-free-gb") minFreeBytes = number(i++, "a number of GiB") * 1024 ** 3;
    else if (a === "--connect-timeout") connectTimeoutSeconds = number(i++, "a number of seconds");
    else throw new UsageError(`unknown argument "${a}"`);
  }
  if (configFile && stacks.length !== 1) throw new UsageError("--config-file goes with exactly one --stack");
  if (pre && stacks.length !== 1) throw new UsageError("--preflight needs exactly one --stack <name>");
  return { stacks, configFile, preflight: pre, options: { identity, sshOptions, minFreeBytes, connectTimeoutSeconds } };
}

/** Runs render in a child process; its messages reach the user as they are (no stack trace of ours). */
function renderTo(out: string, a: DoctorArgs): Promise<number> {
  const args = [...(a.stacks.length ? a.stacks.flatMap((s) => ["--stack", s]) : ["--all"]), ...(a.configFile ? ["--config-file", a.configFile] : []), "--out", out];
  return new Promise((resolve) => {
    const p = spawn(process.execPath, nodeTs(path.join(__dirname, "render.ts"), ...args), { cwd: ROOT, stdio: ["ignore", "ignore", "inherit"] });
    p.on("error", (e) => (console.error(`doctor: could not run render: ${e.message}`), resolve(1)));
    p.on("close", (code) => resolve(code ?? 1));
  });
}

async function images(a: DoctorArgs): Promise<number> {
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "doctor-"));
  try {
    const rendered = await renderTo(out, a);
    if (rendered !== 0) return rendered;
    const stacks = a.stacks.length ? a.stacks : listStacks();
    const refs = new Set(a.stacks.length ? [] : Object.values(IMAGES).map((i) => imageRef(i)));
    for (const s of stacks) for (const r of imagesIn(fs.readFileSync(path.join(out, s, "manifests.yaml"), "utf8"))) refs.add(r);
    console.log(`doctor: checking ${refs.size} images of ${stacks.join(", ")} against their registries`);
    const { text, code } = report(await checkImages([...refs]));
    console.log(text);
    return code;
  } finally {
    fs.rmSync(out, { recursive: true, force: true });
  }
}

async function preflightStack(a: DoctorArgs): Promise<number> {
  const stack = a.stacks[0];
  const sf = readStackFile(stack, a.configFile);
  const { config } = checkStackFile(sf);
  if (config.cluster.mode !== "k3s") {
    console.log(`preflight ${stack}: cluster.mode is ${config.cluster.mode}: the program reaches no node over SSH, nothing to check`);
    return 0;
  }
  const nodes: PreflightNode[] = config.nodes.map((n, index) => ({ name: n.name, index, ssh: n.ssh, address: n.address, lanAddress: n.lanAddress, gpu: n.gpu }));
  const { text, code } = await preflight(stack, nodes, a.options);
  console.log(text);
  return code;
}

export async function main(argv: string[]): Promise<number> {
  if (wantsHelp(argv)) {
    console.log(usage());
    return 0;
  }
  let a: DoctorArgs;
  try {
    a = parseArgs(argv);
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`doctor: ${e.message}\n${usage()}`);
    return 2;
  }
  try {
    return await (a.preflight ? preflightStack(a) : images(a));
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`doctor: stack ${a.stacks[0]}: ${e.message}`);
      return 2;
    }
    // A stack file that cannot be read (readStackFile's messages name the file and the stacks).
    if (e instanceof Error && /^no stack file|is not valid YAML/.test(e.message)) {
      console.error(`doctor: ${e.message}`);
      return 2;
    }
    throw e;
  }
}

if (require.main === module) main(process.argv.slice(2)).then((c) => process.exit(c), (e) => (console.error(`doctor: ${e instanceof Error ? e.message : String(e)}`), process.exit(1)));
