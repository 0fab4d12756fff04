import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ENDPOINTS_OF_ANNOTATION, IMAGES, PostgresConnection, S3Connection, allowConnections, emitCronJob, appLabels, assertDnsLabel, awaitTimeouts, containerSecurityContext, emitWorkload, generatedSecret, imageRef, jobTimeoutMinutes, podSecurityContext, selectorLabels, serviceHost } from "../../kit";
import { isAppDatabaseName } from "../../kit/formats";
import { CREATE_DATABASE_COMMAND, CREATE_DATABASE_SQL, SCRAM_VERIFIER_PY } from "./app-database";
import { RESTAPI_USER } from "./patroni-config";
import { BACKUP_KINDS, BACKUP_SCRIPTS, DUMPS_PREFIX, FreshnessTarget, PostgresBackupJobArgs, WALG_BASEBACKUPS, postgresDumpJob, postgresRestoreJob, postgresVerifyJob } from "../backup";
import type { PostgresBackupSettings } from "../backup/settings";
import {
  POSTGRES_PORT,
  PostgresSpecArgs,
  REPLICATION_KEY,
  RESTAPI_KEY,
  SPILO_CONFIGURATION_KEY,
  SUPERUSER_KEY,
  postgresSpec,
  spiloConfiguration,
} from "./spec";

/** Pod annotation with a digest of SPILO_CONFIGURATION minus its password: members roll when it changes. */
export const SPILO_CONFIGURATION_DIGEST_ANNOTATION = "homelab.pesulabs.net/spilo-configuration-sha256";

export interface PostgresArgs
  extends Omit<PostgresSpecArgs, "credentialsSecret" | "spiloConfigurationSecret" | "scriptConfigMap" | "serviceAccount" | "primaryService" | "walg"> {
  /** Namespace to deploy into (must exist). */
  readonly namespace: string;
  /**
   * Backups into this S3 bucket: WAL-G archiving and base backups from Spilo, the nightly dump
   * CronJob, its verification, and the suspended restore CronJob. Default none: no backup.
   */
  readonly backup?: PostgresBackupArgs;
}

/** A backup bucket and how to use it (`workloads.postgres.backup`). */
export type PostgresBackupArgs = Omit<PostgresBackupSettings, "enabled"> & { readonly s3: S3Connection };

/**
 * Deadline of an app-database Job: a Spilo pull on a node that lacks the image (up to ~10 min) plus
 * kubelet's restart back-off over six retries (10+20+40+80+160+300 s).
 */
export const DATABASE_JOB_DEADLINE_SECONDS = 1200;

export const DISCOVERY_SCRIPT = fs.readFileSync(path.join(__dirname, "discovery-sidecar.sh"), "utf8");

/**
 * PostgreSQL HA: Spilo (Patroni) members spread over nodes, a selector-less `<name>-primary` Service
 * whose EndpointSlice the discovery sidecar points at the current leader, a `<name>-replicas` Service
 * on Patroni's role label (only with two members or more: a single member is never a replica),
 * least-privilege RBAC, generated credentials, and Patroni's REST API behind basic auth.
 */
export class PatroniPostgres extends pulumi.ComponentResource {
  readonly primaryHost: string;
  readonly superuserPassword: pulumi.Output<string>;
  private readonly ns: string;
  private readonly name: string;
  private readonly ready: pulumi.Resource[];
  /** The superuser's connection to the primary, for the component's own Jobs. */
  private readonly admin: PostgresConnection;
  /** What the freshness check watches: the dumps and the WAL-G base backups (none without a backup bucket). */
  readonly backupTargets: FreshnessTarget[] = [];

  constructor(name: string, args: PostgresArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:data:PatroniPostgres", name, {}, opts);
    const n = args.name ?? "postgres";
    this.name = n;
    this.ns = args.namespace;
    const labels = appLabels({ name: n, component: "database" });
    const meta = (m: string) => ({ name: m, namespace: args.namespace, labels });
    const primary = `${n}-primary`;
    const child = { parent: this };

    const creds = generatedSecret(this, {
      name: `${n}-credentials`,
      namespace: args.namespace,
      labels,
      generate: { [SUPERUSER_KEY]: {}, [REPLICATION_KEY]: {}, [RESTAPI_KEY]: {} },
    });
    // Patroni's configuration with the REST API credentials: a Secret, read by Spilo at start.
    const spilo = generatedSecret(this, {
      name: `${n}-spilo`,
      namespace: args.namespace,
      labels,
      generate: {},
      literals: {
        [SPILO_CONFIGURATION_KEY]: creds.value(RESTAPI_KEY).apply((password) => spiloConfiguration(args, { username: RESTAPI_USER, password })),
      },
    });
    const script = new k8s.core.v1.ConfigMap(`${n}-discovery`, { metadata: meta(`${n}-discovery`), data: { "discovery-sidecar.sh": DISCOVERY_SCRIPT } }, child);
    const sa = new k8s.core.v1.ServiceAccount(n, { metadata: meta(n) }, child);

    // Patroni's own rights for the Kubernetes DCS: leader lock and config in ConfigMaps, role labels on pods.
    const patroniRole = new k8s.rbac.v1.Role(`${n}-patroni`, {
      metadata: meta(`${n}-patroni`),
      rules: [
        // deletecollection: `patronictl remove` deletes the cluster's ConfigMaps by label selector.
        { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "get", "list", "patch", "update", "watch", "delete", "deletecollection"] },
        { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "patch", "update", "watch"] },
      ],
    }, child);
    // The discovery sidecar may only read and patch the one EndpointSlice it manages.
    const discoveryRole = new k8s.rbac.v1.Role(`${n}-discovery`, {
      metadata: meta(`${n}-discovery`),
      rules: [{ apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], resourceNames: [primary], verbs: ["get", "patch", "update"] }],
    }, child);
    const bindings = [[`${n}-patroni`, patroniRole], [`${n}-discovery`, discoveryRole]].map(([roleName, role]) =>
      new k8s.rbac.v1.RoleBinding(roleName as string, {
        metadata: meta(roleName as string),
        roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: roleName as string },
        subjects: [{ kind: "ServiceAccount", name: n, namespace: args.namespace }],
      }, { ...child, dependsOn: [role as k8s.rbac.v1.Role] }),
    );

    const podSelector = selectorLabels({ name: n, component: "database" });
    const service = new k8s.core.v1.Service(primary, {
      // Selector-less: the sidecar points its EndpointSlice at the leader, one of these pods.
      metadata: { ...meta(primary), annotations: { [ENDPOINTS_OF_ANNOTATION]: JSON.stringify(podSelector) } },
      spec: { type: "ClusterIP", ports: [{ name: "postgres", port: POSTGRES_PORT, targetPort: POSTGRES_PORT, protocol: "TCP" }] },
    }, child);
    const slice = new k8s.discovery.v1.EndpointSlice(primary, {
      metadata: {
        ...meta(primary),
        labels: { ...labels, "kubernetes.io/service-name": primary, "endpointslice.kubernetes.io/managed-by": "discovery-sidecar.homelab.pesulabs.net" },
      },
      addressType: "IPv4",
      ports: [{ name: "postgres", port: POSTGRES_PORT, protocol: "TCP" }],
      endpoints: [],
      // The sidecar owns the endpoint list; a later `pulumi up` must not reset it to empty.
    }, { ...child, dependsOn: [service], ignoreChanges: ["endpoints"] });

    const b = args.backup;
    const spec = postgresSpec({
      ...args,
      credentialsSecret: creds.name,
      spiloConfigurationSecret: spilo.name,
      scriptConfigMap: `${n}-discovery`,
      serviceAccount: n,
      primaryService: primary,
      walg: b && {
        s3: b.s3,
        prefix: b.walgPrefix,
        schedule: b.schedule,
        // One base backup a day: retentionDays of them.
        retain: b.retentionDays,
        clone: b.clone && { prefix: b.clone.fromPrefix, targetTime: b.clone.targetTime },
      },
    });
    const w = emitWorkload(this, spec, {
      namespace: args.namespace,
      // Spilo's WAL-G pushes to the bucket: the members' allow to S3.
      connections: b ? [b.s3] : [],
      podAnnotations: { [SPILO_CONFIGURATION_DIGEST_ANNOTATION]: createHash("sha256").update(spiloConfiguration(args)).digest("hex") },
      dependsOn: [creds.secret, spilo.secret, script, sa, ...bindings, slice],
    });
    this.ready = [w.workload];
    this.primaryHost = serviceHost(primary, args.namespace);
    this.admin = {
      kind: "postgres",
      host: this.primaryHost,
      port: POSTGRES_PORT,
      service: primary,
      endpoint: { namespace: args.namespace, podSelector, port: POSTGRES_PORT },
      database: "postgres",
      user: "postgres",
      password: creds.ref(SUPERUSER_KEY),
    };
    this.superuserPassword = creds.value(SUPERUSER_KEY);
    if (b) this.backupTargets = this.emitBackupJobs(n, args.namespace, b, creds.secret);
    this.registerOutputs({ primaryHost: this.primaryHost });
  }

  /** The dump, verify and (suspended) restore CronJobs; returns what the freshness check watches. */
  private emitBackupJobs(n: string, namespace: string, b: PostgresBackupArgs, creds: pulumi.Resource): FreshnessTarget[] {
    const scriptsName = `${n}-backup-scripts`;
    const files = ["pg-dump.sh", "pg-verify.sh", "pg-restore.sh", "s3-upload.sh", "s3-fetch.sh"] as const;
    const scripts = new k8s.core.v1.ConfigMap(scriptsName, {
      metadata: { name: scriptsName, namespace, labels: appLabels({ name: n, component: "backup" }) },
      data: Object.fromEntries(files.map((f) => [f, BACKUP_SCRIPTS[f]])),
    }, { parent: this });
    const jobArgs: PostgresBackupJobArgs = {
      name: n,
      database: this.admin,
      s3: b.s3,
      scriptsConfigMap: scriptsName,
      dumpSchedule: b.dumpSchedule,
      verifySchedule: b.verifySchedule,
      retentionDays: b.retentionDays,
    };
    const deps = { namespace, dependsOn: [scripts, creds, ...this.ready] };
    emitCronJob(this, postgresDumpJob(jobArgs), { ...deps, connections: [this.admin, b.s3] });
    emitCronJob(this, postgresVerifyJob(jobArgs), { ...deps, connections: [b.s3] });
    emitCronJob(this, postgresRestoreJob(jobArgs), { ...deps, connections: [this.admin, b.s3] });
    return [
      { name: BACKUP_KINDS.postgresDump, s3: b.s3, path: DUMPS_PREFIX },
      { name: BACKUP_KINDS.postgresWalg, s3: b.s3, path: `${b.walgPrefix.replace(/\/+$/, "")}/${WALG_BASEBACKUPS}` },
    ];
  }

  /**
   * A database and its owner for one application, created (idempotently) by a Job once the cluster is
   * up. Returns the typed connection the application takes.
   */
  database(db: string, user = db): PostgresConnection {
    if (!isAppDatabaseName(db)) throw new Error(`database name "${db}" must be lower-case letters, digits and _ (starting with a letter)`);
    assertDnsLabel(db.replace(/_/g, "-"), "database name");
    const secretName = `${this.name}-${db.replace(/_/g, "-")}`;
    // Everything an application needs to connect, in one Secret it can mount or read as env.
    const secret = generatedSecret(this, {
      name: secretName,
      namespace: this.ns,
      labels: appLabels({ name: this.name, component: "database" }),
      generate: { password: {} },
      literals: { user, database: db, host: this.primaryHost, port: String(POSTGRES_PORT) },
    });
    const jobName = `${secretName}-create`;
    // The Job's pods have their own identity: the database's Services must never select them.
    const jobIdentity = { name: jobName, component: "database-setup" };
    const admin = this.admin;
    const consumed = allowConnections(this, { name: jobName, pods: { namespace: this.ns, podSelector: selectorLabels(jobIdentity) } }, [admin]);
    new k8s.batch.v1.Job(jobName, {
      metadata: { name: jobName, namespace: this.ns, labels: appLabels({ name: this.name, component: "database" }) },
      spec: {
        backoffLimit: 6,
        activeDeadlineSeconds: DATABASE_JOB_DEADLINE_SECONDS,
        template: {
          metadata: { labels: appLabels(jobIdentity), annotations: consumed.annotations },
          spec: {
            restartPolicy: "OnFailure",
            securityContext: podSecurityContext(),
            containers: [
              {
                name: "create",
                image: imageRef(IMAGES.spilo),
                command: [...CREATE_DATABASE_COMMAND],
                env: [
                  { name: "PGHOST", value: admin.host },
                  { name: "PGPORT", value: String(admin.port) },
                  { name: "PGUSER", value: admin.user },
                  { name: "PGDATABASE", value: admin.database },
                  { name: "PGPASSWORD", valueFrom: { secretKeyRef: { name: admin.password.secretName, key: admin.password.key } } },
                  { name: "APP_USER", value: user },
                  { name: "APP_DB", value: db },
                  { name: "APP_PASSWORD", valueFrom: { secretKeyRef: { name: secretName, key: "password" } } },
                  { name: "SQL", value: CREATE_DATABASE_SQL },
                  { name: "SCRAM_VERIFIER_PY", value: SCRAM_VERIFIER_PY },
                ],
                resources: { requests: { cpu: "10m", memory: "32Mi" }, limits: { memory: "128Mi" } },
                securityContext: containerSecurityContext(IMAGES.spilo, undefined),
              },
            ],
          },
        },
      },
    }, {
      parent: this,
      dependsOn: [secret.secret, ...consumed.policies, ...this.ready],
      deleteBeforeReplace: true,
      customTimeouts: awaitTimeouts(jobTimeoutMinutes(DATABASE_JOB_DEADLINE_SECONDS)),
    });
    return { ...this.admin, database: db, user, password: secret.ref("password") };
  }
}
