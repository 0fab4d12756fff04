// What the stack file's cluster section becomes: the K3sCluster arguments (embedded etcd, snapshots,
// the servers' certificate names, the stack secrets passed through), and the messages about the etcd
// snapshots' S3 target — pinned to the exact text a user reads.
import * as pulumi from "@pulumi/pulumi";
import { validateRaw } from "../../stacks";
import { clusterArgs, etcdS3Args } from "../../stacks/cluster";
import { Raw, refusedProblems, stackRaw } from "../lib/stack-config";

const ALL_SECRETS = ["sshPrivateKey", "etcdS3AccessKey", "etcdS3SecretKey"];

function withS3(stack: string, endpoint: string): Raw {
  const raw = stackRaw(stack);
  raw.cluster = { ...(raw.cluster ?? {}), etcdSnapshots: { s3: { endpoint, bucket: "etcd-snapshots" } } };
  return raw;
}

const configOf = (stack: string, raw: Raw = stackRaw(stack)) => validateRaw(stack, { raw, secretsPresent: [] }, { requireSecrets: false }).config;

/** The warning about an etcd S3 endpoint that the cluster itself serves. */
const inClusterWarning = (endpoint: string) =>
  `homelab:cluster.etcdSnapshots.s3.endpoint ${endpoint} is served by this cluster (the in-cluster MinIO): restoring a lost cluster from its etcd snapshots would need the cluster itself. ` +
  "Set homelab:cluster.etcdSnapshots.s3.endpoint (and bucket, keys) to an S3 endpoint outside the cluster (a NAS, Backblaze B2, AWS S3), or copy the snapshots off the servers (/var/lib/rancher/k3s/server/db/snapshots) yourself";

describe("etcd snapshots' S3 target", () => {
  it("hands k3s the access and secret keys the stack secrets hold, and the stack's name as the folder", () => {
    const cfg = validateRaw("prod", { raw: withS3("prod", "nas.lan:9000"), secretsPresent: ALL_SECRETS }, { requireSecrets: false }).config;
    const accessKey = pulumi.secret("AK");
    const secretKey = pulumi.secret("SK");
    const args = etcdS3Args(cfg, { etcdS3AccessKey: accessKey, etcdS3SecretKey: secretKey })!;
    expect(args.accessKey).toBe(accessKey);
    expect(args.secretKey).toBe(secretKey);
    expect({ ...args, accessKey: undefined, secretKey: undefined }).toEqual({ endpoint: "nas.lan:9000", bucket: "etcd-snapshots", region: undefined, folder: "prod", insecure: false });
  });

  it("on a single-server stack, says the setting is unused and asks for no keys", () => {
    const { warnings } = validateRaw("homelab", { raw: withS3("homelab", "nas.lan:9000"), secretsPresent: ["sshPrivateKey"] }, { requireSecrets: false });
    expect(warnings).toContain("homelab:cluster.etcdSnapshots.s3 is set but the stack has no embedded etcd (k3s mode with several servers): it is not used");
    expect(warnings.filter((w) => w.includes("etcdS3"))).toEqual([]);
  });

  it("on an existing cluster, even with three server nodes, says the setting is unused (k3s is not ours to configure)", () => {
    const raw = withS3("dev", "nas.lan:9000");
    raw.nodes.push({ ...raw.nodes[0], name: "dev2", address: "127.0.0.2" }, { ...raw.nodes[0], name: "dev3", address: "127.0.0.3" });
    const { warnings } = validateRaw("dev", { raw, secretsPresent: ["kubeconfig"] }, { requireSecrets: false });
    expect(warnings).toContain("homelab:cluster.etcdSnapshots.s3 is set but the stack has no embedded etcd (k3s mode with several servers): it is not used");
    expect(warnings.filter((w) => w.includes("etcdS3"))).toEqual([]);
  });

  it("with two servers (embedded etcd, though refused for its even count), a deploy also needs both keys", () => {
    const raw = withS3("prod", "nas.lan:9000");
    raw.nodes[2].k3s = "agent";
    expect(refusedProblems(raw, { stack: "prod", secrets: ["sshPrivateKey"], requireSecrets: true })).toEqual([
      {
        path: "homelab:nodes",
        message: "2 k3s servers (ubuntu-8gb-hil-1, ubuntu-8gb-ash-1): embedded etcd needs an odd number for quorum",
        fix: "make 1 or 3 nodes servers (k3s: server), the rest agents",
      },
      {
        path: "homelab:etcdS3AccessKey",
        message: "is not set (homelab:cluster.etcdSnapshots.s3 needs it)",
        fix: 'run: read -rs ETCD_S3_ACCESS_KEY && printf %s "$ETCD_S3_ACCESS_KEY" | pulumi config set --secret homelab:etcdS3AccessKey && unset ETCD_S3_ACCESS_KEY',
      },
      {
        path: "homelab:etcdS3SecretKey",
        message: "is not set (homelab:cluster.etcdSnapshots.s3 needs it)",
        fix: 'run: read -rs ETCD_S3_SECRET_KEY && printf %s "$ETCD_S3_SECRET_KEY" | pulumi config set --secret homelab:etcdS3SecretKey && unset ETCD_S3_SECRET_KEY',
      },
    ]);
  });

  const warningsFor = (endpoint: string) =>
    validateRaw("prod", { raw: withS3("prod", endpoint), secretsPresent: ALL_SECRETS }, { requireSecrets: true }).warnings.filter((w) => w.includes("etcdSnapshots"));

  it("an endpoint under a cluster's .svc domain is warned about, with or without .cluster.local", () => {
    expect(warningsFor("s3.backup.svc:9000")).toEqual([inClusterWarning("s3.backup.svc:9000")]);
    expect(warningsFor("s3.backup.svc.cluster.local")).toEqual([inClusterWarning("s3.backup.svc.cluster.local")]);
  });

  it("an outside host that only contains .svc or minio in its name draws no warning", () => {
    expect(warningsFor("backup.svc.example.net:9000")).toEqual([]);
    expect(warningsFor("nas-minio.lan:9000")).toEqual([]);
  });

  it("the in-cluster MinIO's own name is warned about", () => {
    expect(warningsFor("minio.homelab:9000")).toEqual([inClusterWarning("minio.homelab:9000")]);
  });
});

describe("cluster arguments", () => {
  it("an existing cluster gets only its kubeconfig and the nodes' role labels", () => {
    const kubeconfig = pulumi.secret("apiVersion: v1");
    const { kubeconfig: passed, ...rest } = clusterArgs(configOf("dev"), { kubeconfig }) as any;
    expect(passed).toBe(kubeconfig);
    expect(rest).toEqual({ nodeLabels: { dev: { "homelab.pesulabs.net/role-service": "true", "homelab.pesulabs.net/role-compute": "true" } } });
  });

  it("one server and an agent: no embedded etcd, no etcd snapshots, and only the server's certificate names its addresses", () => {
    const args = clusterArgs(configOf("homelab"), {}) as any;
    expect({ embeddedEtcd: args.embeddedEtcd, etcdSnapshots: args.etcdSnapshots }).toEqual({ embeddedEtcd: false, etcdSnapshots: undefined });
    expect(args.nodes.map((n: any) => [n.name, n.role, n.tlsSans])).toEqual([
      ["asuna", "server", ["100.81.76.55", "192.168.8.185"]],
      ["pesubuntu", "agent", undefined],
    ]);
  });

  it("three servers run embedded etcd with the stack file's snapshot schedule and retention (0 */6 * * *, 28)", () => {
    const args = clusterArgs(configOf("prod"), {}) as any;
    expect({ embeddedEtcd: args.embeddedEtcd, etcdSnapshots: args.etcdSnapshots }).toEqual({ embeddedEtcd: true, etcdSnapshots: { scheduleCron: "0 */6 * * *", retention: 28, s3: undefined } });
  });
});
