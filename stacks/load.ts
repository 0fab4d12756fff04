// The only place that reads Pulumi config. It runs before any resource is created and throws a
// ConfigError naming every problem at once.
import * as pulumi from "@pulumi/pulumi";
import { ConfigError, Problems } from "../components/kit/problems";
import { StackConfig, parseStack } from "./config";
import { PROJECT, SECRET_KEY_NAMES, SecretKey, key, setSecretCommand } from "./schema";
import { PlannedWorkload, ValidateOptions, validateStack } from "./validate";
import { planWorkloads } from "./plan";
import type { Schedule } from "./schedule";
import { checkVolumeHomes } from "./volume-homes";
import { foreignKeys } from "./namespaces";
import { VolumeTemplates, staleAcceptanceWarnings, volumeTemplateProblems, volumeTemplatesOf } from "./immutable-fields";

/** Where each stateful workload's local volumes live: the node it is pinned to. */
export function volumeHomes(planned: readonly PlannedWorkload[]): Record<string, string> {
  const homes: Record<string, string> = {};
  for (const w of planned) {
    const p = w.spec.placement;
    if (p.kind === "pinned" && (w.spec.volumeClaims?.length ?? 0) > 0) homes[w.spec.identity.name] = p.node;
  }
  return homes;
}

export interface LoadOptions extends ValidateOptions {
  /** The stack's `volumeHomes` output from its last deployment, if any. */
  readonly previousVolumeHomes?: Record<string, string>;
  /** The stack's `volumeTemplates` output from its last deployment, if any. */
  readonly previousVolumeTemplates?: VolumeTemplates;
}

export interface RawStackConfig {
  /** Plain keys (without the namespace), values JSON-decoded where they are JSON. */
  readonly raw: Record<string, unknown>;
  /** Secret keys that are set. */
  readonly secretsPresent: string[];
  /** Secret keys written in clear in the stack file (an error: the value would be committed). */
  readonly secretsInClear?: string[];
}

export interface LoadedStack {
  readonly config: StackConfig;
  /** Stateful workload → the node holding its volume; exported so the next run can compare. */
  readonly volumeHomes: Record<string, string>;
  readonly planned: PlannedWorkload[];
  readonly schedule: Schedule;
  readonly warnings: string[];
  /** Secret config values, as Pulumi secrets. */
  readonly secrets: Readonly<Record<string, pulumi.Output<string>>>;
}

function decode(v: string): unknown {
  try {
    return JSON.parse(v);
  } catch {
    return v;
  }
}

const isSecretKey = (name: string): name is SecretKey => (SECRET_KEY_NAMES as string[]).includes(name);

/**
 * Splits namespaced config ("homelab:nodes" → nodes) into plain values and secret keys. With
 * `secretKeys` (the namespaced keys the stack holds encrypted), a secret key set in clear is reported.
 */
export function splitConfig(all: Record<string, string>, secretKeys?: readonly string[]): Required<RawStackConfig> & { secretValues: Record<string, string> } {
  const raw: Record<string, unknown> = {};
  const secretValues: Record<string, string> = {};
  const secretsInClear: string[] = [];
  for (const [k, v] of Object.entries(all)) {
    if (!k.startsWith(`${PROJECT}:`)) continue;
    const name = k.slice(PROJECT.length + 1);
    if (isSecretKey(name)) {
      secretValues[name] = v;
      if (secretKeys !== undefined && !secretKeys.includes(k) && v !== "") secretsInClear.push(name);
    } else raw[name] = decode(v);
  }
  return { raw, secretsPresent: Object.keys(secretValues).filter((k) => secretValues[k] !== ""), secretsInClear, secretValues };
}

/** Parses and validates; throws ConfigError with every problem. */
export function validateRaw(stack: string, input: RawStackConfig, opts: LoadOptions): Omit<LoadedStack, "secrets"> {
  const problems = new Problems();
  for (const name of input.secretsInClear ?? []) {
    // The value itself is never printed: it may be a private key.
    problems.add(key(name), "is a secret written in clear in the stack file: it would be committed to git", `delete it from Pulumi.${stack}.yaml, then run: ${setSecretCommand(name as SecretKey)}`);
  }
  const parsed = parseStack(stack, input.raw, input.secretsPresent);
  problems.addAll(parsed.problems);
  if (!parsed.config) throw new ConfigError(problems.list);
  const config = parsed.config;
  // Workload specs are built only from a config without field problems; a broken field would only
  // add noise. Cross-field rules still run on what could be read, so one pass reports everything.
  const planned = problems.empty ? planWorkloads(config) : [];
  const { schedule, warnings } = validateStack(config, planned, opts, problems);
  const homes = volumeHomes(planned);
  checkVolumeHomes(
    {
      current: homes,
      previous: opts.previousVolumeHomes,
      paths: Object.fromEntries(planned.map((w) => [w.spec.identity.name, w.path])),
      migrateFrom: Object.fromEntries(planned.map((w) => [w.spec.identity.name, w.migrateFrom])),
    },
    problems,
    warnings,
  );
  // A StatefulSet's volume templates cannot change in place: refused unless the safe procedure is declared.
  const templates = { namespace: config.namespace, paths: Object.fromEntries(planned.map((w) => [w.spec.identity.name, w.path])), accepted: new Set(planned.filter((w) => w.acceptVolumeTemplateChange).map((w) => w.spec.identity.name)) };
  const plannedTemplates = volumeTemplatesOf(planned.map((w) => w.spec));
  problems.addAll(volumeTemplateProblems(opts.previousVolumeTemplates, plannedTemplates, templates));
  warnings.push(...staleAcceptanceWarnings(opts.previousVolumeTemplates, plannedTemplates, templates));
  if (!problems.empty) throw new ConfigError(problems.list);
  return { config, planned, schedule, warnings, volumeHomes: homes };
}

/**
 * Namespaced config (as the CLI hands it to the program) → the validated stack: keys outside the
 * project's namespace first, then the settings. Throws ConfigError with every problem.
 */
export function validateConfig(stack: string, all: Record<string, string>, secretKeys: readonly string[] | undefined, opts: LoadOptions): Omit<LoadedStack, "secrets"> {
  // The offline tools validate a stack file and then run the program on it, which validates the same
  // config again: the last result is kept for the same inputs (5–7 % of a render's CPU in the profiles).
  const key = JSON.stringify([stack, all, secretKeys, opts]);
  if (lastValidated?.key !== key) lastValidated = { key, result: validateUncached(stack, all, secretKeys, opts) };
  return { ...lastValidated.result, warnings: [...lastValidated.result.warnings] };
}

let lastValidated: { key: string; result: Omit<LoadedStack, "secrets"> } | undefined;

function validateUncached(stack: string, all: Record<string, string>, secretKeys: readonly string[] | undefined, opts: LoadOptions): Omit<LoadedStack, "secrets"> {
  const foreign = foreignKeys(all, PROJECT);
  let validated: Omit<LoadedStack, "secrets">;
  try {
    validated = validateRaw(stack, splitConfig(all, secretKeys), opts);
  } catch (e) {
    // A misspelt namespace first; the missing key it causes would only say the same thing again.
    const renamed = new Set(foreign.problems.map((p) => p.fix.replace(/^rename it to /, "")));
    if (e instanceof ConfigError && foreign.problems.length) throw new ConfigError([...foreign.problems, ...e.problems.filter((p) => !renamed.has(p.path))]);
    throw e;
  }
  if (foreign.problems.length) throw new ConfigError(foreign.problems);
  return { ...validated, warnings: [...foreign.warnings, ...validated.warnings] };
}

/** Namespaced keys the running stack holds as secrets (the CLI passes them to the program). */
function runtimeSecretKeys(all: Record<string, string>): string[] {
  const isSecret = (pulumi.runtime as unknown as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
  if (isSecret) return Object.keys(all).filter((k) => isSecret(k));
  try {
    return JSON.parse(process.env.PULUMI_CONFIG_SECRET_KEYS ?? "[]") as string[];
  } catch {
    return [];
  }
}

/** Loads the current stack's config from the Pulumi runtime. */
export function loadStack(opts: LoadOptions = { requireSecrets: true }): LoadedStack {
  const all = pulumi.runtime.allConfig();
  const loaded = validateConfig(pulumi.getStack(), all, runtimeSecretKeys(all), opts);
  const { secretValues } = splitConfig(all);
  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const [k, v] of Object.entries(secretValues)) secrets[k] = pulumi.secret(v);
  if (!process.env.HOMELAB_QUIET_WARNINGS) for (const w of loaded.warnings) pulumi.log.warn(w);
  return { ...loaded, secrets };
}
