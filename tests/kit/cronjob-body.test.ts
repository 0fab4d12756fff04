// What a scheduled job promises: the CronJob object it becomes (UTC, no overlap, one late run at most,
// bounded runs, history kept), the rules a spec must keep (each refused with its exact message), and
// what emitCronJob registers: the CronJob in its namespace and one allow per connection, which the
// CronJob waits for.
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { CronJobSpec, ImageRef, checkCronJobSpec, cronJobBody, emitCronJob, httpConnection } from "../../components/kit";
import { Recorded, recordResources, registered } from "../lib/recording-mocks";

let recorded: Recorded[] = [];
beforeAll(() => {
  recorded = recordResources("cronjob-unit");
});

const tool: ImageRef = { repository: "docker.io/example/tool", tag: "1.2.3", seenIn: "unit test", runsAsNonRoot: true, uid: 1000 };
const small = { cpu: "50m", memory: "64Mi", memoryLimit: "128Mi" };

/** A dump then an upload, sharing scratch space, with the scripts and credentials mounted. */
const spec: CronJobSpec = {
  identity: { name: "pg-dump", component: "backup" },
  schedule: "30 2 * * *",
  backup: "postgres-dump",
  activeDeadlineSeconds: 600,
  fsGroup: 1000,
  initContainers: [{ name: "dump", image: tool, command: ["sh", "/scripts/dump.sh"], resources: small, mounts: [{ volume: "scratch", mountPath: "/scratch" }, { volume: "scripts", mountPath: "/scripts", readOnly: true }] }],
  containers: [{ name: "upload", image: tool, resources: small, mounts: [{ volume: "scratch", mountPath: "/scratch" }, { volume: "creds", mountPath: "/creds", readOnly: true }] }],
  volumes: [
    { name: "scratch", emptyDir: { sizeLimit: "1Gi" } },
    { name: "scripts", configMap: { name: "pg-dump-scripts", defaultMode: 0o555 } },
    { name: "creds", secret: { secretName: "pg-dump-s3", defaultMode: 0o400 } },
  ],
};

const labels = {
  "app.kubernetes.io/name": "pg-dump",
  "app.kubernetes.io/instance": "homelab-platform",
  "app.kubernetes.io/component": "backup",
  "app.kubernetes.io/part-of": "homelab-platform",
  "app.kubernetes.io/managed-by": "pulumi",
  "homelab.pesulabs.net/backup": "postgres-dump",
};
const securityContext = {
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: false,
  runAsNonRoot: true,
  runAsUser: 1000,
  runAsGroup: 1000,
};
const resources = { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "128Mi" } };

const body = {
  schedule: "30 2 * * *",
  timeZone: "Etc/UTC",
  suspend: false,
  concurrencyPolicy: "Forbid",
  startingDeadlineSeconds: 3600,
  successfulJobsHistoryLimit: 3,
  failedJobsHistoryLimit: 3,
  jobTemplate: {
    metadata: { labels },
    spec: {
      backoffLimit: 1,
      activeDeadlineSeconds: 600,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: "Never",
          automountServiceAccountToken: false,
          securityContext: { seccompProfile: { type: "RuntimeDefault" }, fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch" },
          initContainers: [
            {
              name: "dump",
              image: "docker.io/example/tool:1.2.3",
              imagePullPolicy: "IfNotPresent",
              command: ["sh", "/scripts/dump.sh"],
              volumeMounts: [{ name: "scratch", mountPath: "/scratch" }, { name: "scripts", mountPath: "/scripts", readOnly: true }],
              resources,
              securityContext,
            },
          ],
          containers: [
            {
              name: "upload",
              image: "docker.io/example/tool:1.2.3",
              imagePullPolicy: "IfNotPresent",
              volumeMounts: [{ name: "scratch", mountPath: "/scratch" }, { name: "creds", mountPath: "/creds", readOnly: true }],
              resources,
              securityContext,
            },
          ],
          volumes: [
            { name: "scratch", emptyDir: { sizeLimit: "1Gi" } },
            { name: "scripts", configMap: { name: "pg-dump-scripts", defaultMode: 0o555 } },
            { name: "creds", secret: { secretName: "pg-dump-s3", defaultMode: 0o400 } },
          ],
        },
      },
    },
  },
};

describe("cronJobBody", () => {
  it("runs on UTC, never beside the previous run, at most one late run, once with one retry, three of each outcome kept", () => {
    expect(cronJobBody(spec)).toEqual(body);
  });

  it("passes a suspended job, its retries (zero included), its history limits and the pods' annotations through", () => {
    const { backup: _, ...unlabelled } = spec;
    const { "homelab.pesulabs.net/backup": __, ...plain } = labels;
    const b = cronJobBody({ ...unlabelled, suspend: true, backoffLimit: 0, successfulJobsHistoryLimit: 1, failedJobsHistoryLimit: 5 }, { "example.com/connects-to": "qdrant.data:6333" });
    const t = body.jobTemplate;
    expect(b).toEqual({
      ...body,
      suspend: true,
      successfulJobsHistoryLimit: 1,
      failedJobsHistoryLimit: 5,
      jobTemplate: {
        metadata: { labels: plain },
        spec: { ...t.spec, backoffLimit: 0, template: { ...t.spec.template, metadata: { labels: plain, annotations: { "example.com/connects-to": "qdrant.data:6333" } } } },
      },
    });
    expect(cronJobBody({ ...spec, backoffLimit: 4 }).jobTemplate!).toEqual({ ...body.jobTemplate, spec: { ...body.jobTemplate.spec, backoffLimit: 4 } });
  });

  it("a container's bad resources are refused naming the cron job and the container", () => {
    expect(() => cronJobBody({ ...spec, containers: [{ ...spec.containers[0], resources: { ...small, memory: "lots" } }] })).toThrow(
      new Error('cron job pg-dump container upload: memory request "lots" is not a Kubernetes quantity (e.g. 512Mi, 2Gi)'),
    );
  });

  it("an init container's bad resources are refused naming the cron job and the init container", () => {
    expect(() => cronJobBody({ ...spec, initContainers: [{ ...spec.initContainers![0], resources: { ...small, memoryLimit: "32Mi" } }] })).toThrow(
      new Error("cron job pg-dump init container dump: memory limit 32Mi is below the request 64Mi"),
    );
  });
});

describe("checkCronJobSpec", () => {
  const name52 = `a${"b".repeat(51)}`;

  it("refuses a name Kubernetes would refuse, calling it the cron job name", () => {
    expect(() => checkCronJobSpec({ ...spec, identity: { name: "Pg_Dump", component: "backup" } })).toThrow(
      new Error(`cron job name "Pg_Dump" is not a valid Kubernetes name: use lower-case letters, digits and '-', start with a letter, at most 63 characters`),
    );
  });

  it("accepts a 52-character name and refuses a 53-character one (the Jobs' names add 11)", () => {
    expect(() => checkCronJobSpec({ ...spec, identity: { name: name52, component: "backup" } })).not.toThrow();
    expect(() => checkCronJobSpec({ ...spec, identity: { name: `${name52}c`, component: "backup" } })).toThrow(
      new Error(`cron job ${name52}c: the name is longer than 52 characters (the Jobs' names add 11)`),
    );
  });

  it("refuses a schedule that is not five cron fields, quoting it", () => {
    expect(() => checkCronJobSpec({ ...spec, schedule: "every day" })).toThrow(new Error('cron job pg-dump: schedule "every day" is not a five-field cron schedule'));
  });

  it("refuses a job without containers", () => {
    expect(() => checkCronJobSpec({ ...spec, containers: [] })).toThrow(new Error("cron job pg-dump: has no containers"));
  });

  it("accepts a deadline of exactly 60 seconds and refuses 59 and a fraction of a second", () => {
    const message = new Error("cron job pg-dump: activeDeadlineSeconds must be a whole number ≥ 60");
    expect(() => checkCronJobSpec({ ...spec, activeDeadlineSeconds: 60 })).not.toThrow();
    expect(() => checkCronJobSpec({ ...spec, activeDeadlineSeconds: 59 })).toThrow(message);
    expect(() => checkCronJobSpec({ ...spec, activeDeadlineSeconds: 600.5 })).toThrow(message);
  });

  it("refuses a container name used by an init container too", () => {
    expect(() => checkCronJobSpec({ ...spec, containers: [{ ...spec.containers[0], name: "dump" }] })).toThrow(new Error('cron job pg-dump: container name "dump" is used twice'));
  });

  it("refuses a mount of a volume the pod does not declare", () => {
    expect(() => checkCronJobSpec({ ...spec, volumes: spec.volumes!.slice(0, 2) })).toThrow(new Error('cron job pg-dump: container upload mounts volume "creds" that the pod does not declare'));
  });
});

describe("emitCronJob", () => {
  it("registers the CronJob in its namespace after its dependencies and one allow per connection, which admits its pods", async () => {
    const parent = new pulumi.ComponentResource("test:unit:Parent", "cj", {});
    const scripts = new k8s.core.v1.ConfigMap("pg-dump-scripts", { metadata: { name: "pg-dump-scripts", namespace: "backup" } }, { parent });
    const qdrant = httpConnection("qdrant", "data", 6333, { "app.kubernetes.io/name": "qdrant" });
    const e = emitCronJob(parent, spec, { namespace: "backup", connections: [qdrant], dependsOn: [scripts] });
    await Promise.all([registered(e.cronJob), ...e.policies.map(registered)]);
    expect(e.policies.length).toBe(1);

    const policy = recorded.find((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && r.name === "data-pg-dump-to-qdrant")!;
    expect(policy.inputs).toEqual({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: {
        name: "pg-dump-to-qdrant",
        namespace: "data",
        labels: { "app.kubernetes.io/name": "pg-dump-to-qdrant", "app.kubernetes.io/instance": "homelab-platform", "app.kubernetes.io/component": "network", "app.kubernetes.io/part-of": "homelab-platform", "app.kubernetes.io/managed-by": "pulumi" },
        annotations: { "homelab.pesulabs.net/allows": "connection" },
      },
      spec: {
        podSelector: { matchLabels: { "app.kubernetes.io/name": "qdrant" } },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "pg-dump", "app.kubernetes.io/instance": "homelab-platform" } }, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "backup" } } }],
            ports: [{ port: 6333, protocol: "TCP" }],
          },
        ],
      },
    });

    const cronJob = recorded.find((r) => r.type === "kubernetes:batch/v1:CronJob" && r.name === "pg-dump")!;
    const withAnnotations = { ...body.jobTemplate.spec.template, metadata: { labels, annotations: { "homelab.pesulabs.net/connects-to": "qdrant.data:6333" } } };
    expect(cronJob.inputs).toEqual({
      apiVersion: "batch/v1",
      kind: "CronJob",
      metadata: { name: "pg-dump", namespace: "backup", labels },
      spec: { ...body, jobTemplate: { ...body.jobTemplate, spec: { ...body.jobTemplate.spec, template: withAnnotations } } },
    });
    expect(cronJob.parent).toBe("urn:pulumi:cronjob-unit::homelab::test:unit:Parent::cj");
    expect(cronJob.dependencies).toEqual([
      "urn:pulumi:cronjob-unit::homelab::test:unit:Parent$kubernetes:core/v1:ConfigMap::pg-dump-scripts",
      "urn:pulumi:cronjob-unit::homelab::test:unit:Parent$kubernetes:networking.k8s.io/v1:NetworkPolicy::data-pg-dump-to-qdrant",
    ]);
  });

  it("without connections registers no allow and no connects-to annotation", async () => {
    const parent = new pulumi.ComponentResource("test:unit:Parent", "cj2", {});
    const { backup: _, ...unlabelled } = spec;
    const e = emitCronJob(parent, { ...unlabelled, identity: { name: "qdrant-snap", component: "backup" } }, { namespace: "backup" });
    await registered(e.cronJob);
    expect(e.policies).toEqual([]);
    const cronJob = recorded.find((r) => r.type === "kubernetes:batch/v1:CronJob" && r.name === "qdrant-snap")!;
    expect(cronJob.inputs.metadata).toEqual({
      name: "qdrant-snap",
      namespace: "backup",
      labels: { "app.kubernetes.io/name": "qdrant-snap", "app.kubernetes.io/instance": "homelab-platform", "app.kubernetes.io/component": "backup", "app.kubernetes.io/part-of": "homelab-platform", "app.kubernetes.io/managed-by": "pulumi" },
    });
    expect(cronJob.inputs.spec.jobTemplate.spec.template.metadata.annotations).toBeUndefined();
    expect(cronJob.dependencies).toEqual([]);
  });
});
