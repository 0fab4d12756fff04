import { parse } from "yaml";
import { resolveCluster } from "../../components/cluster/validate";
import { nodeConfig, nodeDigest, renderNodeConfig, secretsConfigYaml } from "../../components/cluster/node-config";
import { DEFAULT_K3S_VERSION } from "../../components/cluster/types";
import { devArgs, homelabArgs, prodArgs } from "./fixtures";

function configs(args: ReturnType<typeof homelabArgs>) {
  const cluster = resolveCluster(args);
  return { cluster, byName: Object.fromEntries(cluster.nodes.map((n) => [n.name, parse(renderNodeConfig(n, cluster))])) };
}

describe("config.yaml per node", () => {
  test("homelab: server asuna (service) and agent pesubuntu (compute+gpu) on Tailscale", () => {
    const { cluster, byName } = configs(homelabArgs());
    expect(cluster.nodes.map((n) => n.name)).toEqual(["asuna", "pesubuntu"]);
    expect(cluster.embeddedEtcd).toBe(false);
    expect(byName.asuna).toEqual({
      "node-name": "asuna",
      "node-ip": "100.81.76.55",
      "flannel-iface": "tailscale0",
      "tls-san": ["100.81.76.55"],
      // Tailscale addresses: traffic already rides WireGuard, no second layer.
      "flannel-backend": "vxlan",
      "secrets-encryption": true,
      "node-label": ["homelab.pesulabs.net/role-service=true"],
    });
    expect(byName.pesubuntu).toEqual({
      "node-name": "pesubuntu",
      "node-ip": "100.86.122.109",
      "flannel-iface": "tailscale0",
      "server": "https://100.81.76.55:6443",
      "node-label": ["homelab.pesulabs.net/role-compute=true", "homelab.pesulabs.net/role-gpu=true"],
    });
  });

  test("prod: three HA servers, first with cluster-init, others join it; snapshots and S3 target", () => {
    const { cluster, byName } = configs(prodArgs());
    expect(cluster.nodes.map((n) => n.name)).toEqual(["ubuntu-8gb-hil-1", "ubuntu-8gb-ash-1", "ubuntu-8gb-ash-2"]);
    expect(cluster.embeddedEtcd).toBe(true);
    const common = {
      // Not set in the args: public node addresses make the default encrypted.
      "flannel-backend": "wireguard-native",
      "secrets-encryption": true,
      "etcd-snapshot-schedule-cron": "0 */4 * * *",
      "etcd-snapshot-retention": 42,
      "etcd-s3": true,
      "etcd-s3-endpoint": "s3.us-west-004.example.com",
      "etcd-s3-bucket": "homelab-etcd",
      "etcd-s3-region": "us-west-004",
      "etcd-s3-folder": "prod",
      "node-label": ["homelab.pesulabs.net/role-compute=true", "homelab.pesulabs.net/role-service=true"],
    };
    expect(byName["ubuntu-8gb-hil-1"]).toEqual({
      "node-name": "ubuntu-8gb-hil-1",
      "node-ip": "5.78.103.224",
      "cluster-init": true,
      "tls-san": ["5.78.103.224", "k8s.example.org"],
      ...common,
    });
    expect(byName["ubuntu-8gb-ash-1"]).toEqual({
      "node-name": "ubuntu-8gb-ash-1",
      "node-ip": "5.161.110.205",
      "server": "https://5.78.103.224:6443",
      "tls-san": ["5.161.110.205", "5.78.103.224", "k8s.example.org"],
      ...common,
    });
    expect(byName["ubuntu-8gb-ash-2"]).toEqual({
      "node-name": "ubuntu-8gb-ash-2",
      "node-ip": "178.156.186.10",
      "server": "https://5.78.103.224:6443",
      "tls-san": ["178.156.186.10", "5.78.103.224", "k8s.example.org"],
      ...common,
    });
  });

  test("dev: one server, SQLite (no cluster-init, no snapshots)", () => {
    const { cluster, byName } = configs(devArgs());
    expect(cluster.embeddedEtcd).toBe(false);
    expect(cluster.snapshots).toBeUndefined();
    expect(byName.dev).toEqual({
      "node-name": "dev",
      "node-ip": "192.168.56.10",
      "tls-san": ["192.168.56.10"],
      "flannel-backend": "vxlan",
      "secrets-encryption": true,
      "node-label": ["homelab.pesulabs.net/role-compute=true", "homelab.pesulabs.net/role-service=true"],
    });
  });

  test("embedded etcd gets default snapshots; taints, external IP, extra config and a join address", () => {
    const args = devArgs();
    const cluster = resolveCluster({
      ...args,
      embeddedEtcd: true,
      joinAddress: "k3s.tailnet.example",
      disable: ["servicelb"],
      secretsEncryption: true,
      nodes: [
        { ...args.nodes[0], externalIp: "203.0.113.7", tlsSans: ["dev.lan"], taints: ["dedicated=infra:NoSchedule"], extraConfig: { "kubelet-arg": ["max-pods=150"] } },
        { name: "worker", role: "agent", nodeIp: "192.168.56.11", flannelIface: "eth1", ssh: { host: "192.168.56.11", privateKey: "k" } },
      ],
    });
    const [dev, worker] = cluster.nodes.map((n) => nodeConfig(n, cluster));
    expect(dev).toMatchObject({
      "cluster-init": true,
      "node-external-ip": "203.0.113.7",
      "tls-san": ["192.168.56.10", "203.0.113.7", "dev.lan"],
      "disable": ["servicelb"],
      "secrets-encryption": true,
      "etcd-snapshot-schedule-cron": "0 */6 * * *",
      "etcd-snapshot-retention": 28,
      "node-taint": ["dedicated=infra:NoSchedule"],
      "kubelet-arg": ["max-pods=150"],
    });
    expect(dev["etcd-s3"]).toBeUndefined();
    expect(worker).toEqual({ "node-name": "worker", "node-ip": "192.168.56.11", "flannel-iface": "eth1", "server": "https://k3s.tailnet.example:6443" });
  });

  test("config.yaml holds no secret; the secrets drop-in holds token and (servers) S3 keys", () => {
    const cluster = resolveCluster(prodArgs());
    for (const node of cluster.nodes) {
      const text = renderNodeConfig(node, cluster);
      expect(text).toMatch(/^# k3s server "ubuntu-8gb-/);
      const body = text.split("\n").filter((l) => !l.startsWith("#")).join("\n");
      expect(body).not.toMatch(/token|FAKE-|secret-key|access-key/);
      const secrets = parse(secretsConfigYaml(node, cluster, { token: "T0K", s3AccessKey: "AK", s3SecretKey: "SK" }));
      expect(secrets).toEqual({ "token": "T0K", "etcd-s3-access-key": "AK", "etcd-s3-secret-key": "SK" });
    }
    const home = resolveCluster(homelabArgs());
    expect(parse(secretsConfigYaml(home.nodes[1], home, { token: "T0K" }))).toEqual({ token: "T0K" });
  });

  test("rendering is deterministic and the digest follows version and config", () => {
    const a = resolveCluster(homelabArgs());
    const b = resolveCluster(homelabArgs());
    expect(renderNodeConfig(a.nodes[0], a)).toBe(renderNodeConfig(b.nodes[0], b));
    expect(nodeDigest(a.nodes[0], a)).toBe(nodeDigest(b.nodes[0], b));
    const upgraded = resolveCluster({ ...homelabArgs(), version: "v1.36.4+k3s1" });
    expect(nodeDigest(upgraded.nodes[0], upgraded)).not.toBe(nodeDigest(a.nodes[0], a));
    const relabelled = homelabArgs();
    const agent = { ...relabelled.nodes[1], labels: { "homelab.pesulabs.net/role-compute": "true" } };
    const c = resolveCluster({ ...relabelled, nodes: [relabelled.nodes[0], agent] });
    expect(nodeDigest(c.nodes[0], c)).toBe(nodeDigest(a.nodes[0], a));
    expect(nodeDigest(c.nodes[1], c)).not.toBe(nodeDigest(a.nodes[1], a));
    expect(a.version).toBe(DEFAULT_K3S_VERSION);
  });
});
