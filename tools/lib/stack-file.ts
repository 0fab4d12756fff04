// Reads Pulumi.<stack>.yaml the way the CLI would hand it to the program, without the CLI and
// without the passphrase: an encrypted (`secure:`) value is present but redacted.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";

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
