// `homelab:workloads.ollama`: Ollama's settings, defaults and docs. GPU mode (the default) runs on a
// node with the gpu role; CPU mode only when chosen (mode: cpu), on a compute node. The cross-field
// rules (a GPU node must exist, Mem0's models must be pulled) live in stacks/ai.ts.
import { z } from "zod";
import { intBetween, keepAlive, ollamaModel, says } from "../../kit/formats";
import { StackView, firstWithRole, storageSetting, workloadSettings } from "../../kit/settings";
import type { NodeRole } from "../../kit/placement";

export const OLLAMA_MODES = ["gpu", "cpu"] as const;
export type OllamaMode = (typeof OLLAMA_MODES)[number];

export const ollamaSettings = workloadSettings(
  // GPU mode: the weights live in VRAM; RAM holds the runtime, the context and what a model spills.
  { cpu: "500m", memory: "2Gi", memoryLimit: "8Gi" },
  {
    enabled: z.boolean().default(false).describe("run Ollama (default false: it needs a GPU node, or mode: cpu)"),
    replicas: z
      .literal(1, { error: () => says("Ollama runs as one pinned replica here (its models volume lives on one node)", "remove replicas") })
      .default(1)
      .describe("always 1: one pinned replica with its models volume"),
    mode: z.enum(OLLAMA_MODES).default("gpu").describe("gpu (default): on a node with the gpu role, with the NVIDIA runtime and a GPU limit; cpu: on a compute node, no GPU (slow: small models only)"),
    gpus: intBetween(1, 8).default(1).describe("GPUs per pod in gpu mode (nvidia.com/gpu limit; default 1)"),
    storage: storageSetting("50Gi"),
    models: z
      .array(ollamaModel)
      .default([])
      .superRefine((ms, ctx) => {
        ms.forEach((m, i) => {
          if (ms.indexOf(m) < i) ctx.addIssue({ code: "custom", path: [i], message: says(`"${m}" is listed twice`, "list each model once") });
        });
      })
      .describe('models pulled by a Job after each change of this list, each name:tag, e.g. ["llama3.1:8b", "nomic-embed-text:v1.5"] (default none)'),
    keepAlive: keepAlive.default("5m").describe('how long a model stays loaded after its last request (OLLAMA_KEEP_ALIVE; default "5m"; -1 keeps it loaded)'),
    numParallel: intBetween(1, 16).default(1).describe("requests served at once per loaded model (OLLAMA_NUM_PARALLEL; default 1)"),
    maxLoadedModels: intBetween(1, 8).default(1).describe("models loaded at once (OLLAMA_MAX_LOADED_MODELS; default 1)"),
    pullDeadlineMinutes: intBetween(10, 720).default(90).describe("how long the model-pull Job may take before the deploy fails (default 90: an 8B model is ~5 GB)"),
  },
)
  .prefault({})
  .describe("Ollama LLM server: one pinned replica with a models volume; GPU by default (needs a node with the gpu role)");

/** The node role each mode runs on. */
export function ollamaRole(mode: OllamaMode): NodeRole {
  return mode === "gpu" ? "gpu" : "compute";
}

export type OllamaSettings = ReturnType<typeof resolveOllama>;

export function resolveOllama(s: z.output<typeof ollamaSettings>, view: StackView) {
  // The models volume lives where the pod first ran: the first node with the mode's role, and it stays there.
  return { ...s, node: s.node ?? firstWithRole(view, ollamaRole(s.mode)) ?? "" };
}
