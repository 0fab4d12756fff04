import { K3sClusterArgsError, resolveCluster } from "../../components/cluster/validate";
import type { K3sNodeArgs, K3sNodesClusterArgs } from "../../components/cluster/types";
import { FAKE_KEY, homelabArgs, prodArgs } from "./fixtures";

function problems(args: K3sNodesClusterArgs): readonly string[] {
  try {
    resolveCluster(args);
  } catch (e) {
    expect(e).toBeInstanceOf(K3sClusterArgsError);
    return (e as K3sClusterArgsError).problems;
  }
  throw new Error("expected resolveCluster to throw");
}

const node = (name: string, role: "server" | "agent", ip: string, extra: Partial<K3sNodeArgs> = {}): K3sNodeArgs =>
  ({ name, role, nodeIp: ip, ssh: { host: ip, privateKey: FAKE_KEY }, ...extra });

describe("K3sCluster args validation", () => {
  test("install order: first server, other servers in order, then agents", () => {
    const c = resolveCluster({
      nodes: [node("a1", "agent", "10.0.0.4"), node("s1", "server", "10.0.0.1"), node("a2", "agent", "10.0.0.5"),
        node("s2", "server", "10.0.0.2"), node("s3", "server", "10.0.0.3")],
    });
    expect(c.nodes.map((n) => n.name)).toEqual(["s1", "s2", "s3", "a1", "a2"]);
    expect(c.firstServer.name).toBe("s1");
    expect(c.nodes.filter((n) => n.isFirstServer).map((n) => n.name)).toEqual(["s1"]);
    expect(c.embeddedEtcd).toBe(true);
  });

  test("even number of servers", () => {
    expect(problems({ nodes: [node("s1", "server", "10.0.0.1"), node("s2", "server", "10.0.0.2")] }))
      .toEqual([expect.stringMatching(/^nodes: 2 servers is an even number/)]);
  });

  test("no server, no nodes", () => {
    expect(problems({ nodes: [node("a1", "agent", "10.0.0.1")] })).toEqual([expect.stringMatching(/^nodes: no node has role "server"/)]);
    expect(problems({ nodes: [] })).toEqual([expect.stringMatching(/^nodes: at least one node/)]);
  });

  test("every problem is reported at once, each naming its field", () => {
    const args: K3sNodesClusterArgs = {
      version: "latest",
      embeddedEtcd: false,
      etcdSnapshots: { retention: 3 },
      nodes: [
        node("asuna", "server", "100.81.76.55"),
        node("asuna", "agent", "100.81.76.55", {
          labels: { "bad key!": "x", "ok": "no spaces allowed" },
          taints: ["gpu:Sometimes"],
          extraConfig: { "node-ip": "1.2.3.4" },
        }),
        { name: "Bad_Name", role: "worker" as never, nodeIp: "not-an-ip", externalIp: "999.1.1.1", ssh: { host: "bad host", port: 70000, privateKey: FAKE_KEY } },
      ],
    };
    const p = problems(args);
    const expected = [
      /^version: "latest"/,
      /^nodes\[1\]\.name: duplicate node name "asuna" \(also nodes\[0\]\)/,
      /^nodes\[1\]\.nodeIp: 100\.81\.76\.55 is already used by nodes\[0\]/,
      /^nodes\[1\]\.labels: key "bad key!"/,
      /^nodes\[1\]\.labels\["ok"\]: value "no spaces allowed"/,
      /^nodes\[1\]\.taints\[0\]: "gpu:Sometimes"/,
      /^nodes\[1\]\.extraConfig: "node-ip" is managed by the component/,
      /^nodes\[2\]\.name: "Bad_Name"/,
      /^nodes\[2\]\.role: "worker"/,
      /^nodes\[2\]\.ssh\.host: "bad host"/,
      /^nodes\[2\]\.ssh\.port: 70000/,
      /^nodes\[2\]\.nodeIp: "not-an-ip"/,
      /^nodes\[2\]\.externalIp: "999\.1\.1\.1"/,
      /^etcdSnapshots: etcd snapshots need embedded etcd/,
    ];
    for (const re of expected) expect(p).toContainEqual(expect.stringMatching(re));
    expect(p).toHaveLength(expected.length);
    try {
      resolveCluster(args);
    } catch (e) {
      expect((e as Error).message).toMatch(/^invalid K3sCluster args \(14 problems\):\n  - version:/);
    }
  });

  test("HA without etcd, bad snapshot and S3 settings, bad timeouts and installer", () => {
    const p = problems({
      ...prodArgs(),
      embeddedEtcd: false,
      readyTimeoutSeconds: 0,
      installerUrl: "http://get.k3s.io",
      installerSha256: "abc",
    });
    expect(p).toEqual(expect.arrayContaining([
      expect.stringMatching(/^embeddedEtcd: false is only possible with one server/),
      expect.stringMatching(/^etcdSnapshots: etcd snapshots need embedded etcd/),
      expect.stringMatching(/^readyTimeoutSeconds: 0/),
      expect.stringMatching(/^installerUrl: "http:\/\/get\.k3s\.io" must be an https/),
      expect.stringMatching(/^installerSha256: must be 64/),
    ]));
    const prod = prodArgs();
    const s3 = { ...prod.etcdSnapshots!.s3!, endpoint: "https://s3.example.com", bucket: "X" };
    expect(problems({ ...prod, etcdSnapshots: { scheduleCron: "every day", retention: -1, s3 } })).toEqual([
      expect.stringMatching(/^etcdSnapshots\.scheduleCron: "every day"/),
      expect.stringMatching(/^etcdSnapshots\.retention: -1/),
      expect.stringMatching(/^etcdSnapshots\.s3\.endpoint: "https:\/\/s3\.example\.com" must be host\[:port\] without a scheme/),
      expect.stringMatching(/^etcdSnapshots\.s3\.bucket: "X"/),
    ]);
  });

  test("per-node tlsSans only on servers; uninstallRemovedNodes only for removed nodes", () => {
    const home = homelabArgs();
    expect(problems({
      ...home,
      uninstallRemovedNodes: ["asuna", "Not_A_Name"],
      nodes: [home.nodes[0], { ...home.nodes[1], tlsSans: ["pesubuntu.lan"] }],
    })).toEqual([
      expect.stringMatching(/^nodes\[1\]\.tlsSans: only servers serve the API/),
      expect.stringMatching(/^uninstallRemovedNodes\[0\]: node "asuna" is still in nodes/),
      expect.stringMatching(/^uninstallRemovedNodes\[1\]: "Not_A_Name" is not a node name/),
    ]);
  });

  test("a valid homelab resolves with documented defaults", () => {
    const c = resolveCluster(homelabArgs());
    expect(c.apiEndpoint).toBe("100.81.76.55");
    expect(c.joinAddress).toBe("100.81.76.55");
    expect(c.readyTimeoutSeconds).toBe(600);
    expect(c.drainTimeoutSeconds).toBe(300);
    expect(c.installerUrl).toBe("https://get.k3s.io");
    expect(c.nodes[1].ssh).toEqual({ host: "100.86.122.109", user: "ubuntu", port: 22 });
    expect(c.nodes[1].gpu).toBe(true);
    expect(c.nodes[1].uninstallOnRemove).toBe(false);
  });
});
