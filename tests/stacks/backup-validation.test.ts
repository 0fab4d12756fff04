// Backup settings in the stack file: a bad value is refused naming the field and the fix; the etcd
// snapshots' S3 target reaches k3s's flags, needs its keys for a deploy, and warns when it would live
// inside the cluster it backs up.
import * as pulumi from "@pulumi/pulumi";
import { validateRaw } from "../../stacks";
import { clusterArgs } from "../../stacks/cluster";
import { nodeConfig } from "../../components/cluster/node-config";
import { resolveCluster } from "../../components/cluster/validate";
import { configProblems, stackRaw } from "../lib/stack-config";

const cases: [string, string, (r: any) => void, RegExp][] = [
  ["a WAL-G schedule that is not cron", "homelab", (r) => (r.workloads.postgres = { backup: { schedule: "nightly" } }), /homelab:workloads\.postgres\.backup\.schedule: "nightly" is not a five-field cron schedule\n\s+fix: write minute hour day month weekday/],
  ["a dump schedule that is not cron", "homelab", (r) => (r.workloads.postgres = { backup: { dumpSchedule: "0 2 * *" } }), /homelab:workloads\.postgres\.backup\.dumpSchedule: "0 2 \* \*" is not a five-field cron/],
  ["a Qdrant snapshot schedule that is not cron", "homelab", (r) => (r.workloads.qdrant.backup = { schedule: "@daily" }), /homelab:workloads\.qdrant\.backup\.schedule: "@daily" is not a five-field cron/],
  ["a retention of 0 days", "homelab", (r) => (r.workloads.qdrant.backup = { retentionDays: 0 }), /homelab:workloads\.qdrant\.backup\.retentionDays: .*\n\s+fix: /],
  ["a fractional retention", "homelab", (r) => (r.workloads.postgres = { backup: { retentionDays: 1.5 } }), /homelab:workloads\.postgres\.backup\.retentionDays: /],
  ["a freshness limit of 0 hours", "homelab", (r) => (r.backups = { freshness: { maxAgeHours: 0 } }), /homelab:backups\.freshness\.maxAgeHours: /],
  ["a freshness schedule that is not cron", "homelab", (r) => (r.backups = { freshness: { schedule: "hourly" } }), /homelab:backups\.freshness\.schedule: "hourly" is not a five-field cron/],
  ["a clone into the prefix it recovers from", "homelab", (r) => (r.workloads.postgres = { backup: { clone: { fromPrefix: "walg/postgres" } } }), /homelab:workloads\.postgres\.backup\.walgPrefix: the cloned cluster would archive into walg\/postgres, the backups it recovers from\n\s+fix: set walgPrefix to a new path, e\.g\. walg\/postgres-2/],
  ["a recovery time without its offset", "homelab", (r) => (r.workloads.postgres = { backup: { walgPrefix: "walg/pg2", clone: { fromPrefix: "walg/postgres", targetTime: "2026-12-01 10:00" } } }), /homelab:workloads\.postgres\.backup\.clone\.targetTime: "2026-12-01 10:00" is not a timestamp with its offset/],
  ["an etcd S3 endpoint with a scheme", "prod", (r) => (r.cluster = { ...r.cluster, etcdSnapshots: { s3: { endpoint: "https://s3.example.net", bucket: "etcd-snapshots" } } }), /homelab:cluster\.etcdSnapshots\.s3\.endpoint: "https:\/\/s3\.example\.net" is not host\[:port\]\n\s+fix: write the S3 endpoint without a scheme/],
  ["an etcd S3 bucket that is not a bucket name", "prod", (r) => (r.cluster = { ...r.cluster, etcdSnapshots: { s3: { endpoint: "s3.example.net", bucket: "Etcd_Snapshots" } } }), /homelab:cluster\.etcdSnapshots\.s3\.bucket: "Etcd_Snapshots" is not an S3 bucket name/],
];

describe("bad backup settings are refused, naming the field", () => {
  it.each(cases)("%s", (_, stack, mutate, expected) => {
    const raw = stackRaw(stack);
    raw.workloads ??= {};
    raw.workloads.qdrant ??= {};
    mutate(raw);
    expect(configProblems(raw)).toMatch(expected);
  });

  it("the committed stacks take the defaults: 02:00 base backups, 30 days, verify every 4 hours, 26-hour freshness", () => {
    const { config } = validateRaw("homelab", { raw: stackRaw("homelab"), secretsPresent: [] }, { requireSecrets: false });
    expect(config.workloads.postgres.backup).toMatchObject({ enabled: true, schedule: "0 2 * * *", retentionDays: 30, verifySchedule: "0 */4 * * *", walgPrefix: "walg/postgres" });
    expect(config.workloads.qdrant.backup).toMatchObject({ enabled: true, retentionDays: 30 });
    expect(config.backups.freshness).toEqual({ schedule: "0 * * * *", maxAgeHours: 26 });
  });
});

describe("etcd snapshots to S3 (HA stacks)", () => {
  const withS3 = (endpoint: string) => {
    const raw = stackRaw("prod");
    raw.cluster = { ...(raw.cluster ?? {}), etcdSnapshots: { s3: { endpoint, bucket: "etcd-snapshots" } } };
    return raw;
  };

  it("reaches every server's k3s config as etcd-s3 flags, the keys only through the secrets file", () => {
    const { config } = validateRaw("prod", { raw: withS3("s3.eu-central-003.backblazeb2.com"), secretsPresent: ["etcdS3AccessKey", "etcdS3SecretKey"] }, { requireSecrets: false });
    const args: any = clusterArgs(config, { etcdS3AccessKey: pulumi.secret("AK"), etcdS3SecretKey: pulumi.secret("SK") });
    expect(args.etcdSnapshots?.s3).toMatchObject({ endpoint: "s3.eu-central-003.backblazeb2.com", bucket: "etcd-snapshots", folder: "prod", insecure: false });
    const cluster = resolveCluster(args);
    for (const node of cluster.nodes) {
      const c = nodeConfig(node, cluster);
      expect(c).toMatchObject({ "etcd-s3": true, "etcd-s3-endpoint": "s3.eu-central-003.backblazeb2.com", "etcd-s3-bucket": "etcd-snapshots", "etcd-s3-folder": "prod" });
      expect(JSON.stringify(c)).not.toMatch(/access-key|secret-key/);
    }
  });

  it("a deploy without the keys is refused with the command that sets them; a render only warns", () => {
    expect(configProblems(withS3("s3.example.net"), { requireSecrets: true })).toMatch(/homelab:etcdS3AccessKey: is not set \(homelab:cluster\.etcdSnapshots\.s3 needs it\)\n\s+fix: run: read -rs ETCD_S3_ACCESS_KEY/);
    const { warnings } = validateRaw("prod", { raw: withS3("s3.example.net"), secretsPresent: [] }, { requireSecrets: false });
    expect(warnings.join("\n")).toMatch(/homelab:etcdS3SecretKey is not set: pulumi up will need it/);
  });

  it.each(["minio.homelab.svc.cluster.local:9000", "minio:9000", "5.78.103.224:30900"])("warns that %s, inside the cluster, makes the restore need the cluster", (endpoint) => {
    const { warnings } = validateRaw("prod", { raw: withS3(endpoint), secretsPresent: ["sshPrivateKey", "etcdS3AccessKey", "etcdS3SecretKey"] }, { requireSecrets: true });
    expect(warnings.join("\n")).toMatch(/cluster\.etcdSnapshots\.s3\.endpoint .* is served by this cluster .* restoring a lost cluster from its etcd snapshots would need the cluster itself\. Set homelab:cluster\.etcdSnapshots\.s3\.endpoint/);
  });

  it("an external endpoint draws no such warning; a single-server stack says the setting is unused", () => {
    const ext = validateRaw("prod", { raw: withS3("nas.lan:9000"), secretsPresent: ["sshPrivateKey", "etcdS3AccessKey", "etcdS3SecretKey"] }, { requireSecrets: true });
    expect(ext.warnings.join("\n")).not.toMatch(/served by this cluster/);
    const raw = stackRaw("homelab");
    raw.cluster = { ...(raw.cluster ?? {}), etcdSnapshots: { s3: { endpoint: "nas.lan:9000", bucket: "etcd-snapshots" } } };
    const single = validateRaw("homelab", { raw, secretsPresent: [] }, { requireSecrets: false });
    expect(single.warnings.join("\n")).toMatch(/cluster\.etcdSnapshots\.s3 is set but the stack has no embedded etcd/);
  });
});
