// A wrong value in one setting must not hide the rest of its section from the cross-field rules:
// parseStack reports the field problem and still resolves a config in which only that setting falls
// back to its default (an optional, defaulted or prefaulted setting, or the nearest such ancestor of
// a wrong required value) — not the whole section. Small in-memory stacks; values worked out by hand.
import { parseStack } from "../../stacks";
import { Raw } from "../lib/stack-config";

function stack(workloads: Raw): Raw {
  return {
    domain: "lab.test",
    cluster: { mode: "k3s" },
    nodes: [
      { name: "alpha", roles: ["service"], k3s: "server", cpu: "4", memory: "8Gi", address: "10.0.0.1" },
      { name: "beta", roles: ["compute"], k3s: "agent", cpu: "4", memory: "16Gi", address: "10.0.0.2" },
    ],
    ingress: { certificates: { issuer: "selfsigned" } },
    workloads: { postgres: { enabled: false }, qdrant: { enabled: false }, ...workloads },
    observability: { enabled: false },
  };
}

describe("parseStack leaves out only the wrong setting", () => {
  it("a wrong optional setting (Ollama's node) is dropped, and Ollama stays enabled with its other settings", () => {
    const { problems, config } = parseStack("test", stack({ ollama: { enabled: true, mode: "cpu", node: "Bad Node", keepAlive: "1h" } }), []);
    expect(problems).toStrictEqual([{ path: "homelab:workloads.ollama.node", message: '"Bad Node" is not a valid node name', fix: "use lower-case letters, digits, '-' and '.'" }]);
    const o = config!.workloads.ollama;
    // With no node given, cpu mode resolves to the first compute node.
    expect({ enabled: o.enabled, mode: o.mode, keepAlive: o.keepAlive, node: o.node }).toStrictEqual({ enabled: true, mode: "cpu", keepAlive: "1h", node: "beta" });
  });

  it("a wrong defaulted setting (Ollama's keep-alive) falls back to its default, and Ollama stays enabled", () => {
    const { problems, config } = parseStack("test", stack({ ollama: { enabled: true, mode: "cpu", keepAlive: "five minutes" } }), []);
    expect(problems).toStrictEqual([
      {
        path: "homelab:workloads.ollama.keepAlive",
        message: '"five minutes" is not a keep-alive duration',
        fix: 'write a duration such as "5m" or "24h", a number of seconds, 0 (unload at once) or -1 (keep loaded)',
      },
    ]);
    const o = config!.workloads.ollama;
    expect({ enabled: o.enabled, mode: o.mode, keepAlive: o.keepAlive }).toStrictEqual({ enabled: true, mode: "cpu", keepAlive: "5m" });
  });

  it("a wrong prefaulted setting (PostgreSQL's version) falls back to 17, and PostgreSQL keeps its databases", () => {
    const { problems, config } = parseStack("test", stack({ postgres: { enabled: true, version: 12, databases: ["n8n"] } }), []);
    expect(problems).toStrictEqual([{ path: "homelab:workloads.postgres.version", message: "PostgreSQL 12 is not in the pinned Spilo image", fix: "use one of 13, 14, 15, 16, 17" }]);
    const p = config!.workloads.postgres;
    expect({ enabled: p.enabled, version: p.version, databases: p.databases }).toStrictEqual({ enabled: true, version: "17", databases: ["n8n"] });
  });

  it("a wrong list entry (a database name) drops the list to its default, and PostgreSQL stays enabled", () => {
    const { problems, config } = parseStack("test", stack({ postgres: { enabled: true, databases: ["Bad DB", "n8n"] } }), []);
    expect(problems).toStrictEqual([
      {
        path: "homelab:workloads.postgres.databases[0]",
        message: '"Bad DB" is not a usable database name',
        fix: "use lower-case letters, digits and _ (starting with a letter), not postgres/template0/template1/standby",
      },
    ]);
    const p = config!.workloads.postgres;
    expect({ enabled: p.enabled, databases: p.databases }).toStrictEqual({ enabled: true, databases: [] });
  });
});
