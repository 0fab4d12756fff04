// Scheduled jobs (backups, their checks, restores kept suspended): one spec in, a CronJob and the
// allows of its connections out. Containers go through the same builder as every workload's
// (pinned image, requests and a memory limit, the kit's security context), the pods get the
// RuntimeDefault seccomp profile, and a run can neither overlap the previous one nor run forever.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppIdentity, appLabels, assertDnsLabel, selectorLabels } from "./labels";
import { InitContainerSpec, toInitContainer } from "./container";
import { isCron } from "./formats";
import { podSecurityContext } from "./security";
import { Connection, allowConnections } from "./connections";
import { BACKUP_LABEL, PodVolume } from "./workload";

export interface CronJobSpec {
  /** Names the CronJob; its pods carry these labels (never a workload's selector). */
  readonly identity: AppIdentity;
  /** Five-field cron, in the controller's time zone (k3s: UTC unless the node says otherwise). */
  readonly schedule: string;
  /** Value of BACKUP_LABEL: what the job backs up, checks or restores, e.g. "postgres-dump". */
  readonly backup?: string;
  /** Declared but never started by the schedule: run by hand with `kubectl create job --from=cronjob/<name>`. */
  readonly suspend?: boolean;
  /** Hard bound of one run, pulls included. */
  readonly activeDeadlineSeconds: number;
  /** Retries of a failed pod before the Job fails. Default 1. */
  readonly backoffLimit?: number;
  /** Run in order before `containers`, each to completion (e.g. dump, then upload). */
  readonly initContainers?: readonly InitContainerSpec[];
  readonly containers: readonly InitContainerSpec[];
  readonly volumes?: readonly PodVolume[];
  /** Group owning mounted volumes (emptyDir scratch space shared by containers running as different users). */
  readonly fsGroup?: number;
  /** Default 3 kept. */
  readonly successfulJobsHistoryLimit?: number;
  /** Default 3 kept: a failed run stays visible (kubectl get jobs) until three newer ones failed. */
  readonly failedJobsHistoryLimit?: number;
}

export interface CronJobArgs {
  readonly namespace: string;
  /** What the pods connect to (S3, the database, Qdrant): one allow each, nothing else. */
  readonly connections?: readonly Connection[];
  readonly dependsOn?: pulumi.Resource[];
}

export interface EmittedCronJob {
  readonly cronJob: k8s.batch.v1.CronJob;
  readonly policies: k8s.networking.v1.NetworkPolicy[];
}

/** Throws when the spec breaks a rule; pure. */
export function checkCronJobSpec(spec: CronJobSpec): void {
  const where = `cron job ${spec.identity.name}`;
  // A CronJob's name is limited to 52 characters: the controller appends an 11-character suffix to its Jobs.
  assertDnsLabel(spec.identity.name, "cron job name");
  if (spec.identity.name.length > 52) throw new Error(`${where}: the name is longer than 52 characters (the Jobs' names add 11)`);
  if (!isCron(spec.schedule)) throw new Error(`${where}: schedule "${spec.schedule}" is not a five-field cron schedule`);
  if (spec.containers.length === 0) throw new Error(`${where}: has no containers`);
  if (!Number.isInteger(spec.activeDeadlineSeconds) || spec.activeDeadlineSeconds < 60) throw new Error(`${where}: activeDeadlineSeconds must be a whole number ≥ 60`);
  const names = new Set<string>();
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    if (names.has(c.name)) throw new Error(`${where}: container name "${c.name}" is used twice`);
    names.add(c.name);
  }
  const volumes = new Set((spec.volumes ?? []).map((v) => v.name));
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const m of c.mounts ?? []) if (!volumes.has(m.volume)) throw new Error(`${where}: container ${c.name} mounts volume "${m.volume}" that the pod does not declare`);
  }
}

function podVolume(v: PodVolume): k8s.types.input.core.v1.Volume {
  if ("configMap" in v) return { name: v.name, configMap: { name: v.configMap.name, defaultMode: v.configMap.defaultMode } };
  if ("secret" in v) return { name: v.name, secret: { secretName: v.secret.secretName, defaultMode: v.secret.defaultMode } };
  return { name: v.name, emptyDir: { sizeLimit: v.emptyDir.sizeLimit, medium: v.emptyDir.medium } };
}

/** The CronJob object's spec, from the spec and the pods' annotations. Pure. */
export function cronJobBody(spec: CronJobSpec, podAnnotations: Record<string, string> = {}): k8s.types.input.batch.v1.CronJobSpec {
  checkCronJobSpec(spec);
  const where = `cron job ${spec.identity.name}`;
  const labels = { ...appLabels(spec.identity), ...(spec.backup ? { [BACKUP_LABEL]: spec.backup } : {}) };
  return {
    schedule: spec.schedule,
    timeZone: "Etc/UTC",
    suspend: spec.suspend ?? false,
    // A run still going when the next is due is a problem to see, not a second run to start beside it.
    concurrencyPolicy: "Forbid",
    // A controller that was down for a while starts one late run, not one per missed slot.
    startingDeadlineSeconds: 3600,
    successfulJobsHistoryLimit: spec.successfulJobsHistoryLimit ?? 3,
    failedJobsHistoryLimit: spec.failedJobsHistoryLimit ?? 3,
    jobTemplate: {
      metadata: { labels },
      spec: {
        backoffLimit: spec.backoffLimit ?? 1,
        activeDeadlineSeconds: spec.activeDeadlineSeconds,
        template: {
          metadata: { labels, annotations: Object.keys(podAnnotations).length ? podAnnotations : undefined },
          spec: {
            restartPolicy: "Never",
            automountServiceAccountToken: false,
            securityContext: podSecurityContext(spec.fsGroup),
            initContainers: spec.initContainers?.map((c) => toInitContainer(c, `${where} init container ${c.name}`)),
            containers: spec.containers.map((c) => toInitContainer(c, `${where} container ${c.name}`)),
            volumes: spec.volumes?.map(podVolume),
          },
        },
      },
    },
  };
}

/** Creates the CronJob (and one allow per connection) as children of `parent`. */
export function emitCronJob(parent: pulumi.Resource, spec: CronJobSpec, args: CronJobArgs): EmittedCronJob {
  const name = spec.identity.name;
  const consumed = allowConnections(parent, { name, pods: { namespace: args.namespace, podSelector: selectorLabels(spec.identity) } }, args.connections ?? []);
  const labels = { ...appLabels(spec.identity), ...(spec.backup ? { [BACKUP_LABEL]: spec.backup } : {}) };
  const cronJob = new k8s.batch.v1.CronJob(name, {
    metadata: { name, namespace: args.namespace, labels },
    spec: cronJobBody(spec, consumed.annotations),
  }, { parent, dependsOn: [...(args.dependsOn ?? []), ...consumed.policies] });
  return { cronJob, policies: consumed.policies };
}
