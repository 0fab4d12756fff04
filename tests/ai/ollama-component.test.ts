// The Ollama component under the SDK's mock runtime: the pull Job it registers is named after the
// model list, so a changed list is a new resource (Pulumi replaces the Job and it runs again) and an
// unchanged one is the same resource (nothing runs).
import * as pulumi from "@pulumi/pulumi";
import { Recorded, recordResources } from "../lib/recording-mocks";

const recorded: Recorded[] = recordResources("test");
// Imported after the mocks are installed.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { Ollama } = require("../../components/ai/ollama") as typeof import("../../components/ai/ollama");

const base = {
  namespace: "homelab", mode: "gpu" as const, node: "pesubuntu", gpus: 1, storage: "50Gi",
  resources: { cpu: "500m", memory: "2Gi", memoryLimit: "8Gi" }, keepAlive: "5m", numParallel: 1, maxLoadedModels: 1, pullDeadlineMinutes: 90,
};

/** The names of the pull Jobs a component with these models registers. */
async function pullJobs(name: string, models: string[]): Promise<string[]> {
  const o = new Ollama(name, { ...base, name, models });
  await new Promise((resolve) => pulumi.all([o.urn, ...(o.pullJob ? [o.pullJob.urn] : [])]).apply(resolve));
  await new Promise((r) => setImmediate(r));
  return recorded.filter((r) => r.type === "kubernetes:batch/v1:Job" && r.name.startsWith(`${name}-pull-`)).map((r) => r.name);
}

describe("the Ollama component's pull Job", () => {
  it("keeps its name for the same list in another order, and changes it when the list changes", async () => {
    const [a] = await pullJobs("oa", ["llama3.1:8b", "nomic-embed-text:v1.5"]);
    const [b] = await pullJobs("ob", ["nomic-embed-text:v1.5", "llama3.1:8b"]);
    const [c] = await pullJobs("oc", ["llama3.1:8b", "nomic-embed-text:v1.5", "qwen2.5:1.5b"]);
    expect(a.replace(/^oa-/, "")).toBe(b.replace(/^ob-/, ""));
    expect(c.replace(/^oc-/, "")).not.toBe(a.replace(/^oa-/, ""));
  });

  it("registers no Job without models, and the Job pulls through the Ollama Service", async () => {
    expect(await pullJobs("od", [])).toEqual([]);
    await pullJobs("oe", ["llama3.1:8b"]);
    const job = recorded.find((r) => r.type === "kubernetes:batch/v1:Job" && r.name.startsWith("oe-pull-"))!;
    const env = Object.fromEntries(job.inputs.spec.template.spec.containers[0].env.map((e: any) => [e.name, e.value]));
    expect(env).toEqual({ MODELS: "llama3.1:8b", OLLAMA_URL: "http://oe.homelab.svc.cluster.local:11434" });
    // The Job's pod declares that connection, and an allow exists for exactly it.
    expect(job.inputs.spec.template.metadata.annotations["homelab.pesulabs.net/connects-to"]).toBe("oe.homelab:11434");
    expect(recorded.some((r) => r.type === "kubernetes:networking.k8s.io/v1:NetworkPolicy" && r.inputs.metadata.name === "oe-pull-to-oe")).toBe(true);
  });
});
