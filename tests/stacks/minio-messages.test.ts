// MinIO's stack-wide messages, pinned word for word: a bucket consumer that is not an enabled
// workload (the list entry it names, the workloads it offers, the fix), what losing a node means for
// where the pods were placed (the render summary's statement and the warning), and which pods of a
// schedule are MinIO's. Every expected text is written out here by hand.
import { Problems } from "../../stacks";
import type { StackConfig } from "../../stacks";
import { minioResilience, placedNodes, validateMinioConsumers } from "../../stacks/minio";
import { Raw, parsedConfig, stackRaw } from "../lib/stack-config";

/** The homelab stack with only `enabled` workloads on besides MinIO, and MinIO set to `minio`. */
function stack(enabled: string[], minio: Raw = {}): StackConfig {
  const raw = stackRaw("homelab");
  for (const w of Object.keys(raw.workloads)) if (w !== "minio") raw.workloads[w] = { ...raw.workloads[w], enabled: enabled.includes(w) };
  raw.workloads.minio = { ...raw.workloads.minio, ...minio };
  return parsedConfig(raw);
}

function consumerProblems(cfg: StackConfig) {
  const problems = new Problems();
  validateMinioConsumers(cfg, problems);
  return problems.list;
}

const bucket = (consumers: string[]) => ({ buckets: [{ name: "backups", consumers }] });
const NOT_A_WORKLOAD_FIX = "name an enabled workload, or remove it from the bucket's consumers";

describe("a MinIO bucket's consumers must be enabled workloads of the stack", () => {
  it("enabled consumers are accepted", () => {
    expect(consumerProblems(stack(["postgres", "qdrant"], bucket(["postgres", "qdrant"])))).toEqual([]);
  });

  it("an unknown consumer names its list entry and every enabled workload it could have meant", () => {
    expect(consumerProblems(stack(["postgres", "qdrant"], bucket(["postgres", "immich"])))).toEqual([
      { path: "homelab:workloads.minio.buckets[0].consumers[1]", message: '"immich" is not a workload of the stack (enabled: qdrant, postgres)', fix: NOT_A_WORKLOAD_FIX },
    ]);
  });

  it("MinIO listed as a consumer of its own bucket is told it serves the bucket, not offered as a consumer", () => {
    expect(consumerProblems(stack(["postgres", "qdrant"], bucket(["minio"])))).toEqual([
      {
        path: "homelab:workloads.minio.buckets[0].consumers[0]",
        message: 'MinIO serves bucket "backups" itself; only workloads that read or write it are consumers',
        fix: "remove minio from the bucket's consumers",
      },
    ]);
  });

  it("with a single other workload enabled, the message names just that one", () => {
    expect(consumerProblems(stack(["postgres"], bucket(["immich"])))).toEqual([
      { path: "homelab:workloads.minio.buckets[0].consumers[0]", message: '"immich" is not a workload of the stack (enabled: postgres)', fix: NOT_A_WORKLOAD_FIX },
    ]);
  });

  it("when MinIO is the only enabled workload, the message says none is enabled", () => {
    expect(consumerProblems(stack([], bucket(["immich"])))).toEqual([
      { path: "homelab:workloads.minio.buckets[0].consumers[0]", message: '"immich" is not a workload of the stack (enabled: none)', fix: NOT_A_WORKLOAD_FIX },
    ]);
  });

  it("a disabled workload as consumer names its enabled setting, the bucket, and the two ways out", () => {
    const cfg = stack(["postgres"], { buckets: [{ name: "postgres-backups", consumers: ["postgres"] }, { name: "redis-dumps", consumers: ["redis"] }] });
    expect(consumerProblems(cfg)).toEqual([
      {
        path: "homelab:workloads.minio.buckets[1].consumers[0]",
        message: '"redis" is disabled (homelab:workloads.redis.enabled: false), so it cannot use bucket "redis-dumps"',
        fix: "enable redis or remove it from the bucket's consumers",
      },
    ]);
  });

  it("with MinIO disabled its buckets are not checked", () => {
    expect(consumerProblems(stack(["postgres"], { enabled: false, ...bucket(["immich", "redis"]) }))).toEqual([]);
  });
});

describe("what losing one node means for MinIO, from where its pods were placed", () => {
  const fourDrives = () => stack(["postgres", "qdrant"], { replicas: 4, drivesPerPod: 1, parity: 2 });

  it("4 drives spread 2 + 2 at EC:2: reads survive, writes stop, and no warning", () => {
    expect(minioResilience(fourDrives(), ["asuna", "pesubuntu", "asuna", "pesubuntu"])).toEqual({
      statement: "minio: 4 drives on 2 nodes, EC:2: reads survive the loss of one node, writes stop (write quorum 3 of 4)",
      warning: undefined,
    });
  });

  it("4 drives placed 3 + 1: losing the node with 3 stops reads, and the warning asks to spread the drives or raise parity", () => {
    expect(minioResilience(fourDrives(), ["asuna", "asuna", "pesubuntu", "asuna"])).toEqual({
      statement: "minio: 4 drives on 2 nodes (3 + 1), EC:2: losing a node with 3 drives stops reads and writes (read quorum 2 of 4, write quorum 3 of 4)",
      warning:
        "homelab:workloads.minio: losing one node stops MinIO's reads and writes, and every backup stored there with them: spread the drives more evenly over more nodes, or raise parity",
    });
  });

  it("every drive on one node: the warning says losing its only node stops everything and asks for more nodes", () => {
    expect(minioResilience(fourDrives(), ["asuna", "asuna", "asuna", "asuna"])).toEqual({
      statement: "minio: 4 drives on 1 node, EC:2: one node holds every drive, so losing it stops reads and writes (up to 2 failed drives are survived; write quorum 3 of 4)",
      warning: "homelab:workloads.minio: losing its only node stops MinIO's reads and writes, and every backup stored there with them: list more nodes in nodes: [...]",
    });
  });

  it("nothing is said when MinIO is disabled, even with a placement", () => {
    const cfg = stack(["postgres"], { enabled: false, replicas: 4, drivesPerPod: 1, parity: 2 });
    expect(minioResilience(cfg, ["asuna", "asuna", "asuna", "asuna"])).toBeUndefined();
  });

  it("nothing is said when no MinIO pod was placed", () => {
    expect(minioResilience(fourDrives(), [])).toBeUndefined();
  });
});

describe("MinIO's pods in a schedule: one node per placed replica", () => {
  const schedule = (nodes: Record<string, string[]>) => ({ nodes: Object.entries(nodes).map(([node, pods]) => ({ node, pods })) });

  it("replicas minio-0 … minio-3 give their nodes, one entry per pod", () => {
    expect(placedNodes(schedule({ asuna: ["minio-0", "minio-2", "postgres"], pesubuntu: ["minio-1", "minio-3", "ollama"] }), "minio", 4)).toEqual([
      "asuna",
      "asuna",
      "pesubuntu",
      "pesubuntu",
    ]);
  });

  it("replica numbers of two digits count (minio-10, minio-11 of 12)", () => {
    const pods = Array.from({ length: 12 }, (_, r) => `minio-${r}`);
    expect(placedNodes(schedule({ asuna: pods.slice(0, 10), pesubuntu: pods.slice(10) }), "minio", 12)).toEqual([...Array(10).fill("asuna"), "pesubuntu", "pesubuntu"]);
  });

  it("another workload's replica with a name as long (redis-1) is not MinIO's", () => {
    expect(placedNodes(schedule({ asuna: ["minio-0", "minio-1"], pesubuntu: ["redis-1", "minio-2", "minio-3"] }), "minio", 4)).toEqual([
      "asuna",
      "asuna",
      "pesubuntu",
      "pesubuntu",
    ]);
  });

  it("a pod whose name only starts with minio- is not a replica: minio-console, minio-console-1, minio-1-init", () => {
    expect(
      placedNodes(schedule({ asuna: ["minio-0", "minio-console"], pesubuntu: ["minio-1", "minio-console-1"], kirito: ["minio-1-init"] }), "minio", 2),
    ).toEqual(["asuna", "pesubuntu"]);
  });

  it("a single-replica workload's pod is named after the workload alone", () => {
    expect(placedNodes(schedule({ asuna: ["postgres", "minio-0"], pesubuntu: ["minio"] }), "minio", 1)).toEqual(["pesubuntu"]);
  });
});
