// Reading the stack file: a wrong value where the schema has a default (or an unknown key) must not
// hide the stack-wide rules — one pass reports every problem — and the defaults that depend on other
// sections (MinIO's buckets follow the workloads that run) are filled in from the config.
import { Problem, validateRaw } from "../../stacks";
import { Raw, refusedProblems, stackRaw } from "../lib/stack-config";

/** The problems the stack is refused with ([] when it is valid). */
function problemsOf(stack: string, mutate: (r: Raw) => void): readonly Problem[] {
  const raw = stackRaw(stack);
  mutate(raw);
  return refusedProblems(raw, { stack });
}

/** prod with its third server made an agent: two servers, refused by a stack-wide rule. */
const twoServers = (r: Raw) => (r.nodes[2].k3s = "agent");

const EVEN_SERVERS: Problem = {
  path: "homelab:nodes",
  message: "2 k3s servers (ubuntu-8gb-hil-1, ubuntu-8gb-ash-1): embedded etcd needs an odd number for quorum",
  fix: "make 1 or 3 nodes servers (k3s: server), the rest agents",
};

describe("every problem in one pass", () => {
  it("a wrong top-level setting of a section that has a default still lets the stack-wide rules report theirs", () => {
    const problems = problemsOf("prod", (r) => {
      twoServers(r);
      r.cluster.flannelIface = "tailscale 0";
    });
    expect(problems).toEqual([
      { path: "homelab:cluster.flannelIface", message: '"tailscale 0" is not a network interface name', fix: "use the interface's name, e.g. tailscale0" },
      EVEN_SERVERS,
    ]);
  });

  it("an unknown key in a node is reported, and the node still counts for the stack-wide rules", () => {
    const problems = problemsOf("prod", (r) => {
      twoServers(r);
      r.nodes[0].foo = 1;
    });
    expect(problems).toEqual([
      {
        path: "homelab:nodes[0].foo",
        message: 'unknown setting "foo"',
        fix: "remove it; known settings: name, roles, k3s, cpu, memory, address, lanAddress, externalAddress, ssh, taints",
      },
      EVEN_SERVERS,
    ]);
  });

  it("a wrong required field and a wrong nested value of the same optional setting are both reported", () => {
    // frontend is optional, its image is required: the whole frontend falls back to its default,
    // and the problem in frontend.resources (inside what was left out) is still reported.
    const problems = problemsOf("homelab", (r) => (r.workloads.familyAssistant.frontend = { image: 123, resources: { memory: "lots" } }));
    expect(problems).toEqual([
      { path: "homelab:workloads.familyAssistant.frontend.image", message: "must be a string, got 123", fix: "write it as a quoted string" },
      {
        path: "homelab:workloads.familyAssistant.frontend.resources.memory",
        message: '"lots" is not a valid Kubernetes memory/storage quantity',
        fix: 'use a quantity such as "512Mi" or "8Gi"',
      },
    ]);
  });
});

describe("MinIO's default buckets follow the workloads that run", () => {
  const bucketsOf = (mutate: (r: Raw) => void) => {
    const raw = stackRaw("homelab");
    mutate(raw);
    return validateRaw("homelab", { raw, secretsPresent: [] }, { requireSecrets: false }).config.workloads.minio.buckets;
  };

  it("with PostgreSQL and Qdrant enabled, one bucket for each one's backups", () => {
    expect(bucketsOf(() => undefined)).toEqual([
      { name: "postgres-backups", consumers: ["postgres"], expireDays: 30 },
      { name: "qdrant-snapshots", consumers: ["qdrant"], expireDays: 30 },
    ]);
  });

  it("with Qdrant (and Mem0, which needs it) disabled, no Qdrant snapshot bucket", () => {
    const buckets = bucketsOf((r) => {
      r.workloads.qdrant.enabled = false;
      r.workloads.mem0.enabled = false;
    });
    expect(buckets).toEqual([{ name: "postgres-backups", consumers: ["postgres"], expireDays: 30 }]);
  });
});
