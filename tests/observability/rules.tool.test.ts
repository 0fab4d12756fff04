// The generated alert rules, checked and unit-tested with Prometheus's promtool (spawns; a tool test):
// every rule parses, and for every alert synthetic series prove it fires at its threshold and stays
// quiet below it. Thresholds are the defaults a stack gets, stated here by hand.
import YAML from "yaml";
import { AlertRule, alertRules, observabilitySettings } from "../../components/observability";
import { run, workDir } from "./tools";

const defaults = observabilitySettings.parse({}).alerts;
const groups = alertRules(defaults);
const rules = new Map<string, AlertRule>(groups.flatMap((g) => g.rules.map((r) => [r.alert, r] as [string, AlertRule])));
const rulesYaml = YAML.stringify({ groups });

interface Series { series: string; values: string }
interface Case {
  /** What the case shows, e.g. "94% fires". */
  name: string;
  alert: string;
  interval?: string;
  series: Series[];
  at: string;
  /** The alert's own labels (besides alertname and severity) and its summary, or none: quiet. */
  fires?: { labels: Record<string, string>; summary: string };
}

const H = 3600;
const B = "label_homelab_pesulabs_net_backup";
const GPU = "label_homelab_pesulabs_net_role_gpu";
const Mi = 1024 * 1024;
/** asuna: 120 units of RAM, 100 of them allocatable (20 reserved for the system), `used` in use. */
const mem = (used: number): Series[] => [
  { series: 'node_memory_MemAvailable_bytes{node="asuna",instance="10.0.0.2:9100"}', values: `${120 - used}x20` },
  { series: 'node_memory_MemTotal_bytes{node="asuna",instance="10.0.0.2:9100"}', values: "120x20" },
  { series: 'kube_node_status_allocatable{node="asuna",resource="memory",unit="byte"}', values: "100x20" },
  { series: 'kube_node_status_allocatable{node="asuna",resource="cpu",unit="core"}', values: "4x20" },
];
const restarts = (after: number): Series[] => [{ series: 'kube_pod_container_status_restarts_total{namespace="homelab",pod="qdrant-0",container="qdrant"}', values: `0x30 ${after}x30` }];
const backupLabels: Series = { series: `kube_cronjob_labels{namespace="homelab",cronjob="postgres-dump",${B}="postgres-dump"}`, values: "1x30" };
const patroni = (primaryA: number, primaryB: number): Series[] => [
  { series: 'patroni_primary{scope="postgres",instance="a"}', values: `${primaryA}x10` },
  { series: 'patroni_primary{scope="postgres",instance="b"}', values: `${primaryB}x10` },
];
const lag = (behind: number): Series[] => [
  { series: 'patroni_xlog_location{scope="postgres",instance="a"}', values: `${100 * Mi}x10` },
  { series: 'patroni_xlog_location{scope="postgres",instance="b"}', values: "0x10" },
  { series: 'patroni_replica{scope="postgres",instance="a"}', values: "0x10" },
  { series: 'patroni_replica{scope="postgres",instance="b"}', values: "1x10" },
  { series: 'patroni_xlog_replayed_location{scope="postgres",instance="a"}', values: "0x10" },
  { series: 'patroni_xlog_replayed_location{scope="postgres",instance="b"}', values: `${100 * Mi - behind}x10` },
];

const cases: Case[] = [
  { name: "94% of allocatable fires", alert: "NodeMemoryHigh", series: mem(94), at: "10m", fires: { labels: { node: "asuna" }, summary: "Node asuna has used 94% of its allocatable memory for 5 minutes (threshold 85%)" } },
  { name: "86% of allocatable fires", alert: "NodeMemoryHigh", series: mem(86), at: "10m", fires: { labels: { node: "asuna" }, summary: "Node asuna has used 86% of its allocatable memory for 5 minutes (threshold 85%)" } },
  // 90 of 120 is 75% of the machine, but 90% of what pods may use: the reserve is not theirs.
  { name: "90% of allocatable (75% of the machine) fires", alert: "NodeMemoryHigh", series: mem(90), at: "10m", fires: { labels: { node: "asuna" }, summary: "Node asuna has used 90% of its allocatable memory for 5 minutes (threshold 85%)" } },
  { name: "84% of allocatable is quiet", alert: "NodeMemoryHigh", series: mem(84), at: "10m" },
  { name: "60% of allocatable is quiet", alert: "NodeMemoryHigh", series: mem(60), at: "10m" },
  { name: "94% for only 3 minutes is quiet", alert: "NodeMemoryHigh", series: mem(94), at: "3m" },
  { name: "3 restarts in an hour fire", alert: "PodRestartingRepeatedly", series: restarts(3), at: "60m", fires: { labels: { namespace: "homelab", pod: "qdrant-0", container: "qdrant" }, summary: "Container qdrant of homelab/qdrant-0 restarted 3 times in the last hour" } },
  { name: "2 restarts in an hour are quiet", alert: "PodRestartingRepeatedly", series: restarts(2), at: "60m" },
  {
    name: "CrashLoopBackOff for 6 minutes fires",
    alert: "PodCrashLooping",
    series: [{ series: 'kube_pod_container_status_waiting_reason{namespace="homelab",pod="n8n-0",container="n8n",reason="CrashLoopBackOff"}', values: "1x10" }],
    at: "6m",
    fires: { labels: { namespace: "homelab", pod: "n8n-0", container: "n8n" }, summary: "homelab/n8n-0 (n8n) is in CrashLoopBackOff" },
  },
  { name: "a running container is quiet", alert: "PodCrashLooping", series: [{ series: 'kube_pod_container_status_waiting_reason{namespace="homelab",pod="n8n-0",container="n8n",reason="CrashLoopBackOff"}', values: "0x10" }], at: "6m" },
  {
    name: "no endpoint for 3 minutes fires",
    alert: "ServiceWithoutEndpoints",
    series: [
      { series: 'kube_endpoint_info{namespace="homelab",endpoint="mem0"}', values: "1x10" },
      { series: 'kube_endpoint_address{namespace="homelab",endpoint="mem0",ip="10.42.0.9",ready="true"}', values: "1x4 stale" },
    ],
    at: "8m",
    fires: { labels: { namespace: "homelab", endpoint: "mem0" }, summary: "Service homelab/mem0 has had no ready endpoint for 2 minutes" },
  },
  {
    name: "no endpoint for 1 minute is quiet",
    alert: "ServiceWithoutEndpoints",
    series: [
      { series: 'kube_endpoint_info{namespace="homelab",endpoint="mem0"}', values: "1x10" },
      { series: 'kube_endpoint_address{namespace="homelab",endpoint="mem0",ip="10.42.0.9",ready="true"}', values: "1x4 stale" },
    ],
    at: "6m",
  },
  {
    name: "a ready endpoint is quiet",
    alert: "ServiceWithoutEndpoints",
    series: [
      { series: 'kube_endpoint_info{namespace="homelab",endpoint="qdrant"}', values: "1x10" },
      { series: 'kube_endpoint_address{namespace="homelab",endpoint="qdrant",ip="10.42.0.7",ready="true"}', values: "1x10" },
    ],
    at: "8m",
  },
  {
    name: "a StatefulSet pod Pending 6 minutes fires",
    alert: "StatefulPodPending",
    series: [
      { series: 'kube_pod_status_phase{namespace="homelab",pod="postgres-1",phase="Pending"}', values: "1x10" },
      { series: 'kube_pod_owner{namespace="homelab",pod="postgres-1",owner_kind="StatefulSet",owner_name="postgres"}', values: "1x10" },
    ],
    at: "6m",
    fires: { labels: { namespace: "homelab", pod: "postgres-1" }, summary: "Stateful pod homelab/postgres-1 has been Pending for 5 minutes" },
  },
  {
    name: "a Deployment's Pending pod is quiet",
    alert: "StatefulPodPending",
    series: [
      { series: 'kube_pod_status_phase{namespace="homelab",pod="web-abc",phase="Pending"}', values: "1x10" },
      { series: 'kube_pod_owner{namespace="homelab",pod="web-abc",owner_kind="ReplicaSet",owner_name="web-1"}', values: "1x10" },
    ],
    at: "6m",
  },
  {
    name: "a volume 85% full fires",
    alert: "VolumeFillingUp",
    series: [
      { series: 'kubelet_volume_stats_used_bytes{namespace="homelab",persistentvolumeclaim="storage-qdrant-0"}', values: "85x10" },
      { series: 'kubelet_volume_stats_capacity_bytes{namespace="homelab",persistentvolumeclaim="storage-qdrant-0"}', values: "100x10" },
    ],
    at: "6m",
    fires: { labels: { namespace: "homelab", persistentvolumeclaim: "storage-qdrant-0" }, summary: "Volume homelab/storage-qdrant-0 is 85% full (threshold 80%)" },
  },
  {
    name: "a volume 70% full is quiet",
    alert: "VolumeFillingUp",
    series: [
      { series: 'kubelet_volume_stats_used_bytes{namespace="homelab",persistentvolumeclaim="storage-qdrant-0"}', values: "70x10" },
      { series: 'kubelet_volume_stats_capacity_bytes{namespace="homelab",persistentvolumeclaim="storage-qdrant-0"}', values: "100x10" },
    ],
    at: "6m",
  },
  {
    name: "a 27-hour-old newest backup fires",
    alert: "BackupTooOld",
    interval: "1h",
    series: [backupLabels, { series: 'kube_cronjob_status_last_successful_time{namespace="homelab",cronjob="postgres-dump"}', values: "0x30" }],
    at: "27h",
    fires: { labels: { namespace: "homelab", [B]: "postgres-dump" }, summary: "The newest postgres-dump backup is older than 26 hours" },
  },
  {
    name: "a 25-hour-old newest backup is quiet",
    alert: "BackupTooOld",
    interval: "1h",
    series: [backupLabels, { series: 'kube_cronjob_status_last_successful_time{namespace="homelab",cronjob="postgres-dump"}', values: `${2 * H}x30` }],
    at: "27h",
  },
  {
    name: "a backup CronJob 27 hours old that never succeeded fires",
    alert: "BackupNeverSucceeded",
    interval: "1h",
    series: [backupLabels, { series: 'kube_cronjob_created{namespace="homelab",cronjob="postgres-dump"}', values: "0x30" }],
    at: "27h",
    fires: { labels: { namespace: "homelab", cronjob: "postgres-dump", [B]: "postgres-dump" }, summary: "Backup CronJob homelab/postgres-dump has existed for 26 hours without one success" },
  },
  {
    name: "a backup CronJob 25 hours old is quiet",
    alert: "BackupNeverSucceeded",
    interval: "1h",
    series: [backupLabels, { series: 'kube_cronjob_created{namespace="homelab",cronjob="postgres-dump"}', values: `${2 * H}x30` }],
    at: "27h",
  },
  { name: "an offline drive fires", alert: "MinioDriveOffline", series: [{ series: 'minio_cluster_drive_offline_total{server="minio-0"}', values: "1x10" }], at: "6m", fires: { labels: {}, summary: "1 MinIO drive(s) offline" } },
  { name: "no offline drive is quiet", alert: "MinioDriveOffline", series: [{ series: 'minio_cluster_drive_offline_total{server="minio-0"}', values: "0x10" }], at: "6m" },
  { name: "no primary for 2 minutes fires", alert: "PatroniNoLeader", series: patroni(0, 0), at: "2m", fires: { labels: { scope: "postgres" }, summary: "PostgreSQL cluster postgres has had no leader for a minute" } },
  { name: "a primary is quiet", alert: "PatroniNoLeader", series: patroni(0, 1), at: "2m" },
  { name: "a replica 20Mi behind fires", alert: "PatroniReplicaLagging", series: lag(20 * Mi), at: "6m", fires: { labels: { scope: "postgres", instance: "b" }, summary: "A replica of postgres (b) is 20MiB behind the primary" } },
  { name: "a replica 1Mi behind is quiet", alert: "PatroniReplicaLagging", series: lag(Mi), at: "6m" },
  {
    name: "a certificate expiring in 10 days fires",
    alert: "CertificateExpiringSoon",
    series: [{ series: 'certmanager_certificate_expiration_timestamp_seconds{namespace="homelab",name="grafana-tls"}', values: `${10 * 86400}x130` }],
    at: "2h",
    fires: { labels: { namespace: "homelab", name: "grafana-tls" }, summary: "Certificate homelab/grafana-tls expires within 14 days" },
  },
  {
    name: "a certificate expiring in 10 days, for only 30 minutes, is quiet",
    alert: "CertificateExpiringSoon",
    series: [{ series: 'certmanager_certificate_expiration_timestamp_seconds{namespace="homelab",name="grafana-tls"}', values: `${10 * 86400}x130` }],
    at: "30m",
  },
  {
    name: "a certificate expiring in 20 days is quiet",
    alert: "CertificateExpiringSoon",
    series: [{ series: 'certmanager_certificate_expiration_timestamp_seconds{namespace="homelab",name="grafana-tls"}', values: `${20 * 86400}x130` }],
    at: "2h",
  },
  {
    name: "a GPU node without an allocatable GPU fires",
    alert: "GpuNotAllocatable",
    series: [
      { series: `kube_node_labels{node="pesubuntu",${GPU}="true"}`, values: "1x15" },
      { series: 'kube_node_status_allocatable{node="pesubuntu",resource="nvidia_com_gpu",unit="integer"}', values: "0x15" },
      { series: 'kube_node_labels{node="asuna"}', values: "1x15" },
    ],
    at: "11m",
    fires: { labels: { node: "pesubuntu", [GPU]: "true" }, summary: "GPU node pesubuntu offers no allocatable GPU" },
  },
  {
    name: "a GPU node with its GPU is quiet",
    alert: "GpuNotAllocatable",
    series: [
      { series: `kube_node_labels{node="pesubuntu",${GPU}="true"}`, values: "1x15" },
      { series: 'kube_node_status_allocatable{node="pesubuntu",resource="nvidia_com_gpu",unit="integer"}', values: "1x15" },
    ],
    at: "11m",
  },
  { name: "a target down 6 minutes fires", alert: "MetricsTargetDown", series: [{ series: 'up{job="qdrant",instance="10.42.0.7:6333"}', values: "0x10" }], at: "6m", fires: { labels: { job: "qdrant", instance: "10.42.0.7:6333" }, summary: "Prometheus cannot scrape qdrant at 10.42.0.7:6333" } },
  { name: "a target up is quiet", alert: "MetricsTargetDown", series: [{ series: 'up{job="qdrant",instance="10.42.0.7:6333"}', values: "1x10" }], at: "6m" },
];

function testFile(cs: readonly Case[], evaluationInterval = "1m"): string {
  return YAML.stringify({
    rule_files: ["rules.yaml"],
    evaluation_interval: evaluationInterval,
    tests: cs.map((c) => {
      const r = rules.get(c.alert)!;
      return {
        name: `${c.alert}: ${c.name}`,
        interval: c.interval ?? "1m",
        input_series: c.series,
        alert_rule_test: [{
          eval_time: c.at,
          alertname: c.alert,
          exp_alerts: c.fires
            ? [{ exp_labels: { ...c.fires.labels, severity: r.labels.severity }, exp_annotations: { summary: c.fires.summary, description: r.annotations.description, runbook_url: r.annotations.runbook_url } }]
            : [],
        }],
      };
    }),
  });
}

describe("alert rules (promtool)", () => {
  it("the defaults are the thresholds the issue asks for", () => {
    expect(defaults).toMatchObject({ nodeMemoryPercent: 85, pvcPercent: 80, endpointsDownMinutes: 2, backupMaxAgeHours: 26, certificateDays: 14 });
  });

  it("every alert has a case that fires and one that stays quiet", () => {
    for (const name of rules.keys()) {
      expect([name, cases.some((c) => c.alert === name && c.fires)]).toEqual([name, true]);
      expect([name, cases.some((c) => c.alert === name && !c.fires)]).toEqual([name, true]);
    }
  });

  it("promtool check rules accepts the generated rules", async () => {
    const dir = workDir({ "rules.yaml": rulesYaml });
    const r = await run("promtool", ["check", "rules", "rules.yaml"], dir);
    expect(r.out).toMatch(/SUCCESS: \d+ rules found/);
    expect(r.code).toBe(0);
  });

  it("promtool test rules: each alert fires at its threshold and stays quiet below it", async () => {
    // Cases over a day (the backup ages) are evaluated hourly: minute steps over 27 h take promtool long.
    const daily = cases.filter((c) => c.interval === "1h");
    const dir = workDir({ "rules.yaml": rulesYaml, "tests.yaml": testFile(cases.filter((c) => !daily.includes(c))), "daily.yaml": testFile(daily, "1h") });
    const r = await run("promtool", ["test", "rules", "tests.yaml", "daily.yaml"], dir);
    expect(r.out).toMatch(/tests\.yaml\s+SUCCESS/);
    expect(r.out).toMatch(/daily\.yaml\s+SUCCESS/);
    expect(r.out).not.toMatch(/FAILED/);
    expect(r.code).toBe(0);
  });

  it("the unit tests can fail: a case expecting the wrong summary is reported", async () => {
    const wrong = { ...cases[0], fires: { ...cases[0].fires!, summary: "something else" } };
    const dir = workDir({ "rules.yaml": rulesYaml, "tests.yaml": testFile([wrong]) });
    const r = await run("promtool", ["test", "rules", "tests.yaml"], dir);
    expect(r.code).not.toBe(0);
    expect(r.out).toMatch(/FAILED/);
  });

  it("a broken expression is refused by promtool check rules", async () => {
    const broken = YAML.stringify({ groups: [{ name: "x", rules: [{ ...rules.get("NodeMemoryHigh")!, expr: "100 * (1 - " }] }] });
    const r = await run("promtool", ["check", "rules", "rules.yaml"], workDir({ "rules.yaml": broken }));
    expect(r.code).not.toBe(0);
  });
});
