/** Cluster args of the three environments, as the stacks will pass them (fake keys). */
import type { K3sNodesClusterArgs } from "../../components/cluster/types";
import { nodeRoleLabels } from "../../components/kit/placement";

export const FAKE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nFAKE-KEY-FOR-TESTS-ONLY\n-----END OPENSSH PRIVATE KEY-----\n";

/** Role labels as the stacks register them: the kit's, so the fixtures select what placement selects. */
export const ROLE = {
  service: nodeRoleLabels(["service"]),
  compute: nodeRoleLabels(["compute"]),
  gpu: nodeRoleLabels(["gpu"]),
};

/** Two Tailscale nodes: service node asuna (server), compute+GPU node pesubuntu (agent). */
export function homelabArgs(): K3sNodesClusterArgs {
  return {
    flannelIface: "tailscale0",
    nodes: [
      {
        name: "asuna", role: "server", nodeIp: "100.81.76.55",
        ssh: { host: "100.81.76.55", user: "root", privateKey: FAKE_KEY },
        labels: { ...ROLE.service },
      },
      {
        name: "pesubuntu", role: "agent", nodeIp: "100.86.122.109",
        ssh: { host: "100.86.122.109", user: "ubuntu", privateKey: FAKE_KEY },
        labels: { ...ROLE.compute, ...ROLE.gpu },
        gpu: true,
      },
    ],
  };
}

/** Three HA servers with embedded etcd and S3 snapshots. */
export function prodArgs(): K3sNodesClusterArgs {
  const server = (name: string, ip: string) => ({
    name, role: "server" as const, nodeIp: ip,
    ssh: { host: ip, privateKey: FAKE_KEY },
    labels: { ...ROLE.service, ...ROLE.compute },
  });
  return {
    tlsSans: ["k8s.example.org"],
    etcdSnapshots: {
      scheduleCron: "0 */4 * * *",
      retention: 42,
      s3: {
        endpoint: "s3.us-west-004.example.com", bucket: "homelab-etcd", region: "us-west-004", folder: "prod",
        accessKey: "FAKE-ACCESS-KEY", secretKey: "FAKE-SECRET-KEY",
      },
    },
    nodes: [
      server("ubuntu-8gb-hil-1", "5.78.103.224"),
      server("ubuntu-8gb-ash-1", "5.161.110.205"),
      server("ubuntu-8gb-ash-2", "178.156.186.10"),
    ],
  };
}

/** One node, smallest footprint. */
export function devArgs(): K3sNodesClusterArgs {
  return {
    nodes: [{
      name: "dev", role: "server", nodeIp: "192.168.56.10",
      ssh: { host: "192.168.56.10", port: 2222, privateKey: FAKE_KEY },
      labels: { ...ROLE.service, ...ROLE.compute },
    }],
  };
}

/** The shape of /etc/rancher/k3s/k3s.yaml (fake credentials). */
export const K3S_YAML = `apiVersion: v1
clusters:
- cluster:
    certificate-authority-data: RkFLRS1DQQ==
    server: https://127.0.0.1:6443
  name: default
contexts:
- context:
    cluster: default
    user: default
  name: default
current-context: default
kind: Config
preferences: {}
users:
- name: default
  user:
    client-certificate-data: RkFLRS1DRVJU
    client-key-data: RkFLRS1LRVk=
`;
