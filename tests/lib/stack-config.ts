// A committed stack's raw config to mutate, and the problems validation reports for a raw config.
import { ConfigError, splitConfig, validateRaw } from "../../stacks";
import { readStackFile } from "../../tools/lib/stack-file";

export type Raw = Record<string, any>;

/** A deep copy of the stack file's settings (keys without the namespace). */
export function stackRaw(stack: string): Raw {
  return JSON.parse(JSON.stringify(splitConfig(readStackFile(stack).config).raw));
}

/** The ConfigError message for `raw` ("" when valid); any other error is rethrown. */
export function configProblems(raw: Raw, o: { secrets?: string[]; requireSecrets?: boolean } = {}): string {
  try {
    validateRaw("test", { raw, secretsPresent: o.secrets ?? [] }, { requireSecrets: o.requireSecrets ?? false });
    return "";
  } catch (e) {
    if (e instanceof ConfigError) return e.message;
    throw e;
  }
}
