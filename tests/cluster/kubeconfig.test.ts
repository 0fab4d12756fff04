import { parse } from "yaml";
import { rewriteKubeconfig } from "../../components/cluster/kubeconfig";
import { httpsUrl } from "../../components/cluster/node-config";
import { K3S_YAML } from "./fixtures";


describe("kubeconfig rewrite", () => {
  test("points every cluster at the reachable server and keeps credentials", () => {
    const out = parse(rewriteKubeconfig(K3S_YAML, { server: "https://100.81.76.55:6443" }));
    expect(out.clusters[0].cluster).toEqual({ "certificate-authority-data": "RkFLRS1DQQ==", "server": "https://100.81.76.55:6443" });
    expect(out.users[0].user["client-key-data"]).toBe("RkFLRS1LRVk=");
    expect(out["current-context"]).toBe("default");
  });

  test("renames cluster, user and context consistently", () => {
    const out = parse(rewriteKubeconfig(K3S_YAML, { server: "https://5.78.103.224:6443", name: "prod" }));
    expect(out.clusters.map((c: { name: string }) => c.name)).toEqual(["prod"]);
    expect(out.users.map((u: { name: string }) => u.name)).toEqual(["prod"]);
    expect(out.contexts).toEqual([{ name: "prod", context: { cluster: "prod", user: "prod" } }]);
    expect(out["current-context"]).toBe("prod");
  });

  test("IPv6 API addresses are bracketed", () => {
    expect(httpsUrl("fd7a:115c:a1e0::1")).toBe("https://[fd7a:115c:a1e0::1]:6443");
    expect(httpsUrl("100.81.76.55")).toBe("https://100.81.76.55:6443");
  });

  test("bad input fails with a clear message", () => {
    expect(() => rewriteKubeconfig("", { server: "https://a:6443" })).toThrow(/expected a YAML mapping/);
    expect(() => rewriteKubeconfig("kind: Config\n", { server: "https://a:6443" })).toThrow(/no clusters/);
    expect(() => rewriteKubeconfig(K3S_YAML, { server: "http://a:6443" })).toThrow(/must be an https:\/\/ URL/);
    expect(() => rewriteKubeconfig("a: [", { server: "https://a:6443" })).toThrow(/not valid YAML/);
  });
});
