// Reads untyped config values into typed ones, recording a Problem (with its path) for each
// mistake instead of stopping at the first.
import { Problems } from "./problems";

type Raw = Record<string, unknown>;

function editDistance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++)
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length][b.length];
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dist = editDistance(word.toLowerCase(), c.toLowerCase());
    if (dist < bestD) [best, bestD] = [c, dist];
  }
  return bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

export function typeName(v: unknown): string {
  return Array.isArray(v) ? "a list" : v === null ? "null" : typeof v === "object" ? "an object" : `${typeof v} ${JSON.stringify(v)}`;
}

export class Fields {
  constructor(
    readonly raw: Raw,
    readonly path: string,
    readonly problems: Problems,
  ) {}

  static of(value: unknown, path: string, problems: Problems): Fields {
    if (value === undefined || value === null) return new Fields({}, path, problems);
    if (typeof value !== "object" || Array.isArray(value)) {
      problems.add(path, `must be an object, got ${typeName(value)}`, `write ${path} as a YAML mapping (key: value lines)`);
      return new Fields({}, path, problems);
    }
    return new Fields(value as Raw, path, problems);
  }

  /** Top-level keys are namespaced ("homelab:nodes"); nested ones are dotted ("homelab:nodes[0].name"). */
  at(key: string): string {
    return this.path.includes(":") ? `${this.path}.${key}` : `${this.path}:${key}`;
  }

  /** Reports keys we do not know, suggesting the nearest known one (typos are the commonest config bug). */
  only(keys: readonly string[]): void {
    for (const k of Object.keys(this.raw)) {
      if (keys.includes(k)) continue;
      const near = closest(k, keys);
      this.problems.add(this.at(k), `unknown setting "${k}"`, near ? `did you mean "${near}"?` : `remove it; known settings: ${keys.join(", ")}`);
    }
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  str(key: string, fallback: string): string;
  str(key: string): string | undefined;
  str(key: string, fallback?: string): string | undefined {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v === "number") return String(v);
    if (typeof v !== "string") {
      this.problems.add(this.at(key), `must be a string, got ${typeName(v)}`, `set ${this.at(key)} to a quoted string`);
      return fallback;
    }
    return v;
  }

  need(key: string, example: string): string {
    const v = this.str(key);
    if (v === undefined || v === "") this.problems.add(this.at(key), "is required", `set it, e.g. ${key}: ${example}`);
    return v ?? "";
  }

  int(key: string, fallback: number, min = -Infinity, max = Infinity): number {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    const n = typeof v === "string" && /^-?\d+$/.test(v) ? Number(v) : v;
    if (typeof n !== "number" || !Number.isInteger(n)) {
      this.problems.add(this.at(key), `must be a whole number, got ${typeName(v)}`, `set ${this.at(key)} to a number like ${fallback}`);
      return fallback;
    }
    if (n < min || n > max) {
      this.problems.add(this.at(key), `must be between ${min} and ${max}, got ${n}`, `choose a value in that range`);
      return fallback;
    }
    return n;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (v === "true" || v === "false") return v === "true";
    if (typeof v !== "boolean") {
      this.problems.add(this.at(key), `must be true or false, got ${typeName(v)}`, `set ${this.at(key)} to true or false`);
      return fallback;
    }
    return v;
  }

  oneOf<T extends string>(key: string, options: readonly T[], fallback: T): T {
    const v = this.str(key);
    if (v === undefined) return fallback;
    if (!(options as readonly string[]).includes(v)) {
      this.problems.add(this.at(key), `must be one of ${options.join(", ")}, got "${v}"`, `set ${this.at(key)} to one of ${options.join(", ")}`);
      return fallback;
    }
    return v as T;
  }

  strings(key: string, fallback: string[] = []): string[] {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (!Array.isArray(v) || v.some((x) => typeof x !== "string")) {
      this.problems.add(this.at(key), `must be a list of strings, got ${typeName(v)}`, `write ${this.at(key)} as a YAML list, e.g. [a, b]`);
      return fallback;
    }
    return v as string[];
  }

  list(key: string): unknown[] {
    const v = this.raw[key];
    if (v === undefined || v === null) return [];
    if (!Array.isArray(v)) {
      this.problems.add(this.at(key), `must be a list, got ${typeName(v)}`, `write ${this.at(key)} as a YAML list (- item lines)`);
      return [];
    }
    return v;
  }

  obj(key: string): Fields {
    return Fields.of(this.raw[key], this.at(key), this.problems);
  }
}
