// What each stack hands its cluster: the flannel backend and secrets encryption written on every
// server, and the provider's clusterIdentifier, as the real program registers them.
import { readStackFile } from "../../tools/lib/stack-file";
import { rendered, stackNames } from "../harness";

/** The config.yaml a server's install command writes (embedded in its script). */
function serverConfigs(stack: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const r of rendered(stack).resources) {
    if (r.type !== "command:remote:Command" || !/-install$/.test(r.name)) continue;
    const create = String(r.inputs.create);
    if (!create.includes("on server node")) continue;
    out[r.name] = create;
  }
  return out;
}

const isK3s = (stack: string) => String(readStackFile(stack).config["homelab:cluster"]).includes('"mode":"k3s"');

describe("cluster wiring per stack", () => {
  test("prod (public node addresses) encrypts pod traffic; homelab (Tailscale) keeps vxlan; Secrets encrypted at rest", () => {
    const expected: Record<string, string> = { prod: "wireguard-native", homelab: "vxlan" };
    for (const [stack, backend] of Object.entries(expected)) {
      const servers = serverConfigs(stack);
      expect(Object.keys(servers).length).toBeGreaterThan(0);
      for (const [name, script] of Object.entries(servers)) {
        expect([name, script.includes(`\nflannel-backend: ${backend}\n`)]).toEqual([name, true]);
        expect([name, script.includes("\nsecrets-encryption: true\n")]).toEqual([name, true]);
      }
    }
  });

  test.each(stackNames())("%s: the provider carries a clusterIdentifier without the k3s version", (stack) => {
    const providers = rendered(stack).resources.filter((r) => r.type === "pulumi:providers:kubernetes");
    expect(providers).toHaveLength(1);
    const id = providers[0].inputs.clusterIdentifier;
    expect(typeof id).toBe("string");
    expect(id).toMatch(isK3s(stack) ? /^k3s\/cluster\/[a-z0-9-]+$/ : /^existing\/cluster\//);
    expect(id).not.toMatch(/v\d+\.\d+/);
  });
});
