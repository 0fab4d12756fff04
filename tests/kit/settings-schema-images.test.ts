// The shared settings blocks as a user meets them: the JSON Schema their editor and the README's
// config reference are generated from (descriptions, defaults), the defaults a stack file that says
// nothing gets, the memory-limit rule's message, and which image references are taken as pinned.
import { z } from "zod";
import { parseImageReference, pinnedImageSetting, resourcesSettings, storageSetting, workloadSettings } from "../../components/kit/settings";

/** As tools/lib/stack-schema.ts generates it: what a user writes (defaults optional). */
const jsonSchema = (s: z.ZodType) => z.toJSONSchema(s, { io: "input", unrepresentable: "any" });
const SCHEMA = "https://json-schema.org/draft/2020-12/schema";
const cpu = { "x-kind": "CPU quantity", type: ["string", "number"] };
const bytes = { "x-kind": "memory quantity", type: ["string", "number"] };
const small = { cpu: "100m", memory: "128Mi", memoryLimit: "256Mi" };

/** The resources block's schema with these defaults, written out by hand. */
const resourcesSchema = (cpuLimit: object) => ({
  description: "requests and limits of the main container",
  default: {},
  type: "object",
  properties: {
    cpu: { description: "CPU request (default 100m)", default: "100m", ...cpu },
    memory: { description: "memory request (default 128Mi)", default: "128Mi", ...bytes },
    memoryLimit: { description: "memory limit (default 256Mi)", default: "256Mi", ...bytes },
    cpuLimit,
  },
  additionalProperties: false,
});

describe("resourcesSettings", () => {
  it("documents each default, and says a CPU limit is none by default because CPU is compressible", () => {
    expect(jsonSchema(resourcesSettings(small))).toStrictEqual({ $schema: SCHEMA, ...resourcesSchema({ description: "CPU limit (default none: CPU is compressible)", ...cpu }) });
  });

  it("documents a service's default CPU limit when it has one", () => {
    expect(jsonSchema(resourcesSettings({ ...small, cpuLimit: "2" }))).toStrictEqual({ $schema: SCHEMA, ...resourcesSchema({ description: "CPU limit (default 2)", default: "2", ...cpu }) });
  });

  it("a memory limit below the request is refused on memoryLimit, saying how to fix it", () => {
    const r = resourcesSettings(small).safeParse({ memory: "1Gi" });
    expect(r.error?.issues).toStrictEqual([{ code: "custom", path: ["memoryLimit"], message: "limit 256Mi is below the request 1Gi\nfix: raise memoryLimit to at least memory" }]);
  });
});

describe("storageSetting", () => {
  it("documents the size per replica and its default", () => {
    expect(jsonSchema(storageSetting("5Gi"))).toStrictEqual({ $schema: SCHEMA, description: "volume size per replica (default 5Gi)", default: "5Gi", ...bytes });
  });
});

describe("workloadSettings", () => {
  const settings = () => workloadSettings({ ...small, cpuLimit: "1" }, { port: z.number().default(8080) });

  it("a workload the stack file says nothing about is enabled, accepts no volume template change, and gets the service's resources", () => {
    expect(settings().parse({})).toStrictEqual({ enabled: true, resources: { ...small, cpuLimit: "1" }, acceptVolumeTemplateChange: false, port: 8080 });
  });

  it("documents every common key next to the service's own", () => {
    expect(jsonSchema(settings())).toStrictEqual({
      $schema: SCHEMA,
      type: "object",
      properties: {
        enabled: { default: true, description: "run it (default true)", type: "boolean" },
        replicas: { description: "pod count (default depends on the service)", type: "integer", minimum: 1, maximum: 15 },
        node: { description: "the node a pinned workload runs on (default: the first node with its role)", type: "string" },
        resources: resourcesSchema({ description: "CPU limit (default 1)", default: "1", ...cpu }),
        acceptVolumeTemplateChange: {
          default: false,
          description: "for one pulumi up after the safe procedure: accept a changed volume template (size, class) of this StatefulSet (README: Stateful data and config changes)",
          type: "boolean",
        },
        migrateFrom: { description: "declare that you copied the local volume from that node, so the workload may move (README: Moving a stateful workload)", type: "string" },
        port: { default: 8080, type: "number" },
      },
      additionalProperties: false,
    });
  });
});

describe("parseImageReference", () => {
  const digest = `sha256:${"0123456789abcdef".repeat(4)}`;

  it("splits repository and tag, with a registry port in the repository", () => {
    expect(parseImageReference("ghcr.io/you/app:1.4.2")).toStrictEqual({ repository: "ghcr.io/you/app", tag: "1.4.2" });
    expect(parseImageReference("registry.lan:5000/team/app:v2")).toStrictEqual({ repository: "registry.lan:5000/team/app", tag: "v2" });
  });

  it("keeps a full sha256 digest, without its @", () => {
    expect(parseImageReference(`ghcr.io/you/app:1.4.2@${digest}`)).toStrictEqual({ repository: "ghcr.io/you/app", tag: "1.4.2", digest });
  });

  it("refuses a truncated or non-hex digest rather than dropping it", () => {
    expect(parseImageReference("ghcr.io/you/app:1.4.2@sha256:0123abcd")).toBeUndefined();
    expect(parseImageReference(`ghcr.io/you/app:1.4.2@sha256:${"g".repeat(64)}`)).toBeUndefined();
  });

  it("refuses a reference that does not start with a lower-case letter or digit", () => {
    expect(parseImageReference("Ghcr.io/you/app:1.4.2")).toBeUndefined();
    expect(parseImageReference("-app:1.4.2")).toBeUndefined();
  });

  it("refuses a reference without a tag, and one with two tags", () => {
    expect(parseImageReference("ghcr.io/you/app")).toBeUndefined();
    expect(parseImageReference("ghcr.io/you/app:1.4:1.5")).toBeUndefined();
  });
});

describe("pinnedImageSetting", () => {
  const setting = () => pinnedImageSetting("ghcr.io/you/app:1.4.2");

  it("gives the parsed reference of a pinned image", () => {
    expect(setting().parse(`ghcr.io/you/app:1.4.2`)).toStrictEqual({ repository: "ghcr.io/you/app", tag: "1.4.2" });
  });

  it("refuses a reference without a tag, showing an example", () => {
    expect(setting().safeParse("ghcr.io/you/app").error?.issues).toStrictEqual([{ code: "custom", path: [], message: '"ghcr.io/you/app" has no tag\nfix: pin a version tag, e.g. ghcr.io/you/app:1.4.2' }]);
  });

  it("refuses latest, saying it can change under a running deploy", () => {
    expect(setting().safeParse("ghcr.io/you/app:latest").error?.issues).toStrictEqual([
      { code: "custom", path: [], message: 'tag "latest" of ghcr.io/you/app is not a pinned version (it can change under a running deploy)\nfix: pin a version tag, e.g. ghcr.io/you/app:1.4.2' },
    ]);
  });
});
