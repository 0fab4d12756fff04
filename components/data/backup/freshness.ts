import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appLabels, emitCronJob } from "../../kit";
import { FreshnessTarget, freshnessJob, freshnessRemotes } from "./jobs";
import { BACKUP_SCRIPTS } from "./scripts";

export interface BackupFreshnessArgs {
  readonly namespace: string;
  /** Every backup to watch (each service's `backupTargets`). */
  readonly targets: readonly FreshnessTarget[];
  /** Default "0 * * * *" (hourly). */
  readonly schedule: string;
  /** Default 26. */
  readonly maxAgeHours: number;
}

/** The freshness check over every backup of the stack: a CronJob that fails when one is too old. */
export class BackupFreshness extends pulumi.ComponentResource {
  readonly cronJob: k8s.batch.v1.CronJob;

  constructor(name: string, args: BackupFreshnessArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:data:BackupFreshness", name, {}, opts);
    const n = "backup-freshness";
    const scripts = new k8s.core.v1.ConfigMap(`${n}-scripts`, {
      metadata: { name: `${n}-scripts`, namespace: args.namespace, labels: appLabels({ name: n, component: "backup-freshness" }) },
      data: { "freshness.sh": BACKUP_SCRIPTS["freshness.sh"] },
    }, { parent: this });
    const spec = freshnessJob({ name: n, targets: args.targets, scriptsConfigMap: `${n}-scripts`, schedule: args.schedule, maxAgeHours: args.maxAgeHours });
    this.cronJob = emitCronJob(this, spec, { namespace: args.namespace, connections: freshnessRemotes(args.targets).connections, dependsOn: [scripts] }).cronJob;
    this.registerOutputs({});
  }
}
