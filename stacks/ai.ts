// The AI stack's cross-field rules: Ollama needs a node for its mode, Mem0 needs Ollama (with its
// models pulled), Qdrant and its PostgreSQL database. Each problem names the field and the fix.
import type { Problems } from "../components/kit/problems";
import { ollamaRole } from "../components/ai/ollama/settings";
import type { StackConfig } from "./config";
import { key } from "./schema";

const OLLAMA = `${key("workloads")}.ollama`;
const MEM0 = `${key("workloads")}.mem0`;
const POSTGRES = `${key("workloads")}.postgres`;

export function validateAi(cfg: StackConfig, problems: Problems): void {
  const o = cfg.workloads.ollama;
  const m = cfg.workloads.mem0;
  if (o.enabled) {
    const role = ollamaRole(o.mode);
    if (!cfg.nodes.some((n) => n.roles.includes(role))) {
      if (o.mode === "gpu") {
        problems.add(
          `${OLLAMA}.mode`,
          'Ollama in gpu mode (the default) needs a node with role "gpu", and the stack has none',
          `add the gpu role to a node with an NVIDIA GPU, or set ${OLLAMA}.mode: cpu to run it on a compute node (slow: small models only), or set ${OLLAMA}.enabled: false`,
        );
      } else {
        problems.add(`${OLLAMA}.mode`, 'Ollama in cpu mode runs on a node with role "compute", and the stack has none', `add the compute role to a node, or set ${OLLAMA}.enabled: false`);
      }
    }
  }
  if (!m.enabled) return;
  if (!o.enabled) problems.add(`${MEM0}.enabled`, "Mem0 needs Ollama for its LLM and embeddings, and Ollama is disabled", `set ${OLLAMA}.enabled: true (mode: cpu without a GPU node), or ${MEM0}.enabled: false`);
  if (!cfg.workloads.qdrant.enabled) problems.add(`${MEM0}.enabled`, "Mem0 stores its memories in Qdrant, and Qdrant is disabled", `set ${key("workloads")}.qdrant.enabled: true, or ${MEM0}.enabled: false`);
  if (!cfg.workloads.postgres.enabled) {
    problems.add(`${MEM0}.enabled`, "Mem0 keeps its history, users and settings in PostgreSQL, and PostgreSQL is disabled", `set ${POSTGRES}.enabled: true, or ${MEM0}.enabled: false`);
  } else if (!cfg.workloads.postgres.databases.includes(m.database)) {
    problems.add(`${POSTGRES}.databases`, `Mem0 uses the database "${m.database}" (${MEM0}.database), which is not listed`, `add ${m.database} to ${POSTGRES}.databases`);
  }
  if (o.enabled) {
    for (const field of ["llmModel", "embeddingModel"] as const) {
      if (!o.models.includes(m[field])) {
        problems.add(`${MEM0}.${field}`, `"${m[field]}" is not in ${OLLAMA}.models, so Ollama would not have it`, `add "${m[field]}" to ${OLLAMA}.models, or pick one of ${o.models.join(", ") || "(none listed)"}`);
      }
    }
  }
}
