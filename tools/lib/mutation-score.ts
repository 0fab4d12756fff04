// Mutation score per folder from Stryker's JSON report (mutation-testing-report-schema).
import * as path from "node:path";

export interface MutantCounts {
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  /** Rejected by the TypeScript checker: such a bug could never ship, so it is left out of the score. */
  compileError: number;
  ignored: number;
  other: number;
}

export interface FolderScore extends MutantCounts {
  readonly folder: string;
  /** (killed + timeout) / (killed + timeout + survived), in %; undefined when nothing ran. */
  readonly score?: number;
  /** Stryker's own score: mutants no test reached count as undetected. */
  readonly scoreWithUncovered?: number;
}

export interface MutationReport {
  readonly files: Record<string, { readonly mutants: readonly { readonly status: string }[] }>;
}

const empty = (): MutantCounts => ({ killed: 0, timeout: 0, survived: 0, noCoverage: 0, compileError: 0, ignored: 0, other: 0 });

function add(c: MutantCounts, status: string): void {
  switch (status) {
    case "Killed": c.killed++; break;
    case "Timeout": c.timeout++; break;
    case "Survived": c.survived++; break;
    case "NoCoverage": c.noCoverage++; break;
    case "CompileError": c.compileError++; break;
    case "Ignored": c.ignored++; break;
    default: c.other++;
  }
}

function percent(part: number, whole: number): number | undefined {
  return whole === 0 ? undefined : Math.round((1000 * part) / whole) / 10;
}

function scored(folder: string, c: MutantCounts): FolderScore {
  const detected = c.killed + c.timeout;
  return { folder, ...c, score: percent(detected, detected + c.survived), scoreWithUncovered: percent(detected, detected + c.survived + c.noCoverage) };
}

/** One row per folder that holds mutated files, then one per top-level folder (e.g. `components/`), sorted by name. */
export function scoresByFolder(report: MutationReport, root: string): FolderScore[] {
  const byFolder = new Map<string, MutantCounts>();
  const bump = (folder: string, status: string) => {
    if (!byFolder.has(folder)) byFolder.set(folder, empty());
    add(byFolder.get(folder)!, status);
  };
  for (const [file, { mutants }] of Object.entries(report.files)) {
    const rel = path.relative(root, path.resolve(root, file)).split(path.sep);
    for (const m of mutants) {
      bump(rel.slice(0, -1).join("/"), m.status);
      if (rel.length > 2) bump(`${rel[0]}/`, m.status);
    }
  }
  return [...byFolder.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([f, c]) => scored(f, c));
}

export function scoreTable(rows: readonly FolderScore[]): string {
  const head = ["folder", "score", "killed", "timeout", "survived", "no cover", "type err", "ignored", "with no cover"];
  const fmt = (n?: number) => (n === undefined ? "-" : `${n.toFixed(1)}%`);
  const body = rows.map((r) => [r.folder, fmt(r.score), r.killed, r.timeout, r.survived, r.noCoverage, r.compileError, r.ignored, fmt(r.scoreWithUncovered)].map(String));
  const all = [head, ...body];
  const widths = head.map((_, i) => Math.max(...all.map((r) => r[i].length)));
  return all.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ")).join("\n");
}
