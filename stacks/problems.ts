// Validation reports every problem at once; each names the config path and how to fix it.

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
  get empty(): boolean {
    return this.list.length === 0;
  }
}
