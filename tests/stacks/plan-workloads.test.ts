// Which workloads validation checks (the plan), under which config path its messages name, and the
// args the plan and the platform share: built from the homelab stack's config, edited in memory.
import { mem0Args, minioArgs, planWorkloads } from "../../stacks";
import { Raw, parsedConfig, stackRaw } from "../lib/stack-config";

/** The planned workloads of the homelab stack after `edit`: [workload name, config path]. */
function plannedWith(edit: (raw: Raw) => void = () => {}): [string, string][] {
  const raw = stackRaw("homelab");
  edit(raw);
  return planWorkloads(parsedConfig(raw)).map((w) => [w.spec.identity.name, w.path]);
}

describe("the plan holds every enabled workload, under the config path that controls it", () => {
  it("the homelab stack plans all its workloads, and the GPU device plugin under homelab:nodes", () => {
    expect(plannedWith()).toStrictEqual([
      ["qdrant", "homelab:workloads.qdrant"],
      ["postgres", "homelab:workloads.postgres"],
      ["nvidia-device-plugin", "homelab:nodes"],
      ["ollama", "homelab:workloads.ollama"],
      ["mem0", "homelab:workloads.mem0"],
      ["minio", "homelab:workloads.minio"],
      ["redis", "homelab:workloads.redis"],
      ["n8n", "homelab:workloads.n8n"],
      ["family-assistant", "homelab:workloads.familyAssistant"],
      ["family-assistant-frontend", "homelab:workloads.familyAssistant"],
    ]);
  });

  it("disabled Qdrant and PostgreSQL are not planned", () => {
    const planned = plannedWith((r) => {
      r.workloads.qdrant.enabled = false;
      r.workloads.postgres.enabled = false;
    });
    expect(planned.map(([name]) => name)).toStrictEqual(["nvidia-device-plugin", "ollama", "mem0", "minio", "redis", "n8n", "family-assistant", "family-assistant-frontend"]);
  });

  it("a disabled Ollama is not planned, though a GPU node is there for it", () => {
    const planned = plannedWith((r) => (r.workloads.ollama.enabled = false));
    expect(planned.map(([name]) => name)).toStrictEqual(["qdrant", "postgres", "nvidia-device-plugin", "mem0", "minio", "redis", "n8n", "family-assistant", "family-assistant-frontend"]);
  });

  it("without a GPU node neither Ollama (GPU mode, no node for it) nor the device plugin is planned", () => {
    const planned = plannedWith((r) => (r.nodes[1].roles = ["compute"]));
    expect(planned.map(([name]) => name)).toStrictEqual(["qdrant", "postgres", "mem0", "minio", "redis", "n8n", "family-assistant", "family-assistant-frontend"]);
  });

  it("a disabled Mem0 is not planned, though its image is set", () => {
    const planned = plannedWith((r) => (r.workloads.mem0.enabled = false));
    expect(planned.map(([name]) => name)).toStrictEqual(["qdrant", "postgres", "nvidia-device-plugin", "ollama", "minio", "redis", "n8n", "family-assistant", "family-assistant-frontend"]);
  });
});

describe("the args shared by the plan and the platform", () => {
  it("Mem0's args without an image are refused, naming the setting", () => {
    const raw = stackRaw("homelab");
    raw.workloads.mem0 = { enabled: false };
    const cfg = parsedConfig(raw);
    // Never reached: the image check comes first.
    const connections = {} as Parameters<typeof mem0Args>[1];
    expect(() => mem0Args(cfg, connections)).toThrow(new Error("homelab:workloads.mem0.image is not set"));
  });

  it("MinIO's args carry the image overrides, with their own digest (none when not given) and the setting that chose them", () => {
    const raw = stackRaw("homelab");
    raw.workloads.minio.image = { repository: "quay.io/minio/minio", tag: "RELEASE.2025-09-07T16-13-09Z" };
    raw.workloads.minio.mcImage = { repository: "quay.io/minio/mc", tag: "RELEASE.2025-08-13T08-35-41Z", digest: `sha256:${"a".repeat(64)}` };
    expect(minioArgs(parsedConfig(raw))).toStrictEqual({
      namespace: "homelab",
      pods: 4,
      drivesPerPod: 1,
      parity: 2,
      nodes: ["asuna", "pesubuntu"],
      storage: "20Gi",
      resources: { cpu: "100m", memory: "384Mi", memoryLimit: "1Gi" },
      buckets: [
        { name: "postgres-backups", consumers: ["postgres"], expireDays: 30 },
        { name: "qdrant-snapshots", consumers: ["qdrant"], expireDays: 30 },
      ],
      image: { repository: "quay.io/minio/minio", tag: "RELEASE.2025-09-07T16-13-09Z", digest: undefined, seenIn: "homelab:workloads.minio.image", runsAsNonRoot: false },
      mcImage: {
        repository: "quay.io/minio/mc",
        tag: "RELEASE.2025-08-13T08-35-41Z",
        digest: `sha256:${"a".repeat(64)}`,
        seenIn: "homelab:workloads.minio.mcImage",
        runsAsNonRoot: false,
        provides: ["sh", "mc", "sleep", "cat", "printf"],
      },
    });
  });

  it("MinIO's args without overrides leave the images to the component's catalog", () => {
    const args = minioArgs(parsedConfig(stackRaw("homelab")));
    expect(["image" in args, "mcImage" in args]).toStrictEqual([false, false]);
  });
});
