// What the apps' cross-field rules tell a homelab user, word for word: an app that takes a database
// needs PostgreSQL on, with that database listed. Small in-memory stacks; expected problems by hand.
import { Problem, Problems } from "../../stacks";
import { validateApps } from "../../stacks/apps";
import { Raw, parsedConfig } from "../lib/stack-config";

function stack(workloads: Raw): Raw {
  return {
    domain: "lab.test",
    cluster: { mode: "k3s" },
    nodes: [
      { name: "alpha", roles: ["service"], k3s: "server", cpu: "4", memory: "8Gi", address: "10.0.0.1" },
      { name: "beta", roles: ["compute"], k3s: "agent", cpu: "4", memory: "16Gi", address: "10.0.0.2" },
    ],
    ingress: { certificates: { issuer: "selfsigned" } },
    workloads: { qdrant: { enabled: false }, ...workloads },
    observability: { enabled: false },
  };
}

function appProblems(raw: Raw): Problem[] {
  const problems = new Problems();
  validateApps(parsedConfig(raw), problems);
  return problems.list;
}

describe("the databases the apps take", () => {
  it("n8n with PostgreSQL disabled is refused, the fix naming both ways out", () => {
    expect(appProblems(stack({ postgres: { enabled: false }, n8n: { enabled: true } }))).toStrictEqual([
      {
        path: "homelab:workloads.n8n.enabled",
        message: "n8n needs PostgreSQL, and workloads.postgres is disabled",
        fix: "enable homelab:workloads.postgres, or set homelab:workloads.n8n.enabled: false",
      },
    ]);
  });

  it("n8n with PostgreSQL on but its database not listed is refused, naming the database to add", () => {
    expect(appProblems(stack({ postgres: { enabled: true, databases: ["mem0"] }, n8n: { enabled: true } }))).toStrictEqual([
      {
        path: "homelab:workloads.n8n.enabled",
        message: 'n8n needs the database "n8n", which homelab:workloads.postgres.databases does not list',
        fix: "add n8n to homelab:workloads.postgres.databases",
      },
    ]);
  });

  it("n8n with its database listed is accepted", () => {
    expect(appProblems(stack({ postgres: { enabled: true, databases: ["n8n"] }, n8n: { enabled: true } }))).toStrictEqual([]);
  });
});
