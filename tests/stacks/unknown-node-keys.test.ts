// A misspelt key inside a node is an error, never silently ignored: a node's `lanAdress` or `memroy`
// would otherwise leave the setting at its default (no LAN address in the certificate, the wrong
// capacity) while the user believes it is set. Through the public entry point, not the parser.
import { Raw, configProblems, stackRaw } from "../lib/stack-config";

function problemsWith(edit: (raw: Raw) => void): string {
  const raw = stackRaw("homelab");
  edit(raw);
  return configProblems(raw);
}

describe("unknown keys inside a node are rejected, naming the node and the key", () => {
  it("a misspelt node field", () => {
    expect(problemsWith((r) => (r.nodes[1].lanAdress = "192.168.8.130"))).toMatch(/homelab:nodes\[1\]\.lanAdress: unknown setting "lanAdress"/);
  });
  it("a field nodes do not have", () => {
    expect(problemsWith((r) => (r.nodes[0].gpus = 1))).toMatch(/homelab:nodes\[0\]\.gpus: unknown setting "gpus"/);
  });
  it("a misspelt key in a node's ssh settings", () => {
    expect(problemsWith((r) => (r.nodes[0].ssh = { hots: "asuna.lan" }))).toMatch(/homelab:nodes\[0\]\.ssh\.hots: unknown setting "hots"/);
  });
});
