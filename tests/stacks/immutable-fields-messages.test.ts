// The exact problems and warnings a volume template change against the last deployment produces, and
// which previous outputs count as readable: a user follows these fixes step by step.
import { VolumeTemplates, parseVolumeTemplates, staleAcceptanceWarnings, volumeTemplateProblems, volumeTemplatesOf } from "../../stacks";
import { qdrantSpec } from "../../components/data/qdrant";

const ctx = { namespace: "apps", paths: { qdrant: "homelab:workloads.qdrant", postgres: "homelab:workloads.postgres" } };
const storage = { name: "storage", size: "20Gi", storageClass: "local-path" };

/** The safe procedure every recreate fix ends with, for qdrant in namespace "apps", written out by hand. */
const RECREATE_QDRANT =
  "(1) kubectl -n apps delete statefulset qdrant --cascade=orphan (pods and volumes keep running); " +
  "(2) pulumi state unprotect the StatefulSet's URN (pulumi stack --show-urns | grep 'StatefulSet::qdrant'); " +
  "(3) set homelab:workloads.qdrant.acceptVolumeTemplateChange: true and pulumi up (the new StatefulSet adopts the pods and claims by name); (4) remove acceptVolumeTemplateChange";

describe("volumeTemplatesOf", () => {
  it("a Deployment has no volume templates, even with volume claims in its spec", () => {
    const spec = qdrantSpec({ node: "asuna", storage: "20Gi", resources: { cpu: "1", memory: "1Gi", memoryLimit: "1Gi" }, apiKeySecret: "k" });
    expect(volumeTemplatesOf([{ ...spec, kind: "Deployment" }])).toStrictEqual({});
  });
});

describe("parseVolumeTemplates: anything malformed is unknown", () => {
  it.each([
    ["a number", 42],
    ["true", true],
    ["a list with one good and one bad template", { qdrant: [storage, { name: "x", size: 1, storageClass: "local-path" }] }],
    ["a template whose name is not a string", { qdrant: [{ name: 1, size: "20Gi", storageClass: "local-path" }] }],
    ["a template without a name", { qdrant: [{ size: "20Gi", storageClass: "local-path" }] }],
    ["a template whose size is not a string", { qdrant: [{ name: "storage", size: 20, storageClass: "local-path" }] }],
    ["a template whose storage class is not a string", { qdrant: [{ name: "storage", size: "20Gi", storageClass: null }] }],
    ["a null template", { qdrant: [null] }],
  ])("%s", (_, v) => {
    expect(parseVolumeTemplates(v)).toBeUndefined();
  });

  it("keeps only the three fields of each template", () => {
    expect(parseVolumeTemplates({ qdrant: [{ ...storage, extra: 1 }], postgres: [] })).toStrictEqual({ qdrant: [storage], postgres: [] });
  });
});

describe("volumeTemplateProblems: the exact problems", () => {
  it("a removed template names what is there now, comma-separated, and each added template is its own problem", () => {
    const now = { qdrant: [{ ...storage, name: "data" }, { ...storage, name: "snapshots" }] };
    expect(volumeTemplateProblems({ qdrant: [storage] }, now, ctx)).toStrictEqual([
      {
        path: "homelab:workloads.qdrant",
        message: 'qdrant\'s volume template "storage" was removed or renamed (now: data, snapshots); the StatefulSet would be replaced and its pods started on new, empty volumes',
        fix: 'keep the volume template "storage"; to move the data to other volumes, back it up, deploy the new layout under a new workload name, restore into it, then retire qdrant',
      },
      {
        path: "homelab:workloads.qdrant",
        message: 'qdrant gains a volume template "data"; volumeClaimTemplates cannot change, so the StatefulSet would be deleted and replaced',
        fix: `add it by recreating the StatefulSet object only: ${RECREATE_QDRANT}`,
      },
      {
        path: "homelab:workloads.qdrant",
        message: 'qdrant gains a volume template "snapshots"; volumeClaimTemplates cannot change, so the StatefulSet would be deleted and replaced',
        fix: `add it by recreating the StatefulSet object only: ${RECREATE_QDRANT}`,
      },
    ]);
  });

  it("a StatefulSet left with no templates says none", () => {
    expect(volumeTemplateProblems({ qdrant: [storage] }, { qdrant: [] }, ctx).map((p) => p.message)).toStrictEqual([
      'qdrant\'s volume template "storage" was removed or renamed (now: none); the StatefulSet would be replaced and its pods started on new, empty volumes',
    ]);
  });

  it("a changed storage class names both classes and the way to move the data", () => {
    expect(volumeTemplateProblems({ qdrant: [storage] }, { qdrant: [{ ...storage, storageClass: "longhorn" }] }, ctx)).toStrictEqual([
      {
        path: "homelab:workloads.qdrant",
        message: 'qdrant\'s volume template "storage" changes storage class from local-path to longhorn; volumeClaimTemplates cannot change, and the existing claims would stay on local-path',
        fix: "keep storage class local-path; to move the data, back it up, deploy a new workload on longhorn, restore into it, then retire qdrant",
      },
    ]);
  });

  it("a StatefulSet without a config path is named as such in the problem and in the procedure", () => {
    const before: VolumeTemplates = { vault: [{ name: "data", size: "1Gi", storageClass: "local-path" }] };
    expect(volumeTemplateProblems(before, { vault: [{ name: "data", size: "2Gi", storageClass: "local-path" }] }, ctx)).toStrictEqual([
      {
        path: "StatefulSet vault.storage",
        message: 'vault\'s volume template "data" changes size from 1Gi to 2Gi; volumeClaimTemplates cannot change in place, so the StatefulSet would be deleted and replaced',
        fix:
          "set StatefulSet vault.storage back to 1Gi: local-path does not enforce sizes, the volume can already use the node's free disk. To record the new size anyway: " +
          "(1) kubectl -n apps delete statefulset vault --cascade=orphan (pods and volumes keep running); " +
          "(2) pulumi state unprotect the StatefulSet's URN (pulumi stack --show-urns | grep 'StatefulSet::vault'); " +
          "(3) set StatefulSet vault.acceptVolumeTemplateChange: true and pulumi up (the new StatefulSet adopts the pods and claims by name); (4) remove acceptVolumeTemplateChange",
      },
    ]);
  });

  it("two unchanged templates of one StatefulSet are no change", () => {
    const two = { qdrant: [storage, { ...storage, name: "snapshots" }] };
    expect(volumeTemplateProblems(two, { qdrant: [storage, { ...storage, name: "snapshots" }] }, ctx)).toStrictEqual([]);
  });
});

describe("staleAcceptanceWarnings", () => {
  it("no acceptance, no warning", () => {
    expect(staleAcceptanceWarnings({ qdrant: [storage] }, { qdrant: [storage] }, ctx)).toStrictEqual([]);
  });

  it("stale acceptances are warned about in name order, a StatefulSet without a config path named as such", () => {
    const same = { qdrant: [storage], postgres: [storage], vault: [storage] };
    expect(staleAcceptanceWarnings(same, same, { ...ctx, accepted: new Set(["vault", "qdrant", "postgres"]) })).toStrictEqual([
      "homelab:workloads.postgres.acceptVolumeTemplateChange has no effect (postgres's volume templates match the last deployment); remove it",
      "homelab:workloads.qdrant.acceptVolumeTemplateChange has no effect (qdrant's volume templates match the last deployment); remove it",
      "StatefulSet vault.acceptVolumeTemplateChange has no effect (vault's volume templates match the last deployment); remove it",
    ]);
  });

  it("an acceptance for a workload with no volume templates, before or now, is stale", () => {
    expect(staleAcceptanceWarnings({ qdrant: [] }, {}, { ...ctx, accepted: new Set(["qdrant"]) })).toStrictEqual([
      "homelab:workloads.qdrant.acceptVolumeTemplateChange has no effect (qdrant's volume templates match the last deployment); remove it",
    ]);
  });
});
