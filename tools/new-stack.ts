// `npm run new-stack -- <name> [--nodes <n>]`: writes Pulumi.<name>.yaml, a commented skeleton for
// the user's own machines. Every value that must come from the user is a <placeholder> that fails
// validation by name until it is replaced, so an unfilled skeleton can never deploy.
import * as fs from "node:fs";
import * as path from "node:path";
import { MODELINE } from "./lib/stack-schema";
import { ROOT, listStacks, stackFilePath } from "./lib/stack-file";
import { UsageError, valueAfter, wantsHelp } from "./lib/args";

/** `<name>` placeholders of a skeleton, in order of appearance. */
export function placeholdersIn(text: string): string[] {
  return [...new Set([...text.replace(/^#.*$/gm, "").matchAll(/<([a-z0-9-]+)>/g)].map((m) => m[1]))];
}

function nodeBlock(i: number, count: number): string[] {
  const n = `node${i + 1}`;
  const server = i === 0;
  const roles = count === 1 ? "[service, compute]" : server ? "[service]" : "[compute]";
  return [
    `    - name: "<${n}-name>"`,
    server
      ? `      # the k3s server; service role: databases, storage, monitoring (add compute for one machine)`
      : `      # an agent; compute role: AI workloads and apps (add gpu if it has an NVIDIA GPU)`,
    `      roles: ${roles}`,
    `      k3s: ${server ? "server" : "agent"}`,
    `      # what \`nproc\` and \`free -h\` report on the machine (the reserve for the OS is taken off)`,
    `      cpu: "<${n}-cpu-cores>"   # e.g. "8"`,
    `      memory: "<${n}-memory>"   # e.g. 16Gi`,
    `      # the address the nodes talk to each other on: its Tailscale address (tailscale ip -4)`,
    `      # or its LAN address; preflight checks that the machine really has it`,
    `      address: "<${n}-address>"`,
    `      # lanAddress: 192.168.1.10        # if it also has a LAN address`,
    `      # ssh: {user: ubuntu, port: 22}   # default: root, the node's address, port 22; a user needs password-less sudo`,
  ];
}

/** The skeleton of a stack with `nodes` machines (the first is the k3s server). */
export function skeleton(name: string, nodes: number): string {
  return [
    MODELINE,
    `# Stack "${name}": your own machines. Replace every <placeholder>, then check offline:`,
    `#   npm run render -- --stack ${name}            (lists each placeholder still left)`,
    `#   npm run doctor -- --preflight --stack ${name} (reaches every node over SSH)`,
    `# Secrets never go in this file (docs/getting-started.md):`,
    `#   pulumi config set --secret homelab:sshPrivateKey < ~/.ssh/id_ed25519`,
    `# Every key, its default and its meaning: README "Config reference" (your editor completes them).`,
    `config:`,
    `  # the DNS zone the hosts live under (dash.<your domain>, ...), e.g. homelab.example.net`,
    `  homelab:domain: "<domain>"`,
    `  homelab:cluster:`,
    `    # k3s is installed over SSH on the nodes below; "existing" uses a cluster you already run`,
    `    mode: k3s`,
    `    # when the nodes reach each other over Tailscale (addresses in 100.64.0.0/10):`,
    `    # flannelIface: tailscale0`,
    `  homelab:nodes:`,
    ...Array.from({ length: nodes }, (_, i) => nodeBlock(i, nodes)).flat(),
    `  homelab:ingress:`,
    `    certificates:`,
    `      # staging first: its certificates are untrusted but its rate limits generous; switch to`,
    `      # letsencrypt once \`kubectl get certificate -A\` shows READY=True (docs/getting-started.md)`,
    `      issuer: letsencrypt-staging`,
    `      # the ACME account address (expiry notices go there)`,
    `      email: "<acme-email>"`,
    `      # DNS-01 works for hosts that only resolve to tailnet/LAN addresses; it needs the secret`,
    `      # homelab:cloudflareApiToken (a token with Zone:DNS:Edit on the zone of your domain)`,
    `      solver: dns01`,
    `  homelab:workloads:`,
    `    postgres:`,
    `      # one database + owner + connection Secret per application`,
    `      databases: []`,
    ``,
  ].join("\n");
}

export function usage(): string {
  return [
    "usage: npm run new-stack -- <name> [--nodes <n>]",
    "  Writes Pulumi.<name>.yaml: a commented skeleton with <placeholders> for your machines (default 2",
    "  nodes: a k3s server with the service role and an agent with the compute role). Never overwrites.",
    "exit: 0 written, 2 bad arguments or the file exists",
  ].join("\n");
}

/** Writes the skeleton into `root`; throws UsageError for a bad name or an existing file. */
export function newStack(name: string, nodes: number, root = ROOT): string {
  if (!/^[A-Za-z0-9_-]+$/.test(name)) throw new UsageError(`"${name}" is not a stack name (letters, digits, - and _)`);
  if (!Number.isInteger(nodes) || nodes < 1 || nodes > 50) throw new UsageError(`--nodes must be a whole number from 1 to 50, not ${nodes}`);
  const file = stackFilePath(name, root);
  if (fs.existsSync(file)) throw new UsageError(`${path.basename(file)} already exists: not overwriting it (stacks here: ${listStacks(root).join(", ")})`);
  // "wx": fails rather than overwrite, even if the file appeared since the check.
  fs.writeFileSync(file, skeleton(name, nodes), { flag: "wx" });
  return file;
}

export function main(argv: string[], root = ROOT): number {
  if (wantsHelp(argv)) {
    console.log(usage());
    return 0;
  }
  try {
    let name: string | undefined;
    let nodes = 2;
    for (let i = 0; i < argv.length; i++) {
      if (argv[i] === "--nodes") nodes = Number(valueAfter(argv, i++, "a number of machines"));
      else if (argv[i].startsWith("-")) throw new UsageError(`unknown option "${argv[i]}"`);
      else if (name === undefined) name = argv[i];
      else throw new UsageError(`one stack name only (got "${name}" and "${argv[i]}")`);
    }
    if (name === undefined) throw new UsageError("name the new stack");
    const file = newStack(name, nodes, root);
    console.log(`new-stack: wrote ${path.relative(process.cwd(), file) || file}; replace each <placeholder>, then: npm run render -- --stack ${name}`);
    return 0;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    console.error(`new-stack: ${e.message}\n${usage()}`);
    return 2;
  }
}

if (require.main === module) process.exit(main(process.argv.slice(2)));
