// `homelab:workloads.mem0`: Mem0's settings, defaults and docs. The rules that relate it to Ollama,
// Qdrant and PostgreSQL live in stacks/ai.ts.
import { z } from "zod";
import { dnsLabel, intBetween, isImageRepository, ollamaModel, says, shown } from "../../kit/formats";
import { isPinnedTag } from "../../kit/images";
import { workloadSettings } from "../../kit/settings";

/** The Mem0 server upstream publishes no versioned image (see the README): the image is yours, pinned. */
const image = z
  .strictObject({
    repository: z.string().refine(isImageRepository, {
      error: (iss) => says(`${shown(iss.input)} is not an image repository`, "write registry/path without tag, e.g. ghcr.io/you/mem0-server"),
    }).describe("where you pushed the server image built from mem0ai/mem0 server/ (README: Mem0)"),
    tag: z.string().refine(isPinnedTag, {
      error: (iss) => says(`${shown(iss.input)} is not a pinned version tag`, "tag the image with the mem0 release it was built from, e.g. v1.2.3 (never latest)"),
    }).describe("a version tag, e.g. the mem0 release it was built from (never latest)"),
  })
  .describe("the Mem0 server image (required when enabled)");

export const mem0Settings = workloadSettings(
  { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" },
  {
    enabled: z.boolean().default(false).describe("run Mem0 (default false: it needs Ollama, Qdrant, PostgreSQL and an image you built)"),
    replicas: intBetween(1, 3).default(1).describe("pods on compute nodes (default 1); state lives in PostgreSQL and Qdrant"),
    image: image.optional(),
    database: dnsLabel.default("mem0").describe("PostgreSQL database for Mem0's history, users and settings; must be in workloads.postgres.databases (default mem0)"),
    collection: dnsLabel.default("mem0").describe("Qdrant collection of the memories (default mem0)"),
    llmModel: ollamaModel.default("llama3.1:8b").describe('Ollama model Mem0 extracts memories with; must be in workloads.ollama.models (default "llama3.1:8b")'),
    embeddingModel: ollamaModel.default("nomic-embed-text:v1.5").describe('Ollama embedding model; must be in workloads.ollama.models (default "nomic-embed-text:v1.5")'),
    embeddingDims: intBetween(64, 8192).default(768).describe("dimensions of the embedding model's vectors (default 768, nomic-embed-text's); the Qdrant collection is created with it"),
  },
)
  .superRefine((s, ctx) => {
    if (s.enabled && !s.image) {
      ctx.addIssue({
        code: "custom",
        path: ["image"],
        message: says("Mem0 is enabled but has no image: upstream publishes only a mutable latest tag (README: Mem0)", "build mem0ai/mem0 server/ at a release tag, push it, and set image: {repository: ghcr.io/you/mem0-server, tag: v1.2.3}"),
      });
    }
  })
  .prefault({})
  .describe("Mem0 memory API: on compute nodes, backed by Qdrant, Ollama (/v1) and its own PostgreSQL database; internal only");

export type Mem0Settings = z.output<typeof mem0Settings>;
