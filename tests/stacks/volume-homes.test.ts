// Moving a stateful workload off the node holding its local volume is refused against the stack's
// last deployment (read through a self StackReference), unless the user declares the migration.
import { runProgram } from "../../tools/lib/mock-runtime";
import { readStackFile } from "../../tools/lib/stack-file";
import { checkVolumeHomes, Problems } from "../../stacks";

describe("checkVolumeHomes", () => {
  const base = { current: { qdrant: "pesubuntu" }, paths: { qdrant: "homelab:workloads.qdrant" }, migrateFrom: {} };
  it("refuses a move against the last deployment, naming the field and both fixes", () => {
    const p = new Problems();
    checkVolumeHomes({ ...base, previous: { qdrant: "asuna" } }, p, []);
    expect(p.list).toHaveLength(1);
    expect(p.list[0].path).toBe("homelab:workloads.qdrant.node");
    expect(p.list[0].message).toMatch(/volume lives on asuna/);
    expect(p.list[0].fix).toMatch(/migrateFrom: asuna/);
  });
  it("allows the first deployment, an unchanged node, and a declared migration", () => {
    for (const c of [{ previous: undefined }, { previous: { qdrant: "pesubuntu" } }, { previous: { qdrant: "asuna" }, migrateFrom: { qdrant: "asuna" } }]) {
      const p = new Problems();
      checkVolumeHomes({ ...base, ...c }, p, []);
      expect(p.list).toEqual([]);
    }
  });
  it("warns about a stale migrateFrom", () => {
    const w: string[] = [];
    checkVolumeHomes({ ...base, previous: { qdrant: "pesubuntu" }, migrateFrom: { qdrant: "asuna" } }, new Problems(), w);
    expect(w.join()).toMatch(/migrateFrom: asuna has no effect/);
  });
  it("says plainly when migrateFrom cannot be checked because the last deployment is not visible", () => {
    const w: string[] = [];
    checkVolumeHomes({ ...base, previous: undefined, migrateFrom: { qdrant: "asuna" } }, new Problems(), w);
    expect(w).toEqual([expect.stringMatching(/migrateFrom: asuna cannot be checked here: the last deployment's volume homes are not visible .*pulumi preview and pulumi up check it/)]);
  });
});

describe("the program reads its own last outputs", () => {
  beforeAll(() => (process.env.HOMELAB_QUIET_WARNINGS = "1"));
  it("fails before creating any workload when qdrant's recorded home differs, and exports volumeHomes otherwise", async () => {
    const sf = readStackFile("homelab");
    const moved = await runProgram(sf, { previousOutputs: { volumeHomes: { qdrant: "pesubuntu" } } });
    expect(String(moved.error)).toMatch(/homelab:workloads\.qdrant\.node: qdrant's volume lives on pesubuntu/);
    expect(moved.resources.filter((r) => r.type.startsWith("kubernetes:"))).toEqual([]);

    const same = await runProgram(sf, { previousOutputs: { volumeHomes: { qdrant: "asuna" } } });
    expect(same.error).toBeUndefined();
    expect(same.outputs?.volumeHomes).toEqual({ qdrant: "asuna", ollama: "pesubuntu", redis: "asuna", n8n: "pesubuntu" });
    // What the next run compares volume templates against.
    expect(same.outputs?.volumeTemplates).toEqual({
      qdrant: [{ name: "storage", size: "20Gi", storageClass: "local-path" }],
      postgres: [{ name: "pgdata", size: "10Gi", storageClass: "local-path" }],
      ollama: [{ name: "models", size: "100Gi", storageClass: "local-path" }],
      minio: [{ name: "data-0", size: "20Gi", storageClass: "local-path" }],
      redis: [{ name: "data", size: "2Gi", storageClass: "local-path" }],
      n8n: [{ name: "data", size: "5Gi", storageClass: "local-path" }],
    });
  });
});
