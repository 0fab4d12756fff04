// Ollama, its model-pull Job and the NVIDIA device plugin as rendered for every stack.
import { pullJobName, NVIDIA_GPU } from "../../components/ai/ollama";
import { IMAGES, nodeRoleLabels } from "../../components/kit";
import { clusterArgs } from "../../stacks/cluster";
import { splitConfig, validateRaw } from "../../stacks";
import { readStackFile } from "../../tools/lib/stack-file";
import { ofKind, rendered } from "../harness";

const loaded = (stack: string) => validateRaw(stack, splitConfig(readStackFile(stack).config), { requireSecrets: false }).config;
const ollama = (stack: string) => ofKind(rendered(stack), "StatefulSet").find((w) => w.metadata.name === "ollama");
const env = (c: any) => Object.fromEntries((c.env ?? []).map((e: any) => [e.name, e.value ?? e.valueFrom]));
/** The labels each node registers with (what nodeSelectors match). */
function nodeLabels(stack: string): Record<string, Record<string, string>> {
  const cfg = loaded(stack);
  const args = clusterArgs(cfg, {});
  return Object.fromEntries(cfg.nodes.map((n) => [n.name, { "kubernetes.io/hostname": n.name, ...(args.nodes ? args.nodes.find((x) => x.name === n.name)!.labels : args.nodeLabels?.[n.name]) }]));
}
const matches = (sel: Record<string, string>, labels: Record<string, string>) => Object.entries(sel).every(([k, v]) => labels[k] === v);

describe("Ollama in homelab: GPU mode on the gpu node", () => {
  const sts = () => ollama("homelab")!;
  const pod = () => sts().spec.template.spec;
  const c = () => pod().containers[0];

  it("runs one replica under the nvidia runtime with a GPU limit, pinned to pesubuntu, the node with the gpu role", () => {
    expect(sts().spec.replicas).toBe(1);
    expect(pod().runtimeClassName).toBe("nvidia");
    expect(c().resources.limits[NVIDIA_GPU]).toBe("1");
    expect(pod().nodeSelector).toEqual({ "kubernetes.io/hostname": "pesubuntu" });
    expect(loaded("homelab").nodes.find((n) => n.name === "pesubuntu")!.roles).toContain("gpu");
    // GPU memory is not RAM: the request stays small next to the 32 GiB node.
    expect(c().resources.requests).toEqual({ cpu: "500m", memory: "2Gi" });
  });

  it("keeps its models on a retained local volume on that node, and serves 11434 as http", () => {
    expect(sts().spec.volumeClaimTemplates.map((v: any) => [v.metadata.name, v.spec.resources.requests.storage, v.spec.storageClassName])).toEqual([["models", "100Gi", "local-path"]]);
    expect(c().volumeMounts).toEqual([{ name: "models", mountPath: "/root/.ollama" }]);
    expect(c().ports).toEqual([{ name: "http", containerPort: 11434, protocol: "TCP" }]);
    const svc = ofKind(rendered("homelab"), "Service").find((s) => s.metadata.name === "ollama")!;
    expect(svc.spec.ports).toEqual([{ name: "http", port: 11434, targetPort: "http", protocol: "TCP" }]);
  });

  it("probes GET /api/version, with a startup window of at least five minutes for a first start", () => {
    for (const p of [c().readinessProbe, c().livenessProbe, c().startupProbe]) expect(p.httpGet).toEqual({ path: "/api/version", port: "http" });
    expect(c().startupProbe.periodSeconds * c().startupProbe.failureThreshold).toBeGreaterThanOrEqual(300);
  });

  it("takes keep-alive and parallelism from the stack file", () => {
    expect(env(c())).toMatchObject({ OLLAMA_KEEP_ALIVE: "30m", OLLAMA_NUM_PARALLEL: "2", OLLAMA_MAX_LOADED_MODELS: "2" });
  });

  it("runs the pinned image", () => {
    expect(c().image).toBe(`docker.io/ollama/ollama:${IMAGES.ollama.tag}`);
    expect(IMAGES.ollama.tag).not.toMatch(/^0\.32\.[78]$/);
  });
});

describe("the model-pull Job", () => {
  const models = ["llama3.1:8b", "nomic-embed-text:v1.5"];

  it("is named after the model list: the same list in any order or with repeats keeps the name", () => {
    expect(pullJobName(models)).toMatch(/^ollama-pull-[0-9a-f]{10}$/);
    expect(pullJobName([...models].reverse())).toBe(pullJobName(models));
    expect(pullJobName([...models, models[0]])).toBe(pullJobName(models));
  });

  it("gets a new name (so a new Job runs) when a model is added, removed or changes its tag", () => {
    const names = [models, [...models, "qwen2.5:1.5b"], [models[0]], ["llama3.1:70b", models[1]]].map((m) => pullJobName(m));
    expect(new Set(names).size).toBe(4);
  });

  it("the homelab render runs the Job named after its models, pulling them from the Ollama Service", () => {
    const jobs = ofKind(rendered("homelab"), "Job").filter((j) => j.metadata.name.startsWith("ollama-pull-"));
    expect(jobs.map((j) => j.metadata.name)).toEqual([pullJobName(loaded("homelab").workloads.ollama.models)]);
    const c = jobs[0].spec.template.spec.containers[0];
    expect(env(c)).toMatchObject({ OLLAMA_URL: "http://ollama.homelab.svc.cluster.local:11434", MODELS: "llama3.1:8b nomic-embed-text:v1.5" });
    expect(jobs[0].spec.template.metadata.labels["app.kubernetes.io/name"]).toBe("ollama-pull");
    expect(jobs[0].spec.activeDeadlineSeconds).toBe(90 * 60);
  });

  it("dev runs no Ollama, so no Job", () => {
    expect(ofKind(rendered("dev"), "Job").filter((j) => j.metadata.name.startsWith("ollama-pull-"))).toEqual([]);
  });
});

describe("Ollama in prod: CPU mode, chosen explicitly", () => {
  it("runs on a compute node, without the nvidia runtime or a GPU limit", () => {
    const pod = ollama("prod")!.spec.template.spec;
    expect(loaded("prod").workloads.ollama.mode).toBe("cpu");
    expect(pod.runtimeClassName).toBeUndefined();
    expect(pod.containers[0].resources.limits).not.toHaveProperty(NVIDIA_GPU);
    expect(pod.nodeSelector).toEqual({ "kubernetes.io/hostname": "ubuntu-8gb-ash-1" });
  });
});

describe("the NVIDIA device plugin", () => {
  const ds = (stack: string) => ofKind(rendered(stack), "DaemonSet").filter((d) => d.metadata.name === "nvidia-device-plugin");

  it("runs in homelab on exactly the nodes with the gpu role, under the nvidia runtime", () => {
    const [d] = ds("homelab");
    expect(d.metadata.namespace).toBe("kube-system");
    const pod = d.spec.template.spec;
    expect(pod.runtimeClassName).toBe("nvidia");
    expect(pod.nodeSelector).toEqual(nodeRoleLabels(["gpu"]));
    const labels = nodeLabels("homelab");
    expect(Object.keys(labels).filter((n) => matches(pod.nodeSelector, labels[n]))).toEqual(["pesubuntu"]);
    expect(pod.containers[0].image).toBe(`nvcr.io/nvidia/k8s-device-plugin:v0.20.0@${IMAGES.nvidiaDevicePlugin.digest}`);
    expect(pod.volumes).toEqual([{ name: "device-plugins", hostPath: { path: "/var/lib/kubelet/device-plugins", type: "Directory" } }]);
    expect(pod.tolerations).toContainEqual({ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" });
    expect(pod.containers[0].readinessProbe.exec.command.join(" ")).toMatch(/test -S \/var\/lib\/kubelet\/device-plugins\/nvidia-gpu\.sock/);
  });

  it("is counted on the gpu node by the capacity plan", () => {
    expect(rendered("homelab").plan.nodes.find((n) => n.node === "pesubuntu")!.pods).toContain("nvidia-device-plugin");
  });

  it.each(["prod", "dev"])("does not exist in %s, which has no gpu node", (stack) => {
    expect(loaded(stack).nodes.some((n) => n.roles.includes("gpu"))).toBe(false);
    expect(ds(stack)).toEqual([]);
  });

  it("no RuntimeClass is created by the program (k3s creates nvidia)", () => {
    expect(ofKind(rendered("homelab"), "RuntimeClass")).toEqual([]);
  });
});
