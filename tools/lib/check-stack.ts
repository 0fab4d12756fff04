// A stack file → its validated config, the way render and doctor both need it: keys outside the
// project's namespace first, then the program's own validation. Throws ConfigError.
import { ConfigError } from "../../components/kit/problems";
import { splitConfig, validateRaw } from "../../stacks/load";
import { PROJECT } from "../../stacks/schema";
import { StackFile, foreignKeys } from "./stack-file";

export function checkStackFile(sf: StackFile): ReturnType<typeof validateRaw> {
  const foreign = foreignKeys(sf.config, PROJECT);
  let validated: ReturnType<typeof validateRaw>;
  try {
    validated = validateRaw(sf.stack, splitConfig(sf.config, sf.secretKeys), { requireSecrets: false });
  } catch (e) {
    // A misspelt namespace first; the missing key it causes would only say the same thing again.
    const renamed = new Set(foreign.problems.map((p) => p.fix.replace(/^rename it to /, "")));
    if (e instanceof ConfigError && foreign.problems.length) throw new ConfigError([...foreign.problems, ...e.problems.filter((p) => !renamed.has(p.path))]);
    throw e;
  }
  if (foreign.problems.length) throw new ConfigError(foreign.problems);
  return { ...validated, warnings: [...foreign.warnings, ...validated.warnings] };
}
