import * as fs from "node:fs";
import * as path from "node:path";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { HttpConnection, IMAGES, allowConnections, appLabels, awaitTimeouts, emitWorkload, httpConnection, jobTimeoutMinutes, podSecurityContext, selectorLabels, toInitContainer } from "../../kit";
import { OLLAMA_PORT, OllamaSpecArgs, ollamaSpec, pullJobName } from "./spec";

export const PULL_SCRIPT = fs.readFileSync(path.join(__dirname, "pull-models.sh"), "utf8");

export interface OllamaArgs extends OllamaSpecArgs {
  /** Namespace to deploy into (must exist). */
  readonly namespace: string;
  /** Models pulled by the Job (name:tag). Default none: no Job. */
  readonly models: readonly string[];
  /** The pull Job's deadline, minutes. */
  readonly pullDeadlineMinutes: number;
  /** What must exist before the pods start (the GPU device plugin in gpu mode). */
  readonly dependsOn?: pulumi.Resource[];
}

/**
 * Ollama: a pinned single-replica StatefulSet with a models volume (on the GPU node with the NVIDIA
 * runtime and a GPU limit, or on a compute node in cpu mode), and a Job that pulls the configured
 * models. The Job's name carries a hash of the model list, so a changed list replaces it (and the
 * new Job runs), while an unchanged list leaves the finished Job alone.
 */
export class Ollama extends pulumi.ComponentResource {
  /** The API, for consumers (Mem0, the Family Assistant): http://ollama.<ns>.svc.cluster.local:11434 (OpenAI-compatible under /v1). */
  readonly connection: HttpConnection;
  /** The pull Job, when models are configured. */
  readonly pullJob?: k8s.batch.v1.Job;
  /** What consumers that need the models should wait for: the workload and the pull Job. */
  readonly ready: pulumi.Resource[];

  constructor(name: string, args: OllamaArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:ai:Ollama", name, {}, opts);
    const spec = ollamaSpec(args);
    const w = emitWorkload(this, spec, { namespace: args.namespace, dependsOn: args.dependsOn });
    this.connection = httpConnection(w.serviceName!, args.namespace, OLLAMA_PORT, w.selector);
    this.ready = [w.workload];
    if (args.models.length > 0) {
      this.pullJob = this.emitPullJob(args, spec.identity.name, w.workload);
      this.ready.push(this.pullJob);
    }
    this.registerOutputs({ connection: this.connection });
  }

  private emitPullJob(args: OllamaArgs, name: string, workload: pulumi.Resource): k8s.batch.v1.Job {
    const jobName = pullJobName(args.models, name);
    // Its own identity: Ollama's Service must never select the Job's pod.
    const jobIdentity = { name: `${name}-pull`, component: "llm-models" };
    const consumed = allowConnections(this, { name: `${name}-pull`, pods: { namespace: args.namespace, podSelector: selectorLabels(jobIdentity) } }, [this.connection]);
    const deadline = args.pullDeadlineMinutes * 60;
    const container = toInitContainer({
      name: "pull",
      image: IMAGES.kubectl,
      command: ["/bin/sh", "-c", PULL_SCRIPT],
      env: { OLLAMA_URL: this.connection.url, MODELS: [...args.models].join(" ") },
      resources: { cpu: "10m", memory: "32Mi", memoryLimit: "128Mi" },
    }, `job ${jobName}`);
    return new k8s.batch.v1.Job(jobName, {
      metadata: { name: jobName, namespace: args.namespace, labels: appLabels({ name, component: "llm" }) },
      spec: {
        // The script retries each model itself; a new pod (another node, a fresh network) twice more.
        backoffLimit: 2,
        activeDeadlineSeconds: deadline,
        template: {
          metadata: { labels: appLabels(jobIdentity), annotations: consumed.annotations },
          spec: { restartPolicy: "Never", securityContext: podSecurityContext(), containers: [container] },
        },
      },
    }, { parent: this, dependsOn: [workload, ...consumed.policies], customTimeouts: awaitTimeouts(jobTimeoutMinutes(deadline)) });
  }
}
