// manifests.yaml, written for people and for kubectl without the `yaml` library's document tree.
// `yaml` builds a node for every value before it prints (its stringify was ~10 % of a homelab
// render, and most of its garbage); manifests are plain JSON data (maps, lists, strings, numbers,
// booleans, null), which print directly. Where a string could be read back as anything but that
// string — by a YAML 1.2 reader or by kubectl's YAML 1.1 one (`on`, `0755`, `1:30`, `2026-01-01`) —
// it is quoted; tests/tools/block-yaml.test.ts reads every stack's manifests back with both.

/** Numbers, booleans, nulls and timestamps of YAML 1.2 core and YAML 1.1 (a string like these is quoted). */
const NOT_A_STRING = [
  /^(?:y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF|null|Null|NULL|~|=|<<)$/,
  // Anything shaped like a number of either version (ints in bases 2 to 60, floats, `.`), broadly.
  /^[-+]?[0-9.][-+0-9._:a-fA-FxXoO]*$/,
  /^[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$/,
  /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/,
];

/**
 * A plain (unquoted) scalar: printable ASCII, starting with a letter, a digit or one of `_./<` (or `-`
 * before a non-space), without the characters that start a comment or a flow collection, no `: `, no
 * `:` at the end, and no space at either end.
 */
const PLAIN = /^(?:[A-Za-z0-9_./<]|-(?=\S))[A-Za-z0-9_./@%+=,()~*^$<>!&?'" -]*(?::[A-Za-z0-9_./@%+=,()~*^$<>!&?'"-][A-Za-z0-9_./@%+=,()~*^$<>!&?'" -]*)*$/;

/** What YAML never allows in a document, and what a YAML 1.1 reader takes for a line break. */
const UNPRINTABLE = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff]|\p{Cs}/u;

function plain(s: string): boolean {
  return PLAIN.test(s) && !s.endsWith(" ") && !NOT_A_STRING.some((re) => re.test(s));
}

/** One line: plain when it can be, else single-quoted (only `'` is doubled), else JSON's double quotes. */
function inline(s: string): string {
  if (plain(s)) return s;
  return s.includes("\n") || UNPRINTABLE.test(s) ? JSON.stringify(s) : `'${s.replaceAll("'", "''")}'`;
}

/**
 * A string over several lines as a literal block (`|`), when that reads back as exactly this string:
 * printable characters and tabs only, no indentation or empty line to start with, no line of blanks only
 * (a literal block does not keep them); the chomping indicator keeps the final line breaks.
 */
function literal(s: string, indent: string): string | undefined {
  if (!s.includes("\n") || UNPRINTABLE.test(s.replaceAll("\n", "")) || /^\s/.test(s)) return undefined;
  const body = s.replace(/\n+$/, "");
  if (body.split("\n").some((l) => l !== "" && l.trim() === "")) return undefined;
  const breaks = s.length - body.length;
  const chomp = breaks === 0 ? "-" : breaks === 1 ? "" : "+";
  // The block's own lines, then one empty line for each break beyond the first (the line after the
  // block supplies the last break).
  const lines = [...body.split("\n"), ...Array(Math.max(0, breaks - 1)).fill("")];
  return `|${chomp}\n${lines.map((l) => (l === "" ? "" : indent + l)).join("\n")}`;
}

function scalar(v: unknown, indent: string): string {
  if (v === null) return "null";
  if (typeof v === "boolean") return String(v);
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new Error(`block-yaml: ${v} is not a JSON number`);
    return String(v);
  }
  if (typeof v === "string") return literal(v, indent) ?? inline(v);
  throw new Error(`block-yaml: a ${typeof v} is not JSON data`);
}

const isMap = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** The entries JSON would keep (undefined dropped), keys in code-unit order. */
function entries(o: Record<string, unknown>): [string, unknown][] {
  return Object.keys(o)
    .sort()
    .filter((k) => o[k] !== undefined)
    .map((k) => [k, o[k]]);
}

/** `value` after a key or a dash: inline when a scalar or empty, else on the following lines at `indent`. */
function after(value: unknown, indent: string, out: string[]): string {
  if (Array.isArray(value)) {
    if (value.length === 0) return " []";
    seq(value, indent, out);
    return "";
  }
  if (isMap(value)) {
    const e = entries(value);
    if (e.length === 0) return " {}";
    map(e, indent, out);
    return "";
  }
  return ` ${scalar(value, indent)}`;
}

function map(e: readonly [string, unknown][], indent: string, out: string[]): void {
  for (const [k, v] of e) {
    const at = out.length;
    out.push("");
    out[at] = `${indent}${inline(k)}:${after(v, indent + "  ", out)}`;
  }
}

function seq(a: readonly unknown[], indent: string, out: string[]): void {
  for (const item of a) {
    const e = isMap(item) ? entries(item) : [];
    if (e.length > 0) {
      const at = out.length;
      map(e, indent + "  ", out);
      // The first key shares the dash's line: `- name: app`.
      out[at] = `${indent}- ${out[at].slice(indent.length + 2)}`;
    } else if (Array.isArray(item) && item.length > 0) {
      out.push(`${indent}-`);
      seq(item, indent + "  ", out);
    } else {
      const at = out.length;
      out.push("");
      out[at] = `${indent}-${after(item, indent + "  ", out)}`;
    }
  }
}

/** A map (a manifest) as block YAML, keys sorted; ends with a newline. */
export function blockYaml(value: Record<string, unknown>): string {
  if (!isMap(value)) throw new Error("block-yaml: a manifest is a map");
  const out: string[] = [];
  map(entries(value), "", out);
  return out.length ? out.join("\n") + "\n" : "{}\n";
}
