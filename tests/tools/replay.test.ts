// The benchmark's floor (c) (tools/lib/replay-program.ts) is only a floor if it registers exactly
// what the render did: every recorded resource, no other, each with the same inputs and options.
import * as path from "node:path";
import { ROOT, renderDir } from "../harness";
import { runProgram, RecordedResource } from "../../tools/lib/mock-runtime";
import { manifestsOf } from "../../tools/lib/manifests";

const key = (r: { type: string; name: string }) => `${r.type}::${r.name}`;

describe("the benchmark's replay of a render", () => {
  it("registers every resource of the dev render, and only those, with the same inputs and options", async () => {
    const file = path.join(renderDir(), "dev", "resources.json");
    const recorded = require(file) as RecordedResource[];
    process.env.REPLAY_RESOURCES = file;
    const run = await runProgram({ stack: "dev", file: "", config: {}, secretKeys: [] }, { entry: path.join(ROOT, "tools", "lib", "replay-program.ts") }).finally(
      () => delete process.env.REPLAY_RESOURCES,
    );
    expect(run.error).toBeUndefined();
    expect(run.resources.map(key).sort()).toEqual(recorded.map(key).sort());
    const replayed = new Map(run.resources.map((r) => [key(r), r]));
    for (const r of recorded) {
      const again = replayed.get(key(r))!;
      const inputs = r.type.startsWith("kubernetes:") ? manifestsOf([again])[0] : again.inputs;
      // The StackReference reads by name; a component records no inputs either way.
      if (r.type !== "pulumi:pulumi:StackReference") expect({ resource: key(r), inputs }).toEqual({ resource: key(r), inputs: r.inputs });
      expect({ resource: key(r), options: again.options }).toEqual({ resource: key(r), options: r.options });
      expect({ resource: key(r), custom: again.custom, provider: Boolean(again.provider) }).toEqual({ resource: key(r), custom: r.custom, provider: Boolean(r.provider) });
    }
  });
});
