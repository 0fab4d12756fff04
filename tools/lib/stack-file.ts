// Reads Pulumi.<stack>.yaml the way the CLI would hand it to the program, without the CLI and
// without the passphrase: an encrypted (`secure:`) value is present but redacted.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { Problem, closest } from "../../components/kit/problems";

export const REDACTED = "[secret]";

export interface StackFile {
  readonly stack: string;
  readonly file: string;
  /** Namespaced keys → the string the Pulumi runtime would see (objects as JSON). */
  readonly config: Record<string, string>;
  /** Keys whose values are secret. */
  readonly secretKeys: string[];
}

export const ROOT = path.resolve(__dirname, "..", "..");

export function stackFilePath(stack: string, root = ROOT): string {
  return path.join(root, `Pulumi.${stack}.yaml`);
}

/** Every stack that has a Pulumi.<stack>.yaml at the root. */
export function listStacks(root = ROOT): string[] {
  return fs
    .readdirSync(root)
    .map((f) => /^Pulumi\.([^.]+)\.yaml$/.exec(f)?.[1])
    .filter((s): s is string => s !== undefined)
    .sort();
}

function isSecure(v: unknown): boolean {
  return typeof v === "object" && v !== null && !Array.isArray(v) && Object.keys(v).length === 1 && "secure" in v;
}

/** Secure values nested inside objects are redacted in place; a top-level secure value marks the whole key secret. */
function redactNested(v: unknown): unknown {
  if (isSecure(v)) return REDACTED;
  if (Array.isArray(v)) return v.map(redactNested);
  if (v && typeof v === "object") return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, redactNested(x)]));
  return v;
}

export function readStackFile(stack: string, file = stackFilePath(stack)): StackFile {
  if (!fs.existsSync(file)) {
    throw new Error(`no stack file ${path.basename(file)}: stacks here are ${listStacks(path.dirname(file)).join(", ") || "none"}`);
  }
  let doc: unknown;
  try {
    doc = YAML.parse(fs.readFileSync(file, "utf8"));
  } catch (e) {
    throw new Error(`${path.basename(file)} is not valid YAML: ${(e as Error).message}`);
  }
  const entries = (doc as { config?: Record<string, unknown> } | null)?.config ?? {};
  const config: Record<string, string> = {};
  const secretKeys: string[] = [];
  for (const [k, v] of Object.entries(entries)) {
    if (isSecure(v)) {
      config[k] = REDACTED;
      secretKeys.push(k);
    } else {
      config[k] = typeof v === "string" ? v : JSON.stringify(redactNested(v));
    }
  }
  return { stack, file, config, secretKeys };
}

/** Namespaces of the providers this program uses; their config keys are theirs to check. */
const PROVIDER_NAMESPACES = ["pulumi", "kubernetes", "command", "random"];

/**
 * Keys outside the project's namespace. The program reads only `<project>:<key>`, so a misspelt
 * prefix (`homelb:domain`) would otherwise be dropped in silence and surface as a missing key.
 * Near misses of the project's name are problems; other unknown namespaces are warnings.
 */
export function foreignKeys(config: Record<string, string>, project: string): { problems: Problem[]; warnings: string[] } {
  const problems: Problem[] = [];
  const warnings: string[] = [];
  for (const k of Object.keys(config)) {
    const colon = k.indexOf(":");
    const ns = colon < 0 ? "" : k.slice(0, colon);
    const name = k.slice(colon + 1);
    if (ns === project || PROVIDER_NAMESPACES.includes(ns)) continue;
    if (colon < 0 || closest(ns, [project])) {
      const what = colon < 0 ? "has no namespace" : `is in namespace "${ns}", not "${project}"`;
      problems.push({ path: k, message: `${what}: this program reads only ${project}:<key>, so this key would be ignored`, fix: `rename it to ${project}:${name}` });
    } else {
      warnings.push(`${k}: namespace "${ns}" is neither this project's (${project}) nor a provider's it uses (${PROVIDER_NAMESPACES.join(", ")}); nothing reads it`);
    }
  }
  return { problems, warnings };
}
