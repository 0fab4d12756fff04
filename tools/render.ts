// Offline render: runs the real program under the SDK mock runtime for one stack and writes
// <out>/<stack>/manifests.yaml and plan.json, then prints a short summary. No Pulumi CLI, no
// cluster and no passphrase needed. Usage: npm run render -- --stack homelab [--out dist/render]
import * as fs from "node:fs";
import * as path from "node:path";
import { BACKUP_LABEL, formatBytes, formatMillicores } from "../components/kit";
import { ConfigError } from "../components/kit/problems";
import type { validateRaw } from "../stacks/load";
import { checkStackFile } from "./lib/check-stack";
import { nodeCapacities } from "../stacks/validate";
import { minioResilience } from "../stacks/minio";
import { NodeLoad, PodGroup, Schedule, schedule } from "../stacks/schedule";
import { UsageError, existingFile, stackName, valueAfter, wantsHelp } from "./lib/args";
import { runProgram, RecordedResource } from "./lib/mock-runtime";
import { Manifest, chartGroupsOf, isKubernetes, manifestsOf, podGroupOf, toYaml, traefikGroupOf, workloadsOf } from "./lib/manifests";
import { ROOT, StackFile, listStacks, readStackFile } from "./lib/stack-file";

export interface RenderOptions {
  readonly stack: string;
  readonly out: string;
  /** Also write resources.json: every recorded resource with its inputs (tests read it). */
  readonly dump?: boolean;
  /** Read this file instead of Pulumi.<stack>.yaml. */
  readonly configFile?: string;
  readonly quiet?: boolean;
}

export interface Plan {
  readonly stack: string;
  readonly resources: { type: string; name: string }[];
  readonly nodes: PlanNode[];
  /** Per workload: how many replicas run and on which nodes (one entry per placed replica). */
  readonly workloads: PlanWorkload[];
  readonly hosts: string[];
  /** What losing a node means for the stateful services that can say (e.g. MinIO's erasure sets), from the placement above. */
  readonly resilience?: string[];
  readonly warnings: string[];
  /** The backup CronJobs (labelled with what they back up), when the stack has any. */
  readonly backups?: PlanBackup[];
}

export interface PlanBackup {
  readonly job: string;
  /** Its BACKUP_LABEL value. */
  readonly backup: string;
  readonly schedule: string;
  /** A restore: declared, run by hand. */
  readonly suspended: boolean;
}

/** Every CronJob labelled as a backup, by name. */
export function backupsOf(ms: readonly Manifest[]): PlanBackup[] {
  return ms
    .filter((m) => m.kind === "CronJob" && m.metadata?.labels?.[BACKUP_LABEL] !== undefined)
    .map((m) => ({ job: m.metadata.name, backup: m.metadata.labels[BACKUP_LABEL], schedule: m.spec.schedule, suspended: m.spec.suspend === true }))
    .sort((a, b) => a.job.localeCompare(b.job));
}

export interface PlanNode {
  readonly node: string;
  readonly pods: string[];
  readonly requests: { cpu: string; memory: string };
  readonly limits: { memory: string };
  readonly capacity: { cpu: string; memory: string };
  readonly allocatable: { cpu: string; memory: string };
  readonly memoryRequestPercent: number;
}

export interface PlanWorkload {
  readonly workload: string;
  readonly replicas: number;
  readonly nodes: string[];
  readonly unplaced: number;
}

/** Which node each workload's replicas landed on, read back from the schedule's pod names. */
export function workloadPlacement(groups: readonly PodGroup[], s: Schedule): PlanWorkload[] {
  return [...groups]
    .sort((a, b) => a.workload.localeCompare(b.workload))
    .map((g) => {
      // The scheduler names replica r of a multi-replica workload "<workload>-<r>".
      const mine = (pod: string) => (g.replicas > 1 ? pod.startsWith(`${g.workload}-`) && /^\d+$/.test(pod.slice(g.workload.length + 1)) : pod === g.workload);
      const nodes = s.nodes.flatMap((l) => l.pods.filter(mine).map(() => l.node));
      return { workload: g.workload, replicas: g.replicas, nodes, unplaced: s.unplaced.filter((u) => u.workload === g.workload).length };
    });
}

function nodeList(nodes: readonly string[]): string {
  const counts = new Map<string, number>();
  for (const n of nodes) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].map(([n, c]) => (c > 1 ? `${n} ×${c}` : n)).join(", ");
}

function hostsOf(ms: readonly Manifest[]): string[] {
  const hosts = new Set<string>();
  for (const m of ms) {
    if (m.kind === "Ingress") for (const r of m.spec?.rules ?? []) if (r.host) hosts.add(r.host);
    if (m.kind === "IngressRoute") {
      for (const r of m.spec?.routes ?? []) for (const h of String(r.match ?? "").matchAll(/Host\(`([^`]+)`\)/g)) hosts.add(h[1]);
    }
  }
  return [...hosts].sort();
}

function planNode(l: NodeLoad): PlanNode {
  return {
    node: l.node,
    pods: l.pods,
    requests: { cpu: formatMillicores(l.requests.cpuMillis), memory: formatBytes(l.requests.memoryBytes) },
    limits: { memory: formatBytes(l.limits.memoryBytes) },
    capacity: { cpu: formatMillicores(l.capacity.cpuMillis), memory: formatBytes(l.capacity.memoryBytes) },
    allocatable: { cpu: formatMillicores(l.allocatable.cpuMillis), memory: formatBytes(l.allocatable.memoryBytes) },
    memoryRequestPercent: Math.round((100 * l.requests.memoryBytes) / Math.max(l.allocatable.memoryBytes, 1)),
  };
}

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd()).join("\n");
}

export function summary(plan: Plan, outDir: string, objects: number): string {
  const rows = [["node", "pods", "cpu req/alloc", "mem req/alloc", "mem %", "mem limits"]];
  for (const n of plan.nodes) {
    rows.push([n.node, String(n.pods.length), `${n.requests.cpu}/${n.allocatable.cpu}`, `${n.requests.memory}/${n.allocatable.memory}`, `${n.memoryRequestPercent}%`, n.limits.memory]);
  }
  const lines = [
    `stack ${plan.stack}: ${objects} Kubernetes objects, ${plan.resources.length} other resources → ${outDir}`,
    "",
    table(rows),
    "",
    table([
      ["workload", "replicas", "nodes"],
      ...plan.workloads.map((w) => [w.workload, String(w.replicas), nodeList(w.nodes) + (w.unplaced ? `${w.nodes.length ? ", " : ""}${w.unplaced} not placed` : "")]),
    ]),
    ...(plan.resilience?.length ? ["", ...plan.resilience] : []),
    "",
    `hosts: ${plan.hosts.length ? plan.hosts.join(", ") : "(none)"}`,
  ];
  if (plan.backups?.length) {
    lines.push("", table([["backup job", "backs up", "schedule (UTC)"], ...plan.backups.map((b) => [b.job, b.backup, b.suspended ? "suspended (restore: run by hand)" : b.schedule])]));
  }
  if (plan.warnings.length) lines.push("", "warnings:", ...plan.warnings.map((w) => `  - ${w}`));
  return lines.join("\n");
}

/** Renders one stack. Returns the process exit code: 0 ok, 2 invalid config, 1 program failure. */
export async function render(o: RenderOptions): Promise<number> {
  const log = (s: string) => (o.quiet ? undefined : console.log(s));
  let sf: StackFile;
  try {
    sf = readStackFile(o.stack, o.configFile);
  } catch (e) {
    console.error(`render: ${(e as Error).message}`);
    return 2;
  }
  let validated: ReturnType<typeof validateRaw>;
  try {
    validated = checkStackFile(sf);
  } catch (e) {
    if (e instanceof ConfigError) {
      console.error(`render: stack ${o.stack} (${path.relative(process.cwd(), sf.file) || sf.file}): ${e.message}`);
      return 2;
    }
    throw e;
  }
  // The program logs the same warnings through Pulumi; render prints them once, in its summary.
  process.env.HOMELAB_QUIET_WARNINGS = "1";
  const run = await runProgram(sf);
  if (run.error) {
    console.error(`render: the program failed for stack ${o.stack}: ${run.error instanceof Error ? run.error.stack : String(run.error)}`);
    return run.error instanceof ConfigError ? 2 : 1;
  }
  const manifests = manifestsOf(run.resources);
  const traefik = traefikGroupOf(manifests, validated.config);
  const groups = [...workloadsOf(manifests).map((w) => podGroupOf(w, validated.config)), ...(traefik ? [traefik] : []), ...chartGroupsOf(manifests, validated.config)];
  const loads = schedule(nodeCapacities(validated.config), groups, validated.config.systemReservePercent);
  const workloads = workloadPlacement(groups, loads);
  const minio = minioResilience(validated.config, workloads.find((w) => w.workload === "minio")?.nodes ?? []);
  const plan: Plan = {
    stack: o.stack,
    resources: run.resources.filter((r) => !isKubernetes(r)).map((r) => ({ type: r.type, name: r.name })),
    nodes: loads.nodes.map(planNode),
    workloads,
    hosts: hostsOf(manifests),
    resilience: minio ? [minio.statement] : [],
    warnings: [...validated.warnings, ...loads.unplaced.map((u) => `${u.workload} replica ${u.replica} cannot be placed: ${u.reason}`)],
    ...(backupsOf(manifests).length ? { backups: backupsOf(manifests) } : {}),
  };
  const dir = path.join(o.out, o.stack);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "manifests.yaml"), toYaml(manifests));
  fs.writeFileSync(path.join(dir, "plan.json"), JSON.stringify(plan, null, 2) + "\n");
  if (o.dump) {
    const dumped = run.resources.map((r: RecordedResource) => (isKubernetes(r) ? { ...r, inputs: manifestsOf([r])[0] } : r));
    fs.writeFileSync(path.join(dir, "resources.json"), JSON.stringify(dumped, null, 1) + "\n");
  }
  log(summary(plan, dir, manifests.length));
  return 0;
}

export function usage(): string {
  return [
    "usage: npm run render -- --stack <name>|--all [--out <dir>] [--dump] [--config-file <Pulumi.x.yaml>]",
    "  Runs the program offline (Pulumi SDK mock runtime) and writes <out>/<stack>/manifests.yaml and plan.json.",
    "  --stack <name>        a stack (repeatable); --all: every Pulumi.<stack>.yaml here",
    "  --out <dir>           default dist/render",
    "  --dump                also write resources.json (every recorded resource with its inputs)",
    "  --config-file <file>  read this file instead of Pulumi.<stack>.yaml (with exactly one --stack)",
    "exit: 0 rendered, 2 invalid config or arguments, 1 the program failed",
    `stacks: ${listStacks().join(", ")}`,
  ].join("\n");
}

export async function main(argv: string[]): Promise<number> {
  let stacks: string[] = [];
  let out = path.join(ROOT, "dist", "render");
  let dump = false;
  let configFile: string | undefined;
  if (wantsHelp(argv)) {
    console.log(usage());
    return 0;
  }
  try {
    for (let i = 0; i < argv.length; i++) {
      const a = argv[i];
      if (a === "--stack") stacks.push(stackName(argv, i++, listStacks()));
      else if (a === "--out") out = path.resolve(valueAfter(argv, i++, "a directory"));
      else if (a === "--all") stacks = listStacks();
      else if (a === "--dump") dump = true;
      else if (a === "--config-file") configFile = existingFile(argv, i++);
      else throw new UsageError(`unknown argument "${a}"`);
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`render: ${e.message}\n${usage()}`);
    return 2;
  }
  if (stacks.length === 0) {
    console.error(`render: name a stack\n${usage()}`);
    return 2;
  }
  let code = 0;
  if (configFile && stacks.length !== 1) {
    console.error("render: --config-file goes with exactly one --stack");
    return 2;
  }
  for (const stack of stacks) code = Math.max(code, await render({ stack, out, dump, configFile }));
  return code;
}

if (require.main === module) {
  let finished = false;
  // A program whose outputs never settle would otherwise let node exit silently with status 0.
  process.on("beforeExit", () => {
    if (!finished) {
      console.error("render: the program never finished (an output that cannot resolve under the mock runtime)");
      process.exit(1);
    }
  });
  main(process.argv.slice(2)).then(
    (code) => {
      finished = true;
      process.exit(code);
    },
    (e) => {
      console.error(e);
      process.exit(1);
    },
  );
}
