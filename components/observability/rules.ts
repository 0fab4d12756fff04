// The platform's alerts as a pure function of typed thresholds: each maps one outage the seed reports
// found by hand (a node at 94% memory, pods in CrashLoopBackOff, a Service with no endpoints, backups
// that might not exist, …). The PrometheusRule carries exactly these groups; promtool checks them
// and its rule unit tests prove each fires at its threshold and stays quiet below it
// (tests/observability/rules.tool.test.ts).
import { BACKUP_LABEL, roleLabel } from "../kit";
import { parseBytes } from "../kit/quantity";

/** The label naming a series' Kubernetes node: kube-state-metrics sets it, node-exporter's monitor is relabelled to it. */
export const NODE_LABEL = "node";

export interface AlertThresholds {
  readonly nodeMemoryPercent: number;
  readonly pvcPercent: number;
  readonly restartsPerHour: number;
  readonly endpointsDownMinutes: number;
  readonly pendingMinutes: number;
  readonly backupMaxAgeHours: number;
  readonly certificateDays: number;
  /** A Kubernetes quantity, e.g. "16Mi". */
  readonly replicationLagBytes: string;
}

export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly labels: { readonly severity: "critical" | "warning" };
  readonly annotations: { readonly summary: string; readonly description: string; readonly runbook_url: string };
}

export interface RuleGroup {
  readonly name: string;
  readonly rules: readonly AlertRule[];
}

/** Where each alert's "what to do" lives: the README's Alerts table (change it if the repository lives elsewhere). */
export const RUNBOOK_BASE = "https://github.com/pesulabs/homelab-platform/blob/main/README.md";

/** The label kube-state-metrics gives a Kubernetes label it is allowed to export (`label_` + the key with every non-alphanumeric as _). */
export function ksmLabel(key: string): string {
  return `label_${key.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** The backup CronJobs' label as kube-state-metrics exports it (it must be in its metricLabelsAllowlist). */
export const BACKUP_KSM_LABEL = ksmLabel(BACKUP_LABEL);
export const GPU_KSM_LABEL = ksmLabel(roleLabel("gpu"));

function rule(alert: string, expr: string, forDuration: string, severity: "critical" | "warning", summary: string, description: string): AlertRule {
  return {
    alert,
    expr,
    for: forDuration,
    labels: { severity },
    annotations: { summary, description, runbook_url: `${RUNBOOK_BASE}#alert-${alert.toLowerCase()}` },
  };
}

/** The rule groups of the platform's PrometheusRule. */
export function alertRules(t: AlertThresholds): RuleGroup[] {
  const lag = parseBytes(t.replicationLagBytes);
  if (lag === undefined) throw new Error(`replicationLagBytes "${t.replicationLagBytes}" is not a quantity`);
  const backupSeconds = t.backupMaxAgeHours * 3600;
  const backups = `kube_cronjob_labels{${BACKUP_KSM_LABEL}!=""}`;
  return [
    {
      name: "homelab.nodes",
      rules: [
        rule(
          "NodeMemoryHigh",
          // Used memory (node-exporter) against what Kubernetes may hand to pods (kube-state-metrics):
          // the system reserve is not pods' to use, so a node whose pods eat into it is already in trouble.
          // node-exporter's series carry the node's name in `node` (relabelled in kubePrometheusStackValues).
          `100 * (node_memory_MemTotal_bytes - node_memory_MemAvailable_bytes) / on(${NODE_LABEL}) max by (${NODE_LABEL}) (kube_node_status_allocatable{resource="memory"}) > ${t.nodeMemoryPercent}`,
          "5m",
          "warning",
          `Node {{ $labels.${NODE_LABEL} }} has used {{ $value | printf "%.0f" }}% of its allocatable memory for 5 minutes (threshold ${t.nodeMemoryPercent}%)`,
          "Pods on it may be OOM-killed or evicted next. See which pods use the most and whether requests match reality.",
        ),
        rule(
          "GpuNotAllocatable",
          `kube_node_labels{${GPU_KSM_LABEL}="true"} unless on(node) (kube_node_status_allocatable{resource="nvidia_com_gpu"} > 0)`,
          "10m",
          "critical",
          "GPU node {{ $labels.node }} offers no allocatable GPU",
          "GPU pods (Ollama) cannot be scheduled there: the NVIDIA device plugin or driver is not working.",
        ),
      ],
    },
    {
      name: "homelab.workloads",
      rules: [
        rule(
          "PodRestartingRepeatedly",
          `increase(kube_pod_container_status_restarts_total[1h]) >= ${t.restartsPerHour}`,
          "0m",
          "warning",
          `Container {{ $labels.container }} of {{ $labels.namespace }}/{{ $labels.pod }} restarted {{ $value | printf "%.0f" }} times in the last hour`,
          `It restarts at least ${t.restartsPerHour} times an hour: read its previous log (kubectl logs --previous).`,
        ),
        rule(
          "PodCrashLooping",
          `max by (namespace, pod, container) (kube_pod_container_status_waiting_reason{reason="CrashLoopBackOff"}) == 1`,
          "5m",
          "critical",
          "{{ $labels.namespace }}/{{ $labels.pod }} ({{ $labels.container }}) is in CrashLoopBackOff",
          "The container keeps failing at start: read its previous log (kubectl logs --previous).",
        ),
        rule(
          "ServiceWithoutEndpoints",
          `kube_endpoint_info unless on(namespace, endpoint) (kube_endpoint_address{ready="true"} == 1)`,
          `${t.endpointsDownMinutes}m`,
          "critical",
          `Service {{ $labels.namespace }}/{{ $labels.endpoint }} has had no ready endpoint for ${t.endpointsDownMinutes} minutes`,
          "Every request to it fails. Are its pods running and ready, and does its selector match them?",
        ),
        rule(
          "StatefulPodPending",
          `(max by (namespace, pod) (kube_pod_status_phase{phase="Pending"}) == 1) and on(namespace, pod) (kube_pod_owner{owner_kind="StatefulSet"})`,
          `${t.pendingMinutes}m`,
          "critical",
          `Stateful pod {{ $labels.namespace }}/{{ $labels.pod }} has been Pending for ${t.pendingMinutes} minutes`,
          "A stateful pod can only run where its volume is: that node may be gone, full, or not Ready.",
        ),
        rule(
          "MetricsTargetDown",
          "up == 0",
          "5m",
          "warning",
          "Prometheus cannot scrape {{ $labels.job }} at {{ $labels.instance }}",
          "The service or its metrics endpoint is down, or a network policy blocks Prometheus.",
        ),
      ],
    },
    {
      name: "homelab.storage",
      rules: [
        rule(
          "VolumeFillingUp",
          `100 * kubelet_volume_stats_used_bytes / kubelet_volume_stats_capacity_bytes > ${t.pvcPercent}`,
          "5m",
          "warning",
          `Volume {{ $labels.namespace }}/{{ $labels.persistentvolumeclaim }} is {{ $value | printf "%.0f" }}% full (threshold ${t.pvcPercent}%)`,
          "Grow the volume, lower retention, or delete data before it is full.",
        ),
        rule(
          "BackupTooOld",
          `time() - max by (namespace, ${BACKUP_KSM_LABEL}) (kube_cronjob_status_last_successful_time * on(namespace, cronjob) group_left(${BACKUP_KSM_LABEL}) ${backups}) > ${backupSeconds}`,
          "0m",
          "critical",
          `The newest {{ $labels.${BACKUP_KSM_LABEL} }} backup is older than ${t.backupMaxAgeHours} hours`,
          "The backup CronJob has not succeeded since: read its last Job's log.",
        ),
        rule(
          "BackupNeverSucceeded",
          `(${backups} unless on(namespace, cronjob) kube_cronjob_status_last_successful_time) and on(namespace, cronjob) (time() - kube_cronjob_created > ${backupSeconds})`,
          "0m",
          "critical",
          `Backup CronJob {{ $labels.namespace }}/{{ $labels.cronjob }} has existed for ${t.backupMaxAgeHours} hours without one success`,
          "There is no backup at all: read the CronJob's Jobs' logs.",
        ),
        rule(
          "MinioDriveOffline",
          "max(minio_cluster_drive_offline_total) > 0",
          "5m",
          "critical",
          "{{ $value }} MinIO drive(s) offline",
          "Erasure coding still serves data, but another lost drive may stop writes: bring the drive's pod and node back.",
        ),
      ],
    },
    {
      name: "homelab.databases",
      rules: [
        rule(
          "PatroniNoLeader",
          "max by (scope) (patroni_primary) < 1",
          "1m",
          "critical",
          "PostgreSQL cluster {{ $labels.scope }} has had no leader for a minute",
          "Writes fail. A failover normally takes under 30 s: check the members' Patroni logs and the DCS.",
        ),
        rule(
          "PatroniReplicaLagging",
          `(max by (scope) (patroni_xlog_location) - on(scope) group_right() (patroni_xlog_replayed_location and on(instance) (patroni_replica == 1))) > ${lag}`,
          "5m",
          "warning",
          `A replica of {{ $labels.scope }} ({{ $labels.instance }}) is {{ $value | humanize1024 }}B behind the primary`,
          "A failover to it would lose or delay recent writes; check its disk, network and log.",
        ),
      ],
    },
    {
      name: "homelab.certificates",
      rules: [
        rule(
          "CertificateExpiringSoon",
          `certmanager_certificate_expiration_timestamp_seconds - time() < ${t.certificateDays * 86400}`,
          "1h",
          "warning",
          `Certificate {{ $labels.namespace }}/{{ $labels.name }} expires within ${t.certificateDays} days`,
          "cert-manager renews 30 days ahead, so renewal is failing: kubectl describe certificate, and the issuer's challenges.",
        ),
      ],
    },
  ];
}

/** Every alert name, in order: the README's Alerts table lists exactly these. */
export function alertNames(t: AlertThresholds): string[] {
  return alertRules(t).flatMap((g) => g.rules.map((r) => r.alert));
}
