// A git ref's files in a temporary directory (git archive, so the repository's worktree list and
// index are never touched), sharing this checkout's node_modules through a symlink so that the base
// renders without an install. The caller removes it with `dispose()`, in a `finally`.
import { execFileSync, spawn } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface BaseTree {
  readonly ref: string;
  /** How reports name the base, e.g. "origin/main" or "the merge base with main". */
  readonly label: string;
  /** The commit the ref named, abbreviated. */
  readonly commit: string;
  readonly dir: string;
  dispose(): void;
}

function git(root: string, args: string[]): string {
  return execFileSync("git", args, { cwd: root, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
}

function refExists(root: string, ref: string): boolean {
  try {
    git(root, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
    return true;
  } catch {
    return false;
  }
}

/** The default base: where this branch left main (`main`, else `origin/main`). */
export function defaultBase(root: string): string {
  for (const main of ["main", "origin/main"]) {
    if (refExists(root, main)) return git(root, ["merge-base", "HEAD", main]);
  }
  throw new Error("no main or origin/main branch to take the merge base with: pass --base <git-ref> (in CI: fetch the base branch)");
}

/**
 * Exports `ref` of the repository at `root` into a new temporary directory whose node_modules links
 * to `nodeModules` (default: the repository's own). Throws (having cleaned up) when the ref is
 * unknown or the export fails.
 */
export async function exportTree(root: string, ref: string, label = ref, nodeModules = path.join(root, "node_modules")): Promise<BaseTree> {
  if (!refExists(root, ref)) throw new Error(`unknown git ref "${ref}"`);
  const commit = git(root, ["rev-parse", "--short", `${ref}^{commit}`]);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "homelab-diff-base-"));
  const dispose = () => fs.rmSync(dir, { recursive: true, force: true });
  try {
    const archive = spawn("git", ["archive", "--format=tar", commit], { cwd: root, stdio: ["ignore", "pipe", "pipe"] });
    const tar = spawn("tar", ["-x", "-C", dir], { stdio: ["pipe", "ignore", "pipe"] });
    archive.stdout.pipe(tar.stdin);
    let err = "";
    for (const p of [archive, tar]) p.stderr.on("data", (d) => (err += d));
    const closed = (p: typeof archive | typeof tar) => new Promise<number | null>((resolve, reject) => (p.on("error", reject), p.on("close", resolve)));
    const codes = await Promise.all([closed(archive), closed(tar)]);
    if (codes.some((c) => c !== 0)) throw new Error(`git archive ${ref} | tar -x failed: ${err.trim()}`);
    fs.symlinkSync(nodeModules, path.join(dir, "node_modules"), "dir");
  } catch (e) {
    dispose();
    throw e;
  }
  return { ref, label, commit, dir, dispose };
}
