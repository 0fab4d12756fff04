// How `npm run diff` shows a StackDiff: plain text for a terminal, Markdown for a pull-request
// comment (one summary line per stack, the details folded).
import type { FieldChange, NodeDelta, StackDiff } from "./semantic-diff";
import { isUnchanged } from "./semantic-diff";

/** GitHub refuses comments over 65,536 characters; stay clear of it with the closing lines. */
export const MARKDOWN_LIMIT = 60_000;
const VALUE_WIDTH = 100;
const MAX_TEXT_LINES = 20;

function scalar(v: unknown): string {
  if (v === undefined) return "(absent)";
  const s = typeof v === "string" ? JSON.stringify(v) : JSON.stringify(v) ?? String(v);
  return s.length > VALUE_WIDTH ? `${s.slice(0, VALUE_WIDTH - 1)}…` : s;
}

/** Lines only in the old text (-) and only in the new (+), in order; enough to see what a script or file gained or lost. */
function textLines(a: string, b: string): string[] {
  const inA = new Set(a.split("\n"));
  const inB = new Set(b.split("\n"));
  const lines = [...a.split("\n").filter((l) => !inB.has(l)).map((l) => `- ${l}`), ...b.split("\n").filter((l) => !inA.has(l)).map((l) => `+ ${l}`)];
  return lines.length > MAX_TEXT_LINES ? [...lines.slice(0, MAX_TEXT_LINES), `… ${lines.length - MAX_TEXT_LINES} more lines`] : lines;
}

export function fieldLines(f: FieldChange): string[] {
  if (f.secret) return [`${f.path}: ${f.secret} (secret: value not shown)`];
  if (typeof f.old === "string" && typeof f.new === "string" && (f.old.includes("\n") || f.new.includes("\n"))) {
    return [`${f.path}: text changed`, ...textLines(f.old, f.new).map((l) => `    ${l}`)];
  }
  return [`${f.path}: ${scalar(f.old)} → ${scalar(f.new)}`];
}

function nodeSummary(n: NodeDelta): string | undefined {
  const parts: string[] = [];
  const b = n.before;
  const a = n.after;
  if (!b) return `${n.node} new (memory ${a!.memoryPercent}%)`;
  if (!a) return `${n.node} gone`;
  if (b.memoryPercent !== a.memoryPercent) parts.push(`memory ${b.memoryPercent}% → ${a.memoryPercent}%`);
  if (b.cpuPercent !== a.cpuPercent) parts.push(`cpu ${b.cpuPercent}% → ${a.cpuPercent}%`);
  return parts.length ? `${n.node} ${parts.join(", ")}` : undefined;
}

/** "homelab: 2 added, 1 changed, 0 removed; asuna memory 15% → 22%" or "homelab: no changes". */
export function summaryLine(d: StackDiff): string {
  if (d.error) return `${d.stack}: does not render in this change`;
  if (isUnchanged(d)) return `${d.stack}: no changes`;
  const nodes = d.nodes.map(nodeSummary).filter((s): s is string => !!s);
  const warnings = [
    d.newViolations.length ? `${d.newViolations.length} new invariant violation(s)` : "",
    d.resolvedViolations.length ? `${d.resolvedViolations.length} invariant violation(s) resolved` : "",
    d.newWarnings.length ? `${d.newWarnings.length} new warning(s)` : "",
    d.resolvedWarnings.length ? `${d.resolvedWarnings.length} warning(s) resolved` : "",
  ];
  const tail = [nodes.join(", "), warnings.filter(Boolean).join(", ")].filter(Boolean);
  return [`${d.stack}: ${d.added.length} added, ${d.changed.length} changed, ${d.removed.length} removed`, ...tail].join("; ");
}

function pad(rows: string[][]): string[] {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows.map((r) => r.map((c, i) => c.padEnd(widths[i])).join("  ").trimEnd());
}

function nodeTable(nodes: readonly NodeDelta[]): string[] {
  const rows = [["node", "pods", "cpu requests", "cpu %", "memory requests", "memory %"]];
  const arrow = (x: string | number | undefined, y: string | number | undefined) => (x === y ? String(x ?? "-") : `${x ?? "-"} → ${y ?? "-"}`);
  for (const n of nodes) {
    const b = n.before;
    const a = n.after;
    rows.push([n.node, arrow(b?.pods, a?.pods), arrow(b?.cpu, a?.cpu), arrow(b && `${b.cpuPercent}%`, a && `${a.cpuPercent}%`), arrow(b?.memory, a?.memory), arrow(b && `${b.memoryPercent}%`, a && `${a.memoryPercent}%`)]);
  }
  return pad(rows);
}

/** Everything under the summary line, diff-style: + added, - removed, ~ changed. */
export function detailLines(d: StackDiff): string[] {
  const note = (n: string) => `! ${n.split("\n").join("\n    ")}`;
  if (d.error) return [note(d.error)];
  const lines: string[] = d.notes.map(note);
  for (const id of d.added) lines.push(`+ ${id}`);
  for (const id of d.removed) lines.push(`- ${id}`);
  for (const c of d.changed) {
    lines.push(`~ ${c.id}`);
    for (const f of c.fields) lines.push(...fieldLines(f).map((l) => `    ${l}`));
  }
  if (d.nodes.length) lines.push("", "capacity (requests of allocatable):", ...nodeTable(d.nodes).map((l) => `  ${l}`));
  if (d.newViolations.length) lines.push("", "new invariant violations:", ...d.newViolations.map((v) => `+ ${v}`));
  if (d.resolvedViolations.length) lines.push("", "resolved invariant violations:", ...d.resolvedViolations.map((v) => `- ${v}`));
  if (d.newWarnings.length) lines.push("", "new warnings:", ...d.newWarnings.map((w) => `+ ${w}`));
  if (d.resolvedWarnings.length) lines.push("", "resolved warnings:", ...d.resolvedWarnings.map((w) => `- ${w}`));
  return lines;
}

export function formatText(diffs: readonly StackDiff[]): string {
  if (diffs.every(isUnchanged) && diffs.every((d) => !d.notes.length)) return `no changes (${diffs.map((d) => d.stack).join(", ")})`;
  const out: string[] = [];
  for (const d of diffs) {
    out.push(summaryLine(d));
    if (!isUnchanged(d) || d.notes.length) out.push(...detailLines(d).map((l) => (l ? `  ${l}` : l)), "");
  }
  return out.join("\n").trimEnd();
}

/** A code fence longer than any run of backticks inside, so no value can close it early. */
function fence(body: string): string {
  const longest = Math.max(2, ...[...body.matchAll(/`+/g)].map((m) => m[0].length));
  return "`".repeat(longest + 1);
}

export function formatMarkdown(diffs: readonly StackDiff[], base: string): string {
  const head = [`### Offline render diff against ${base}`, ""];
  if (diffs.every(isUnchanged) && diffs.every((d) => !d.notes.length)) {
    return [...head, `no changes (${diffs.map((d) => d.stack).join(", ")})`].join("\n");
  }
  const parts: string[] = [];
  let size = head.join("\n").length;
  for (const d of diffs) {
    const line = `**${d.stack}**${summaryLine(d).slice(d.stack.length)}`;
    if (isUnchanged(d) && !d.notes.length) {
      parts.push(line, "");
      continue;
    }
    const body = detailLines(d).join("\n");
    const f = fence(body);
    const block = [line, "", "<details><summary>details</summary>", "", `${f}diff`, body, f, "", "</details>", ""];
    // Whole stacks or none: a cut inside a fenced block would swallow the rest of the comment.
    const fits = size + block.join("\n").length < MARKDOWN_LIMIT;
    const shown = fits ? block : [line, "", `(details too long for a comment: run \`npm run diff -- --stack ${d.stack}\` locally)`, ""];
    parts.push(...shown);
    size += shown.join("\n").length;
  }
  return [...head, ...parts].join("\n").trimEnd();
}
