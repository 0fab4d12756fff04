// A committed stack's raw config to mutate, its parsed config, and the problems validation reports for a raw config.
import { ConfigError, Problem, StackConfig, parseStack, splitConfig, validateRaw } from "../../stacks";
import { readStackFile } from "../../tools/lib/stack-file";

export type Raw = Record<string, any>;

/** How a raw config is validated: as stack `stack` ("test"), with these secrets set (none), for a deploy or a render (a render). */
export interface CheckOptions {
  readonly stack?: string;
  readonly secrets?: string[];
  readonly requireSecrets?: boolean;
}

/** A deep copy of the stack file's settings (keys without the namespace). */
export function stackRaw(stack: string): Raw {
  return JSON.parse(JSON.stringify(splitConfig(readStackFile(stack).config).raw));
}

/** The parsed config of `raw`, which must have no field problems (`secrets`: the secret keys that are set). */
export function parsedConfig(raw: Raw, secrets: readonly string[] = []): StackConfig {
  const { problems, config } = parseStack("test", raw, secrets);
  expect(problems).toEqual([]);
  return config!;
}

/** The ConfigError validation refuses `raw` with, or undefined when it is valid; any other error is rethrown. */
function refusal(raw: Raw, o: CheckOptions): ConfigError | undefined {
  try {
    validateRaw(o.stack ?? "test", { raw, secretsPresent: o.secrets ?? [] }, { requireSecrets: o.requireSecrets ?? false });
    return undefined;
  } catch (e) {
    if (e instanceof ConfigError) return e;
    throw e;
  }
}

/** The ConfigError message for `raw` ("" when valid). */
export function configProblems(raw: Raw, o: CheckOptions = {}): string {
  return refusal(raw, o)?.message ?? "";
}

/** The problems validation refuses `raw` with ([] when valid). */
export function refusedProblems(raw: Raw, o: CheckOptions = {}): readonly Problem[] {
  return refusal(raw, o)?.problems ?? [];
}
