// The only place that reads Pulumi config. It runs before any resource is created and throws a
// ConfigError naming every problem at once.
import * as pulumi from "@pulumi/pulumi";
import { PROJECT, StackConfig } from "./model";
import { SECRET_KEYS, parseStack } from "./parse";
import { ConfigError, Problems } from "./problems";
import { PlannedWorkload, ValidateOptions, validateStack } from "./validate";
import { planWorkloads } from "./plan";
import type { Schedule } from "./schedule";
import { checkVolumeHomes } from "./volume-homes";

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
}

export interface RawStackConfig {
  /** Plain keys (without the namespace), values JSON-decoded where they are JSON. */
  readonly raw: Record<string, unknown>;
  /** Secret keys that are set. */
  readonly secretsPresent: string[];
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

/** Splits namespaced config ("homelab:nodes" → nodes) into plain values and secret keys. */
export function splitConfig(all: Record<string, string>): RawStackConfig & { secretValues: Record<string, string> } {
  const raw: Record<string, unknown> = {};
  const secretValues: Record<string, string> = {};
  for (const [k, v] of Object.entries(all)) {
    if (!k.startsWith(`${PROJECT}:`)) continue;
    const name = k.slice(PROJECT.length + 1);
    if ((SECRET_KEYS as readonly string[]).includes(name)) secretValues[name] = v;
    else raw[name] = decode(v);
  }
  return { raw, secretsPresent: Object.keys(secretValues).filter((k) => secretValues[k] !== ""), secretValues };
}

/** Parses and validates; throws ConfigError with every problem. */
export function validateRaw(stack: string, input: RawStackConfig, opts: LoadOptions): Omit<LoadedStack, "secrets"> {
  const problems = new Problems();
  const config = parseStack(stack, input.raw, input.secretsPresent, problems);
  // Workload specs are built only from fields that parsed; a broken field would only add noise.
  // Cross-field rules still run, so one pass reports everything it can.
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
  if (!problems.empty) throw new ConfigError(problems.list);
  return { config, planned, schedule, warnings, volumeHomes: homes };
}

/** Loads the current stack's config from the Pulumi runtime. */
export function loadStack(opts: LoadOptions = { requireSecrets: true }): LoadedStack {
  const { raw, secretsPresent, secretValues } = splitConfig(pulumi.runtime.allConfig());
  const loaded = validateRaw(pulumi.getStack(), { raw, secretsPresent }, opts);
  const secrets: Record<string, pulumi.Output<string>> = {};
  for (const [k, v] of Object.entries(secretValues)) secrets[k] = pulumi.secret(v);
  if (!process.env.HOMELAB_QUIET_WARNINGS) for (const w of loaded.warnings) pulumi.log.warn(w);
  return { ...loaded, secrets };
}
