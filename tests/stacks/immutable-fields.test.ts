// A change of a StatefulSet's volume templates against the last deployment is a validation problem
// naming the field and the safe procedure, never a silent delete-and-replace.
import * as pulumi from "@pulumi/pulumi";
import { VolumeTemplates, parseVolumeTemplates, staleAcceptanceWarnings, previousVolumeTemplates, volumeTemplateProblems, volumeTemplatesOf } from "../../stacks";
import { qdrantSpec } from "../../components/data/qdrant";

const ctx = { namespace: "homelab", paths: { qdrant: "homelab:workloads.qdrant", postgres: "homelab:workloads.postgres" } };
const deployed: VolumeTemplates = {
  qdrant: [{ name: "storage", size: "20Gi", storageClass: "local-path" }],
  postgres: [{ name: "pgdata", size: "10Gi", storageClass: "local-path" }],
};
const withQdrant = (t: Partial<{ name: string; size: string; storageClass: string }>[]): VolumeTemplates => ({
  ...deployed,
  qdrant: t.map((x) => ({ name: "storage", size: "20Gi", storageClass: "local-path", ...x })),
});

describe("volumeTemplatesOf", () => {
  it("records each StatefulSet's claim templates with the storage class they default to", () => {
    const spec = qdrantSpec({ node: "asuna", storage: "20Gi", resources: { cpu: "1", memory: "1Gi", memoryLimit: "1Gi" }, apiKeySecret: "k" });
    expect(volumeTemplatesOf([spec])).toEqual({ qdrant: [{ name: "storage", size: "20Gi", storageClass: "local-path" }] });
    expect(volumeTemplatesOf([{ ...spec, kind: "Deployment", volumeClaims: undefined }])).toEqual({});
  });
});

describe("volumeTemplateProblems", () => {
  it("nothing to say on the first deployment, for an unchanged stack, or for a new StatefulSet", () => {
    expect(volumeTemplateProblems(undefined, deployed, ctx)).toEqual([]);
    expect(volumeTemplateProblems(deployed, deployed, ctx)).toEqual([]);
    expect(volumeTemplateProblems({ postgres: deployed.postgres }, deployed, ctx)).toEqual([]);
  });

  it("a storage size change names the config field, both sizes and the safe procedure", () => {
    const p = volumeTemplateProblems(deployed, withQdrant([{ size: "50Gi" }]), ctx);
    expect(p).toHaveLength(1);
    expect(p[0].path).toBe("homelab:workloads.qdrant.storage");
    expect(p[0].message).toMatch(/qdrant's volume template "storage" changes size from 20Gi to 50Gi; volumeClaimTemplates cannot change in place/);
    expect(p[0].fix).toMatch(/^set homelab:workloads\.qdrant\.storage back to 20Gi: local-path does not enforce sizes/);
    expect(p[0].fix).toMatch(/kubectl -n homelab delete statefulset qdrant --cascade=orphan/);
    expect(p[0].fix).toMatch(/pulumi state unprotect/);
    expect(p[0].fix).toMatch(/homelab:workloads\.qdrant\.acceptVolumeTemplateChange: true/);
  });

  it("on a storage class that can expand, the fix grows each claim first", () => {
    const ceph = (size: string) => ({ qdrant: [{ name: "storage", size, storageClass: "ceph-rbd" }] });
    const [p] = volumeTemplateProblems(ceph("20Gi"), ceph("50Gi"), ctx);
    expect(p.fix).toMatch(/kubectl -n homelab patch pvc storage-qdrant-<n> .*"storage":"50Gi"/);
  });

  it("a changed storage class, a removed or renamed template and an added one are each refused", () => {
    expect(volumeTemplateProblems(deployed, withQdrant([{ storageClass: "longhorn" }]), ctx).map((x) => x.message)).toEqual([
      expect.stringMatching(/changes storage class from local-path to longhorn/),
    ]);
    expect(volumeTemplateProblems(deployed, withQdrant([{ name: "data" }]), ctx).map((x) => x.message)).toEqual([
      expect.stringMatching(/volume template "storage" was removed or renamed \(now: data\)/),
      expect.stringMatching(/gains a volume template "data"/),
    ]);
    expect(volumeTemplateProblems(deployed, withQdrant([{}, { name: "snapshots" }]), ctx).map((x) => x.path)).toEqual(["homelab:workloads.qdrant"]);
  });

  it("a change the user declares done by the procedure passes (the protection still guards the replace)", () => {
    expect(volumeTemplateProblems(deployed, withQdrant([{ size: "50Gi" }]), { ...ctx, accepted: new Set(["qdrant"]) })).toEqual([]);
    expect(staleAcceptanceWarnings(deployed, withQdrant([{ size: "50Gi" }]), { ...ctx, accepted: new Set(["qdrant"]) })).toEqual([]);
  });

  it("an acceptance left behind after its deploy is warned about", () => {
    expect(staleAcceptanceWarnings(deployed, deployed, { ...ctx, accepted: new Set(["qdrant"]) })).toEqual([
      "homelab:workloads.qdrant.acceptVolumeTemplateChange has no effect (qdrant's volume templates match the last deployment); remove it",
    ]);
  });
});

describe("parseVolumeTemplates: a malformed previous output means unknown, never a change", () => {
  it.each([[undefined], ["x"], [[1]], [{ qdrant: "20Gi" }], [{ qdrant: [{ name: "storage", size: 20 }] }]])("%j", (v) => {
    expect(parseVolumeTemplates(v)).toBeUndefined();
  });
  it("keeps a well-formed one", () => expect(parseVolumeTemplates(JSON.parse(JSON.stringify(deployed)))).toEqual(deployed));
});

describe("previousVolumeTemplates reads the stack's own last output", () => {
  it("through a StackReference to the stack itself", async () => {
    const refs: string[] = [];
    await pulumi.runtime.setMocks(
      {
        newResource: (a) => {
          if (a.type === "pulumi:pulumi:StackReference") refs.push(a.inputs.name);
          return { id: a.name, state: { name: a.inputs.name, outputs: { volumeTemplates: deployed }, secretOutputNames: [] } };
        },
        call: (a) => a.inputs,
      },
      "homelab",
      "prod",
      true,
      "organization",
    );
    expect(await previousVolumeTemplates()).toEqual(deployed);
    expect(refs).toEqual(["organization/homelab/prod"]);
  });
});
