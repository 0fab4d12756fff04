import { parse } from "yaml";
import { clusterIdentifier, serviceAccountKubeconfig } from "../../components/cluster/kubeconfig";
import { httpsUrl } from "../../components/cluster/node-config";

describe("provider kubeconfig", () => {
  test("one cluster, token user and context, all named after the cluster", () => {
    const out = parse(serviceAccountKubeconfig({ server: "https://5.78.103.224:6443", name: "prod", caData: "Q0E=", token: "a.b.c" }));
    expect(out.clusters).toEqual([{ name: "prod", cluster: { server: "https://5.78.103.224:6443", "certificate-authority-data": "Q0E=" } }]);
    expect(out.users).toEqual([{ name: "prod", user: { token: "a.b.c" } }]);
    expect(out.contexts).toEqual([{ name: "prod", context: { cluster: "prod", user: "prod" } }]);
    expect(out["current-context"]).toBe("prod");
  });

  test("IPv6 API addresses are bracketed", () => {
    expect(httpsUrl("fd7a:115c:a1e0::1")).toBe("https://[fd7a:115c:a1e0::1]:6443");
    expect(httpsUrl("100.81.76.55")).toBe("https://100.81.76.55:6443");
  });

  test("a non-https server is refused", () => {
    expect(() => serviceAccountKubeconfig({ server: "http://a:6443", name: "x", caData: "", token: "" })).toThrow(/must be an https:\/\/ URL/);
  });
});

describe("clusterIdentifier", () => {
  test("names the seed server (managed) or the context (existing), never a version", () => {
    expect(clusterIdentifier("cluster", { seedServer: "asuna" })).toBe("k3s/cluster/asuna");
    expect(clusterIdentifier("cluster", { seedServer: "ubuntu-8gb-hil-1" })).not.toBe(clusterIdentifier("cluster", { seedServer: "asuna" }));
    expect(clusterIdentifier("cluster", { context: "k3d-dev" })).toBe("existing/cluster/k3d-dev");
    expect(clusterIdentifier("cluster", {})).toBe("existing/cluster/current-context");
  });
});
