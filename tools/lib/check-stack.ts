// A stack file → its validated config, the way render and doctor both need it: the same one pass
// the program runs (stacks/load.ts validateConfig). Throws ConfigError.
import { validateConfig } from "../../stacks/load";
import type { StackFile } from "./stack-file";

export function checkStackFile(sf: StackFile): ReturnType<typeof validateConfig> {
  return validateConfig(sf.stack, sf.config, sf.secretKeys, { requireSecrets: false });
}
