// The semantic diff of two renders of one stack: which resources were added, removed or changed
// (with the changed fields as YAML paths), how each node's capacity moved, and which warnings and
// invariant violations (policy/rules, the rules the tests and the policy pack enforce) appeared or
// went away. Pure: it takes what `render --dump` wrote and never touches the disk.
import { createHash } from "node:crypto";
import YAML from "yaml";
import { parseBytes, parseMillicores } from "../../components/kit";
import type { RecordedResource } from "./mock-runtime";
import { manifestsOf } from "./manifests";
import { optionViolations, registeredOf, violations } from "../../policy/rules";
import type { Plan, PlanNode } from "../render";

/** One side of the diff: a stack's resources (resources.json) and plan (plan.json). */
export interface RenderSnapshot {
  readonly stack: string;
  readonly resources: readonly (Pick<RecordedResource, "type" | "name" | "inputs"> & Partial<Pick<RecordedResource, "options">>)[];
  readonly plan: Pick<Plan, "nodes" | "warnings">;
}

export interface FieldChange {
  /** YAML path, e.g. `spec.template.spec.containers[name=qdrant].image`. */
  readonly path: string;
  readonly old?: unknown;
  readonly new?: unknown;
  /** A Secret's key: the change is named, its values are never carried. */
  readonly secret?: "added" | "removed" | "changed";
}

export interface ChangedResource {
  readonly id: string;
  readonly fields: FieldChange[];
}

export interface NodeDelta {
  readonly node: string;
  readonly before?: NodeUse;
  readonly after?: NodeUse;
}

/** What a node's summary line compares: request shares of allocatable, in whole percent. */
export interface NodeUse {
  readonly pods: number;
  readonly memoryPercent: number;
  readonly cpuPercent: number;
  readonly memory: string;
  readonly cpu: string;
}

export interface StackDiff {
  readonly stack: string;
  readonly added: string[];
  readonly removed: string[];
  readonly changed: ChangedResource[];
  /** Every node of either side whose pods or request shares moved. */
  readonly nodes: NodeDelta[];
  readonly newWarnings: string[];
  readonly resolvedWarnings: string[];
  /** Invariant violations ("<rule>: <message>", policy/rules) the working tree has and the base had not. */
  readonly newViolations: string[];
  /** Invariant violations the base had and the working tree has not. */
  readonly resolvedViolations: string[];
  /** Facts about the comparison itself, e.g. a side that did not render. */
  readonly notes: string[];
  /** Why the working tree's render failed: then nothing else is compared. */
  readonly error?: string;
}

/** Kubernetes objects are known by kind, namespace and name; anything else by Pulumi type and name. */
export function resourceId(r: Pick<RecordedResource, "type" | "name" | "inputs">): string {
  const m = r.inputs;
  if (r.type.startsWith("kubernetes:") && m?.kind !== undefined && m?.metadata?.name !== undefined) {
    return `${m.kind} ${m.metadata.namespace ? `${m.metadata.namespace}/` : ""}${m.metadata.name}`;
  }
  return `${r.type} ${r.name}`;
}

function isSecretManifest(r: Pick<RecordedResource, "type" | "inputs">): boolean {
  return r.type.startsWith("kubernetes:") && r.inputs?.kind === "Secret";
}

function byId(rs: RenderSnapshot["resources"]): Map<string, RenderSnapshot["resources"][number]> {
  const map = new Map<string, RenderSnapshot["resources"][number]>();
  for (const r of rs) {
    const id = resourceId(r);
    // The same object twice (e.g. through two providers) stays two entries rather than one hiding the other.
    let key = id;
    for (let n = 2; map.has(key); n++) key = `${id} #${n}`;
    map.set(key, r);
  }
  return map;
}

const PLAIN_KEY = /^[A-Za-z_][A-Za-z0-9_-]*$/;

function childPath(parent: string, key: string): string {
  if (PLAIN_KEY.test(key)) return parent ? `${parent}.${key}` : key;
  return `${parent}[${JSON.stringify(key)}]`;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Arrays of objects with unique `name`s (containers, env, ports, volumes) are matched by name, not position. */
function namedIndex(a: unknown[]): Map<string, unknown> | undefined {
  const map = new Map<string, unknown>();
  for (const x of a) {
    if (!isObject(x) || typeof x.name !== "string" || map.has(x.name)) return undefined;
    map.set(x.name, x);
  }
  return map;
}

/** A block of YAML inside a string (chart values, config files) is compared field by field. */
function embeddedYaml(s: string): Record<string, unknown> | undefined {
  if (!s.includes("\n")) return undefined;
  try {
    const v = YAML.parse(s);
    return isObject(v) ? v : undefined;
  } catch {
    return undefined;
  }
}

function same(a: unknown, b: unknown): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/** Appends the field-level changes between `a` and `b` under `path`. */
export function diffValues(a: unknown, b: unknown, path: string, out: FieldChange[]): void {
  if (same(a, b)) return;
  if (isObject(a) && isObject(b)) {
    for (const k of [...new Set([...Object.keys(a), ...Object.keys(b)])].sort()) diffValues(a[k], b[k], childPath(path, k), out);
    return;
  }
  if (Array.isArray(a) && Array.isArray(b)) {
    const na = namedIndex(a);
    const nb = namedIndex(b);
    if (na && nb) {
      for (const k of [...new Set([...na.keys(), ...nb.keys()])]) diffValues(na.get(k), nb.get(k), `${path}[name=${k}]`, out);
      return;
    }
    if (a.length === b.length) {
      a.forEach((x, i) => diffValues(x, b[i], `${path}[${i}]`, out));
      return;
    }
  }
  if (typeof a === "string" && typeof b === "string") {
    const ya = embeddedYaml(a);
    const yb = embeddedYaml(b);
    if (ya && yb) {
      // Paths inside the embedded document follow a `|`: spec.valuesContent|resources.requests.cpu
      const inner: FieldChange[] = [];
      diffValues(ya, yb, "", inner);
      out.push(...inner.map((f) => ({ ...f, path: `${path}|${f.path}` })));
      return;
    }
  }
  out.push({ path, old: a, new: b });
}

function digest(v: unknown): string {
  return createHash("sha256").update(JSON.stringify(v ?? null)).digest("hex");
}

/** A Secret's data keys, compared by digest: the change is named, never shown. */
function secretFieldChanges(a: Record<string, any>, b: Record<string, any>): FieldChange[] {
  const out: FieldChange[] = [];
  for (const field of ["data", "stringData"]) {
    const x: Record<string, unknown> = a[field] ?? {};
    const y: Record<string, unknown> = b[field] ?? {};
    for (const k of [...new Set([...Object.keys(x), ...Object.keys(y)])].sort()) {
      const path = childPath(field, k);
      if (!(k in x)) out.push({ path, secret: "added" });
      else if (!(k in y)) out.push({ path, secret: "removed" });
      else if (digest(x[k]) !== digest(y[k])) out.push({ path, secret: "changed" });
    }
  }
  return out;
}

function withoutSecretData(m: Record<string, any>): Record<string, any> {
  const { data: _d, stringData: _s, ...rest } = m;
  return rest;
}

/** The field changes of one resource present on both sides. */
export function resourceChanges(a: RenderSnapshot["resources"][number], b: RenderSnapshot["resources"][number]): FieldChange[] {
  const out: FieldChange[] = [];
  if (a.type !== b.type) out.push({ path: "(type)", old: a.type, new: b.type });
  if (isSecretManifest(a) || isSecretManifest(b)) {
    diffValues(withoutSecretData(a.inputs ?? {}), withoutSecretData(b.inputs ?? {}), "", out);
    out.push(...secretFieldChanges(a.inputs ?? {}, b.inputs ?? {}));
  } else {
    diffValues(a.inputs ?? {}, b.inputs ?? {}, "", out);
  }
  return out;
}

function percent(used: number | undefined, of: number | undefined): number {
  return Math.round((100 * (used ?? 0)) / Math.max(of ?? 0, 1));
}

export function nodeUse(n: PlanNode): NodeUse {
  return {
    pods: n.pods.length,
    memoryPercent: n.memoryRequestPercent ?? percent(parseBytes(n.requests.memory), parseBytes(n.allocatable.memory)),
    cpuPercent: percent(parseMillicores(n.requests.cpu), parseMillicores(n.allocatable.cpu)),
    memory: `${n.requests.memory}/${n.allocatable.memory}`,
    cpu: `${n.requests.cpu}/${n.allocatable.cpu}`,
  };
}

function nodeDeltas(before: readonly PlanNode[], after: readonly PlanNode[]): NodeDelta[] {
  const names = [...new Set([...before.map((n) => n.node), ...after.map((n) => n.node)])];
  const out: NodeDelta[] = [];
  for (const node of names) {
    const b = before.find((n) => n.node === node);
    const a = after.find((n) => n.node === node);
    const delta: NodeDelta = { node, before: b && nodeUse(b), after: a && nodeUse(a) };
    if (!same(delta.before, delta.after)) out.push(delta);
  }
  return out;
}

/**
 * The invariant violations of one side, judged on its Kubernetes objects as the render writes them
 * (Secrets redacted), and on the options it recorded with them (protect, timeouts).
 */
export function violationsOf(resources: RenderSnapshot["resources"]): string[] {
  return [...violations(manifestsOf(resources)), ...optionViolations(registeredOf(resources))];
}

/** Compares the render of a stack at the base (`before`, absent for a new stack) with the working tree's. */
export function diffRenders(before: RenderSnapshot | undefined, after: RenderSnapshot, notes: string[] = []): StackDiff {
  const b = byId(before?.resources ?? []);
  const a = byId(after.resources);
  const changed: ChangedResource[] = [];
  for (const [id, r] of a) {
    const old = b.get(id);
    if (!old) continue;
    const fields = resourceChanges(old, r);
    if (fields.length) changed.push({ id, fields });
  }
  const wb = new Set(before?.plan.warnings ?? []);
  const wa = new Set(after.plan.warnings);
  const vb = new Set(violationsOf(before?.resources ?? []));
  const va = new Set(violationsOf(after.resources));
  return {
    stack: after.stack,
    added: [...a.keys()].filter((id) => !b.has(id)),
    removed: [...b.keys()].filter((id) => !a.has(id)),
    changed,
    nodes: nodeDeltas(before?.plan.nodes ?? [], after.plan.nodes),
    newWarnings: [...wa].filter((w) => !wb.has(w)),
    resolvedWarnings: [...wb].filter((w) => !wa.has(w)),
    newViolations: [...va].filter((v) => !vb.has(v)),
    resolvedViolations: [...vb].filter((v) => !va.has(v)),
    notes: before ? notes : [`stack ${after.stack} does not exist at the base: everything is new`, ...notes],
  };
}

/** A stack whose working-tree render failed: the error is the whole report. */
export function failedStack(stack: string, error: string): StackDiff {
  return { stack, added: [], removed: [], changed: [], nodes: [], newWarnings: [], resolvedWarnings: [], newViolations: [], resolvedViolations: [], notes: [], error };
}

export function isUnchanged(d: StackDiff): boolean {
  return !d.error && !d.added.length && !d.removed.length && !d.changed.length && !d.nodes.length && !d.newWarnings.length && !d.resolvedWarnings.length && !d.newViolations.length && !d.resolvedViolations.length;
}
