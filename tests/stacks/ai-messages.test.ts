// What the AI stack's cross-field rules tell a homelab user, word for word: Ollama's node for its mode,
// and what Mem0 needs (Ollama with its two models pulled, Qdrant, PostgreSQL with its database).
// Small in-memory stacks; every expected problem is written out by hand.
import { Problem, Problems } from "../../stacks";
import { validateAi } from "../../stacks/ai";
import { Raw, parsedConfig } from "../lib/stack-config";

const SERVICE = { name: "alpha", roles: ["service"], k3s: "server", cpu: "4", memory: "8Gi", address: "10.0.0.1" };
const COMPUTE = { name: "beta", roles: ["compute"], k3s: "agent", cpu: "4", memory: "16Gi", address: "10.0.0.2" };
const MEM0_IMAGE = { repository: "ghcr.io/you/mem0-server", tag: "v1.2.3" };

function stack(workloads: Raw, nodes: Raw[] = [{ ...SERVICE }, { ...COMPUTE }]): Raw {
  return {
    domain: "lab.test",
    cluster: { mode: "k3s" },
    nodes,
    ingress: { certificates: { issuer: "selfsigned" } },
    workloads: { postgres: { enabled: false }, qdrant: { enabled: false }, ...workloads },
    observability: { enabled: false },
  };
}

function aiProblems(raw: Raw): Problem[] {
  const problems = new Problems();
  validateAi(parsedConfig(raw), problems);
  return problems.list;
}

describe("Ollama's node for its mode", () => {
  it("Ollama in cpu mode on a stack without a compute node is refused with the cpu message, not the gpu one", () => {
    expect(aiProblems(stack({ ollama: { enabled: true, mode: "cpu" } }, [{ ...SERVICE }]))).toStrictEqual([
      {
        path: "homelab:workloads.ollama.mode",
        message: 'Ollama in cpu mode runs on a node with role "compute", and the stack has none',
        fix: "add the compute role to a node, or set homelab:workloads.ollama.enabled: false",
      },
    ]);
  });

  it("Ollama in gpu mode without a gpu node names the gpu role and both ways out", () => {
    expect(aiProblems(stack({ ollama: { enabled: true } }))).toStrictEqual([
      {
        path: "homelab:workloads.ollama.mode",
        message: 'Ollama in gpu mode (the default) needs a node with role "gpu", and the stack has none',
        fix: "add the gpu role to a node with an NVIDIA GPU, or set homelab:workloads.ollama.mode: cpu to run it on a compute node (slow: small models only), or set homelab:workloads.ollama.enabled: false",
      },
    ]);
  });

  it("Ollama in cpu mode with a compute node is accepted", () => {
    expect(aiProblems(stack({ ollama: { enabled: true, mode: "cpu" } }))).toStrictEqual([]);
  });
});

describe("what Mem0 needs", () => {
  it("Mem0 alone is refused three times (Ollama, Qdrant, PostgreSQL), each with its fix, and no model is checked against a disabled Ollama", () => {
    expect(aiProblems(stack({ mem0: { enabled: true, image: MEM0_IMAGE } }))).toStrictEqual([
      {
        path: "homelab:workloads.mem0.enabled",
        message: "Mem0 needs Ollama for its LLM and embeddings, and Ollama is disabled",
        fix: "set homelab:workloads.ollama.enabled: true (mode: cpu without a GPU node), or homelab:workloads.mem0.enabled: false",
      },
      {
        path: "homelab:workloads.mem0.enabled",
        message: "Mem0 stores its memories in Qdrant, and Qdrant is disabled",
        fix: "set homelab:workloads.qdrant.enabled: true, or homelab:workloads.mem0.enabled: false",
      },
      {
        path: "homelab:workloads.mem0.enabled",
        message: "Mem0 keeps its history, users and settings in PostgreSQL, and PostgreSQL is disabled",
        fix: "set homelab:workloads.postgres.enabled: true, or homelab:workloads.mem0.enabled: false",
      },
    ]);
  });

  it("Mem0 with PostgreSQL on but without its database names the database and where to add it", () => {
    const raw = stack({
      ollama: { enabled: true, mode: "cpu", models: ["llama3.1:8b", "nomic-embed-text:v1.5"] },
      qdrant: { enabled: true },
      postgres: { enabled: true, databases: ["n8n"] },
      mem0: { enabled: true, image: MEM0_IMAGE, database: "memories" },
    });
    expect(aiProblems(raw)).toStrictEqual([
      {
        path: "homelab:workloads.postgres.databases",
        message: 'Mem0 uses the database "memories" (homelab:workloads.mem0.database), which is not listed',
        fix: "add memories to homelab:workloads.postgres.databases",
      },
    ]);
  });

  it("Mem0 with everything it needs is accepted", () => {
    const raw = stack({
      ollama: { enabled: true, mode: "cpu", models: ["llama3.1:8b", "nomic-embed-text:v1.5"] },
      qdrant: { enabled: true },
      postgres: { enabled: true, databases: ["mem0"] },
      mem0: { enabled: true, image: MEM0_IMAGE },
    });
    expect(aiProblems(raw)).toStrictEqual([]);
  });

  it("Mem0's models missing from Ollama's list are refused one by one, offering the listed models separated by commas", () => {
    const raw = stack({
      ollama: { enabled: true, mode: "cpu", models: ["qwen2.5:7b", "bge-m3:567m"] },
      qdrant: { enabled: true },
      postgres: { enabled: true, databases: ["mem0"] },
      mem0: { enabled: true, image: MEM0_IMAGE },
    });
    expect(aiProblems(raw)).toStrictEqual([
      {
        path: "homelab:workloads.mem0.llmModel",
        message: '"llama3.1:8b" is not in homelab:workloads.ollama.models, so Ollama would not have it',
        fix: 'add "llama3.1:8b" to homelab:workloads.ollama.models, or pick one of qwen2.5:7b, bge-m3:567m',
      },
      {
        path: "homelab:workloads.mem0.embeddingModel",
        message: '"nomic-embed-text:v1.5" is not in homelab:workloads.ollama.models, so Ollama would not have it',
        fix: 'add "nomic-embed-text:v1.5" to homelab:workloads.ollama.models, or pick one of qwen2.5:7b, bge-m3:567m',
      },
    ]);
  });

  it("with no Ollama models listed, the fix says so instead of offering an empty list", () => {
    const raw = stack({
      ollama: { enabled: true, mode: "cpu" },
      qdrant: { enabled: true },
      postgres: { enabled: true, databases: ["mem0"] },
      mem0: { enabled: true, image: MEM0_IMAGE, llmModel: "qwen2.5:7b" },
    });
    expect(aiProblems(raw)).toStrictEqual([
      {
        path: "homelab:workloads.mem0.llmModel",
        message: '"qwen2.5:7b" is not in homelab:workloads.ollama.models, so Ollama would not have it',
        fix: 'add "qwen2.5:7b" to homelab:workloads.ollama.models, or pick one of (none listed)',
      },
      {
        path: "homelab:workloads.mem0.embeddingModel",
        message: '"nomic-embed-text:v1.5" is not in homelab:workloads.ollama.models, so Ollama would not have it',
        fix: 'add "nomic-embed-text:v1.5" to homelab:workloads.ollama.models, or pick one of (none listed)',
      },
    ]);
  });
});
