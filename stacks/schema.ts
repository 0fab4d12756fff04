// The stack file's schema: one section per service, composed here. Types, defaults and the
// documentation of every key come from it (README's config reference, Pulumi.yaml's key list and
// the editor schema in schema/ are generated from it: `npm run schema`).
//
// Adding a service: its settings.ts beside the component, one line in `workloads` below, its
// wiring in stacks/plan.ts and stacks/platform.ts.
import { z } from "zod";
import { clusterSettings } from "../components/cluster/settings";
import { minioSettings } from "../components/data/minio/settings";
import { postgresSettings } from "../components/data/postgres/settings";
import { qdrantSettings } from "../components/data/qdrant/settings";
import { ollamaSettings } from "../components/ai/ollama/settings";
import { mem0Settings } from "../components/ai/mem0/settings";
import { backupsSettings } from "../components/data/backup/settings";
import { redisSettings } from "../components/data/redis/settings";
import { n8nSettings } from "../components/apps/n8n/settings";
import { familyAssistantSettings } from "../components/apps/family-assistant/settings";
import { ingressSettings } from "../components/ingress/settings";
import { observabilitySettings } from "../components/observability/settings";
import { dnsLabel, domainName, intBetween } from "../components/kit/formats";
import { nodesSettings } from "./nodes";

export const PROJECT = "homelab";

/** `homelab:<key>`. */
export function key(k: string): string {
  return `${PROJECT}:${k}`;
}

export const workloadsSettings = z
  .strictObject({
    qdrant: qdrantSettings,
    postgres: postgresSettings,
    ollama: ollamaSettings,
    mem0: mem0Settings,
    minio: minioSettings,
    redis: redisSettings,
    n8n: n8nSettings,
    familyAssistant: familyAssistantSettings,
  })
  .prefault({})
  .describe("per-service settings: {qdrant: {...}, postgres: {...}, minio: {...}}");

export const stackSchema = z.strictObject({
  domain: domainName.describe("DNS domain the platform's hosts live under, e.g. homelab.example.net (required)"),
  namespace: dnsLabel.default("homelab").describe("Kubernetes namespace for the workloads (default homelab; Pod Security: baseline enforced, restricted warned)"),
  systemReservePercent: intBetween(5, 50).default(10).describe("share of each node's CPU and memory kept free for the OS and k3s (default 10); never less than the floor of its k3s role: server 1.5Gi / 500m, agent 0.5Gi / 250m"),
  cluster: clusterSettings,
  nodes: nodesSettings,
  workloads: workloadsSettings,
  ingress: ingressSettings,
  backups: backupsSettings,
  observability: observabilitySettings,
});

export type StackSettings = z.output<typeof stackSchema>;

/** Secret keys: set with `pulumi config set --secret`; their values never enter the settings. */
export const SECRET_KEYS = {
  sshPrivateKey: { doc: "SSH private key the program installs k3s with (cluster.mode k3s)", set: "< ~/.ssh/id_ed25519" },
  kubeconfig: { doc: "kubeconfig of an existing cluster (cluster.mode existing)", set: "< ~/.kube/config" },
  cloudflareApiToken: { doc: "Cloudflare API token with Zone:DNS:Edit (ingress.certificates.solver dns01)", set: "" },
  etcdS3AccessKey: { doc: "access key of the external S3 bucket for etcd snapshots (cluster.etcdSnapshots.s3)", set: "" },
  etcdS3SecretKey: { doc: "secret key of the external S3 bucket for etcd snapshots (cluster.etcdSnapshots.s3)", set: "" },
  alertWebhookUrl: { doc: "webhook URL Alertmanager sends notifications to (e.g. an ntfy topic or a chat webhook); unset: alerts notify nobody", set: "" },
} as const;

export type SecretKey = keyof typeof SECRET_KEYS;
export const SECRET_KEY_NAMES = Object.keys(SECRET_KEYS) as SecretKey[];

/** The exact command that stores a secret key encrypted (a typed token is read silently, off the shell history). */
export function setSecretCommand(k: SecretKey): string {
  const set = SECRET_KEYS[k].set;
  if (set) return `pulumi config set --secret ${key(k)} ${set}`;
  const v = k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase();
  return `read -rs ${v} && printf %s "$${v}" | pulumi config set --secret ${key(k)} && unset ${v}`;
}
