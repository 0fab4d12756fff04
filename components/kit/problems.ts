// One style for every configuration problem: the config path, what is wrong, and how to fix it.
// Schemas raise zod issues; `issueProblems` turns them into Problems with the stack's paths.
import { z } from "zod";
import { FIX_MARK, shown } from "./formats";

export interface Problem {
  /** The config path, e.g. "homelab:nodes[1].address". */
  readonly path: string;
  readonly message: string;
  /** What to do about it. */
  readonly fix: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: readonly Problem[]) {
    super(formatProblems(problems));
    this.name = "ConfigError";
  }
}

export function formatProblems(problems: readonly Problem[]): string {
  const lines = problems.map((p) => `  - ${p.path}: ${p.message}\n    fix: ${p.fix}`);
  return `invalid stack configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n${lines.join("\n")}`;
}

export class Problems {
  readonly list: Problem[] = [];
  add(path: string, message: string, fix: string): void {
    this.list.push({ path, message, fix });
  }
  addAll(problems: readonly Problem[]): void {
    this.list.push(...problems);
  }
  get empty(): boolean {
    return this.list.length === 0;
  }
}

/** `homelab:nodes` + [1, "taints", 0] → `homelab:nodes[1].taints[0]`. */
export function joinPath(base: string, path: readonly PropertyKey[]): string {
  let out = base;
  for (const p of path) {
    if (typeof p === "number") out += `[${p}]`;
    else out += out.endsWith(":") || out === "" ? String(p) : `.${String(p)}`;
  }
  return out;
}

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

/** The known word nearest to a misspelt one, when it is near enough to be what was meant. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word.toLowerCase(), c.toLowerCase());
    if (dist < bestD) [best, bestD] = [c, dist];
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

type Def = { type: string; innerType?: z.ZodType; in?: z.ZodType; out?: z.ZodType; element?: z.ZodType; shape?: Record<string, z.ZodType>; options?: z.ZodType[] };
const defOf = (s: z.ZodType): Def => (s as unknown as { _zod: { def: Def } })._zod.def;

/** The keys an object schema knows (looking through defaults, optionals and pipes). */
export function knownKeys(schema: z.ZodType): string[] {
  const d = defOf(schema);
  if (d.shape) return Object.keys(d.shape);
  if (d.innerType) return knownKeys(d.innerType);
  if (d.type === "pipe" && d.in) return knownKeys(d.in);
  if (d.options) return [...new Set(d.options.flatMap(knownKeys))];
  return [];
}

/** The schema of the value at `path` inside `schema`, if the path leads through objects and lists. */
export function schemaAt(schema: z.ZodType, path: readonly PropertyKey[]): z.ZodType | undefined {
  if (path.length === 0) return schema;
  const d = defOf(schema);
  if (d.innerType) return schemaAt(d.innerType, path);
  if (d.type === "pipe" && d.in) return schemaAt(d.in, path);
  const [head, ...rest] = path;
  if (d.shape && typeof head === "string" && d.shape[head]) return schemaAt(d.shape[head], rest);
  if (d.element && typeof head === "number") return schemaAt(d.element, rest);
  if (d.options) for (const o of d.options) {
    const s = schemaAt(o, path);
    if (s) return s;
  }
  return undefined;
}

const EXPECTED: Record<string, [string, string]> = {
  string: ["a string", "write it as a quoted string"],
  number: ["a number", "write a number"],
  int: ["a whole number", "write a whole number"],
  boolean: ["true or false", "write true or false"],
  array: ["a list", "write it as a YAML list (- item lines, or [a, b])"],
  object: ["an object", "write it as a YAML mapping (key: value lines)"],
};

/**
 * The error map every settings schema is parsed with: messages for the generic issues (wrong type,
 * not one of the choices, missing); schemas set their own for formats and rules.
 */
export const settingsErrorMap: z.core.$ZodErrorMap = (iss) => {
  if (iss.code === "invalid_type") {
    if (iss.input === undefined) return `is required${FIX_MARK}set it (see the README's config reference)`;
    const [what, fix] = EXPECTED[iss.expected] ?? [iss.expected, `write ${iss.expected}`];
    return `must be ${what}, got ${shown(iss.input)}${FIX_MARK}${fix}`;
  }
  if (iss.code === "invalid_value") {
    const values = iss.values.map(String);
    return `must be one of ${values.join(", ")}, got ${shown(iss.input)}${FIX_MARK}set it to one of ${values.join(", ")}`;
  }
  if (iss.code === "too_small" && iss.origin === "array") return `needs at least ${String(iss.minimum)} item(s)${FIX_MARK}add an item`;
  if (iss.code === "too_small" || iss.code === "too_big") {
    const bound = iss.code === "too_small" ? `at least ${String(iss.minimum)}` : `at most ${String(iss.maximum)}`;
    return `must be ${bound}, got ${shown(iss.input)}${FIX_MARK}choose a value in range`;
  }
  return undefined;
};

/** Problems for the issues of a failed parse of `schema` (the value at config path `base`). */
export function issueProblems(schema: z.ZodType, error: z.ZodError, base: string): Problem[] {
  const out: Problem[] = [];
  for (const iss of error.issues) {
    if (iss.code === "unrecognized_keys") {
      const known = knownKeys(schemaAt(schema, iss.path) ?? schema);
      for (const k of iss.keys) {
        const path = joinPath(base, [...iss.path, k]);
        // A schema may say why a key does not belong (e.g. hosts on the kubernetes DCS).
        if (iss.message.includes(FIX_MARK)) {
          const [message, fix] = iss.message.split(FIX_MARK);
          out.push({ path, message, fix });
          continue;
        }
        const near = closest(k, known);
        out.push({ path, message: `unknown setting "${k}"`, fix: near ? `did you mean "${near}"?` : `remove it; known settings: ${known.join(", ")}` });
      }
      continue;
    }
    let text = iss.message;
    if (iss.code === "invalid_union" && !text.includes(FIX_MARK)) {
      // Our unions are formats (IP, host): the alternative that says what was wanted speaks for them.
      text = iss.errors.flat().find((e) => e.message.includes(FIX_MARK))?.message ?? text;
    }
    const [message, fix] = text.includes(FIX_MARK) ? text.split(FIX_MARK) : [text, "see the README's config reference"];
    out.push({ path: joinPath(base, iss.path), message, fix });
  }
  return out;
}

/** Parses `value` with `schema`; returns the data, or the problems under config path `base`. */
export function parseSettings<S extends z.ZodType>(schema: S, value: unknown, base: string): { data: z.output<S>; problems: [] } | { data?: undefined; problems: Problem[] } {
  const r = schema.safeParse(value, { error: settingsErrorMap });
  return r.success ? { data: r.data, problems: [] } : { problems: issueProblems(schema, r.error, base) };
}
