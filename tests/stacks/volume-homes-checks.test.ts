// A local-path volume stays on its node: what the check says (exactly) for each combination of the
// current node, the last deployment's node and a declared migrateFrom, and how the program reads its
// own last outputs (volumeHomes, volumeTemplates) through a self StackReference under the mock runtime.
import * as pulumi from "@pulumi/pulumi";
import { Problems, checkVolumeHomes, previousVolumeHomes, previousVolumeTemplates } from "../../stacks";

const PATHS = { qdrant: "homelab:workloads.qdrant", redis: "homelab:workloads.redis" };

function check(previous: Record<string, string> | undefined, migrateFrom: Record<string, string> = {}) {
  const problems = new Problems();
  const warnings: string[] = [];
  checkVolumeHomes({ current: { qdrant: "beta" }, previous, paths: PATHS, migrateFrom }, problems, warnings);
  return { problems: problems.list, warnings };
}

describe("checkVolumeHomes", () => {
  it("a workload still on the node of its last deployment, with no migrateFrom, gives neither a problem nor a warning", () => {
    expect(check({ qdrant: "beta" })).toStrictEqual({ problems: [], warnings: [] });
  });

  it("a first deployment without migrateFrom gives neither a problem nor a warning", () => {
    expect(check(undefined)).toStrictEqual({ problems: [], warnings: [] });
  });

  it("a declared migration from the last deployment's node is accepted silently", () => {
    expect(check({ qdrant: "alpha" }, { qdrant: "alpha" })).toStrictEqual({ problems: [], warnings: [] });
  });

  it("a move without migrateFrom is refused, naming the field, both nodes and both fixes", () => {
    expect(check({ qdrant: "alpha" })).toStrictEqual({
      problems: [
        {
          path: "homelab:workloads.qdrant.node",
          message: "qdrant's volume lives on alpha (where it was last deployed); moving it to beta would start it on an empty volume",
          fix: "set homelab:workloads.qdrant.node back to alpha, or copy the data to beta first and then set homelab:workloads.qdrant.migrateFrom: alpha",
        },
      ],
      warnings: [],
    });
  });

  it("a migrateFrom naming another node than the last deployment's does not excuse the move", () => {
    expect(check({ qdrant: "alpha" }, { qdrant: "gamma" }).problems.map((p) => p.path)).toStrictEqual(["homelab:workloads.qdrant.node"]);
  });

  it("a migrateFrom on a workload already on its node is called out as having no effect", () => {
    expect(check({ qdrant: "beta" }, { qdrant: "alpha" })).toStrictEqual({
      problems: [],
      warnings: ["homelab:workloads.qdrant.migrateFrom: alpha has no effect (qdrant is already deployed on beta); remove it"],
    });
  });

  it("a migrateFrom on a workload the last deployment did not have is called out as having no effect", () => {
    expect(check({ redis: "alpha" }, { qdrant: "alpha" })).toStrictEqual({
      problems: [],
      warnings: ["homelab:workloads.qdrant.migrateFrom: alpha has no effect (qdrant is already deployed on beta); remove it"],
    });
  });

  it("a migrateFrom with no last deployment visible says it cannot be checked here", () => {
    expect(check(undefined, { qdrant: "alpha" })).toStrictEqual({
      problems: [],
      warnings: [
        "homelab:workloads.qdrant.migrateFrom: alpha cannot be checked here: the last deployment's volume homes are not visible (an offline render, or no deployment yet); pulumi preview and pulumi up check it against the stack",
      ],
    });
  });
});

/** Mocks for stack `lab` of org `org` whose self reference returns `outputs`, or whose reads fail with `fail`. */
function selfReference(o: { outputs?: Record<string, unknown>; fail?: string }): string[] {
  if (o.fail) jest.spyOn(pulumi.StackReference.prototype, "getOutputDetails").mockRejectedValue(new Error(o.fail));
  const names: string[] = [];
  pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        if (a.type !== "pulumi:pulumi:StackReference") return { id: `${a.name}-id`, state: a.inputs };
        names.push(`${a.name} -> ${a.inputs.name}`);
        return { id: `${a.name}-id`, state: { name: a.inputs.name, outputs: o.outputs ?? {}, secretOutputNames: [] } };
      },
      call: (a) => a.inputs,
    },
    "homelab",
    "lab",
    true,
    "org",
  );
  return names;
}

afterEach(() => jest.restoreAllMocks());

describe("previousVolumeHomes", () => {
  it("reads the volumeHomes output of its own stack", async () => {
    const names = selfReference({ outputs: { volumeHomes: { qdrant: "alpha" }, other: 1 } });
    expect(await previousVolumeHomes()).toStrictEqual({ qdrant: "alpha" });
    expect(names).toStrictEqual(["org/homelab/lab -> org/homelab/lab"]);
  });

  it("is undefined before the first deployment (no such output)", async () => {
    selfReference({ outputs: {} });
    expect(await previousVolumeHomes()).toBeUndefined();
  });

  it("is undefined when the output is not an object", async () => {
    selfReference({ outputs: { volumeHomes: "qdrant=alpha" } });
    expect(await previousVolumeHomes()).toBeUndefined();
  });

  it("warns and goes on when the backend cannot answer", async () => {
    selfReference({ fail: "backend down" });
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    expect(await previousVolumeHomes()).toBeUndefined();
    expect(warn.mock.calls).toStrictEqual([
      ["could not read org/homelab/lab's last volumeHomes output (backend down): the check that stateful workloads stay on their volume's node was skipped"],
    ]);
  });
});

describe("previousVolumeTemplates", () => {
  it("reads the volumeTemplates output through its own reference", async () => {
    const names = selfReference({ outputs: { volumeTemplates: { qdrant: [{ name: "storage", size: "20Gi", storageClass: "local-path", extra: 1 }] } } });
    expect(await previousVolumeTemplates()).toStrictEqual({ qdrant: [{ name: "storage", size: "20Gi", storageClass: "local-path" }] });
    expect(names).toStrictEqual(["self-volume-templates -> org/homelab/lab"]);
  });

  it("warns and goes on when the backend cannot answer", async () => {
    selfReference({ fail: "backend down" });
    const warn = jest.spyOn(pulumi.log, "warn").mockImplementation(() => Promise.resolve());
    expect(await previousVolumeTemplates()).toBeUndefined();
    expect(warn.mock.calls).toStrictEqual([
      ["could not read org/homelab/lab's last volumeTemplates output (backend down): the check that StatefulSet volume templates do not change was skipped"],
    ]);
  });
});
