// `npm run preview -- --stack <name>`: the real `pulumi preview`, on a local file backend inside
// the project (.pulumi/, git-ignored) unless PULUMI_BACKEND_URL says otherwise. Thin on purpose.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { ROOT, listStacks } from "./lib/stack-file";
import { wantsHelp } from "./lib/args";

export function usage(): string {
  return [
    "usage: npm run preview -- --stack <name> [extra pulumi preview flags]",
    "  Runs the real `pulumi preview --diff` (needs the Pulumi CLI) on the backend Pulumi.yaml names",
    "  (.pulumi/ in the project) unless PULUMI_BACKEND_URL says otherwise; creates the stack on first use.",
    `stacks: ${listStacks().join(", ")}`,
  ].join("\n");
}

export function previewCommand(argv: string[], env: NodeJS.ProcessEnv): { args: string[]; env: NodeJS.ProcessEnv; stack: string } | string {
  const i = argv.indexOf("--stack");
  const stack = i >= 0 ? argv[i + 1] : undefined;
  if (i >= 0 && (!stack || stack.startsWith("-"))) return `preview: --stack needs a stack name (stacks: ${listStacks().join(", ")})`;
  if (!stack) return usage();
  if (!listStacks().includes(stack)) return `no stack file Pulumi.${stack}.yaml (stacks: ${listStacks().join(", ")})`;
  const rest = argv.filter((_, j) => j !== i && j !== i + 1);
  const backend = env.PULUMI_BACKEND_URL ?? `file://${path.join(ROOT, ".pulumi")}`;
  return { stack, args: ["preview", "--stack", stack, "--diff", ...rest], env: { ...env, PULUMI_BACKEND_URL: backend } };
}

function main(): number {
  if (wantsHelp(process.argv.slice(2))) {
    console.log(usage());
    return 0;
  }
  const cmd = previewCommand(process.argv.slice(2), process.env);
  if (typeof cmd === "string") {
    console.error(cmd);
    return 2;
  }
  const has = spawnSync("pulumi", ["version"], { stdio: "ignore" });
  if (has.error || has.status !== 0) {
    console.error(
      "preview: the Pulumi CLI is not installed (https://www.pulumi.com/docs/install/).\n" +
        `Offline, without it: npm run render -- --stack ${cmd.stack}`,
    );
    return 127;
  }
  if (cmd.env.PULUMI_BACKEND_URL!.startsWith("file://")) fs.mkdirSync(cmd.env.PULUMI_BACKEND_URL!.slice(7), { recursive: true });
  // A local stack must exist before it can be previewed; creating it is idempotent enough to try.
  spawnSync("pulumi", ["stack", "select", "--create", cmd.stack], { cwd: ROOT, env: cmd.env, stdio: "inherit" });
  const r = spawnSync("pulumi", cmd.args, { cwd: ROOT, env: cmd.env, stdio: "inherit" });
  return r.status ?? 1;
}

if (require.main === module) process.exit(main());
