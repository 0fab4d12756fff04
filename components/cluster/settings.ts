// `homelab:cluster`: how the program gets its Kubernetes cluster — settings, defaults and docs.
import { z } from "zod";
import { cron, interfaceName, intBetween, isS3Bucket, isS3Endpoint, isS3Folder, isS3Region, k3sVersion, nodeName, says, shown } from "../kit/formats";
import { DEFAULT_SECRETS_ENCRYPTION, FLANNEL_BACKENDS, defaultFlannelBackend } from "./network";
import { DEFAULT_K3S_VERSION } from "./types";

/** Where k3s uploads its etcd snapshots: an S3 endpoint OUTSIDE the cluster (the keys are the stack secrets etcdS3AccessKey / etcdS3SecretKey). */
export const etcdS3Settings = z
  .strictObject({
    endpoint: z.string().refine(isS3Endpoint, { error: (iss) => says(`${shown(iss.input)} is not host[:port]`, "write the S3 endpoint without a scheme, e.g. s3.eu-central-003.backblazeb2.com or nas.lan:9000") }).describe("S3 endpoint host[:port], without a scheme (k3s etcd-s3-endpoint)"),
    bucket: z.string().refine(isS3Bucket, { error: (iss) => says(`${shown(iss.input)} is not an S3 bucket name`, "use 3-63 lower-case letters, digits, '.' and '-'") }).describe("bucket (k3s etcd-s3-bucket)"),
    region: z.string().refine(isS3Region, { error: (iss) => says(`${shown(iss.input)} is not a region name`, "e.g. us-east-1") }).optional().describe("region (default: k3s's us-east-1)"),
    folder: z.string().refine(isS3Folder, { error: (iss) => says(`${shown(iss.input)} is not a folder name`, "use A-Z a-z 0-9 . _ / -") }).optional().describe("folder inside the bucket (default: the stack's name)"),
    insecure: z.boolean().default(false).describe("plain HTTP instead of HTTPS (default false)"),
  })
  .optional()
  .describe("upload the etcd snapshots to S3 too (HA stacks); keys: pulumi config set --secret homelab:etcdS3AccessKey / etcdS3SecretKey");

export const clusterSettings = z
  .strictObject({
    mode: z.enum(["k3s", "existing"]).default("k3s").describe("k3s (default): install k3s on the nodes over SSH; existing: use the kubeconfig in the secret homelab:kubeconfig"),
    version: k3sVersion.optional().describe(`pinned k3s release (default ${DEFAULT_K3S_VERSION})`),
    flannelIface: interfaceName
      .optional()
      .describe("network interface flannel uses, e.g. tailscale0 when node addresses are Tailscale ones"),
    flannelBackend: z
      .enum(FLANNEL_BACKENDS)
      .optional()
      .describe("how pod traffic travels between nodes (default wireguard-native when any node's address is public, else vxlan: tailnet and LAN traffic needs no second encryption)"),
    secretsEncryption: z
      .boolean()
      .default(DEFAULT_SECRETS_ENCRYPTION)
      .describe("encrypt Secrets at rest in the datastore and its snapshots (default true; k3s cannot turn it on later without a rotation)"),
    etcdSnapshots: z
      .strictObject({
        schedule: cron.default("0 */6 * * *").describe("cron schedule of embedded-etcd snapshots (default every 6 hours)"),
        retention: intBetween(1, 1000).default(12).describe("snapshots kept (default 12)"),
        s3: etcdS3Settings,
      })
      .prefault({})
      .describe("embedded-etcd snapshots (HA stacks: more than one server)"),
    uninstall: z.array(nodeName).default([]).describe("nodes removed from homelab:nodes to drain, delete and uninstall k3s from (never implicit)"),
  })
  .prefault({})
  .describe("the Kubernetes cluster: k3s installed by the program, or an existing one");

/** The cluster settings with the defaults that depend on the nodes. */
export type ClusterSettings = ReturnType<typeof resolveClusterSettings>;

export function resolveClusterSettings(s: z.output<typeof clusterSettings>, nodeAddresses: readonly string[]) {
  return { ...s, flannelBackend: s.flannelBackend ?? defaultFlannelBackend(nodeAddresses) };
}
