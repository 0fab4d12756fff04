// The kit's network allows: one per connection, route and peer rule, each exactly as wide as it.
import * as pulumi from "@pulumi/pulumi";
import {
  CONNECTS_TO_ANNOTATION,
  IMAGES,
  PEER_PORTS_ANNOTATION,
  WorkloadSpec,
  allowPolicySpec,
  checkWorkloadSpec,
  emitWorkload,
  httpConnection,
  onRole,
  policyName,
} from "../../components/kit";
import { Recorded, recordResources, registered } from "../lib/recording-mocks";

let recorded: Recorded[] = [];
beforeAll(() => {
  recorded = recordResources("network-unit");
});
const inputs = (type: string, name: string) => recorded.find((r) => r.type === type && r.name === name)?.inputs;

const member: WorkloadSpec = {
  identity: { name: "cache", component: "test" },
  kind: "StatefulSet",
  replicas: 3,
  placement: onRole("service", "required"),
  peerPorts: ["gossip"],
  service: { ports: ["redis"] },
  containers: [
    {
      name: "cache",
      image: IMAGES.kubectl,
      ports: [{ name: "redis", containerPort: 6379 }, { name: "gossip", containerPort: 16379 }],
      resources: { cpu: "10m", memory: "16Mi", memoryLimit: "32Mi" },
      readiness: { action: { tcp: { port: "redis" } } },
      liveness: { action: { tcp: { port: "redis" } } },
    },
  ],
};

describe("allowPolicySpec", () => {
  const base = { name: "a", reason: "connection" as const, from: { namespace: "apps", podSelector: { app: "web" } }, to: { namespace: "data", podSelector: { app: "db" } }, ports: [{ port: 5432 }] };
  it("admits only the source pods, from their namespace, on the given ports", () => {
    expect(allowPolicySpec(base)).toEqual({
      podSelector: { matchLabels: { app: "db" } },
      policyTypes: ["Ingress"],
      ingress: [{ from: [{ podSelector: { matchLabels: { app: "web" } }, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "apps" } } }], ports: [{ port: 5432, protocol: "TCP" }] }],
    });
  });
  it("selects the source in the target's own namespace without a namespace selector", () => {
    expect(allowPolicySpec({ ...base, from: { namespace: "data", podSelector: { app: "web" } } }).ingress).toEqual([{ from: [{ podSelector: { matchLabels: { app: "web" } } }], ports: [{ port: 5432, protocol: "TCP" }] }]);
  });
  it("refuses anything that would open more than one connection's worth", () => {
    expect(() => allowPolicySpec({ ...base, to: { namespace: "data", podSelector: {} } })).toThrow(/target selector is empty/);
    expect(() => allowPolicySpec({ ...base, from: { namespace: "apps", podSelector: {} } })).toThrow(/source selector is empty/);
    expect(() => allowPolicySpec({ ...base, ports: [] })).toThrow(/no ports/);
  });
});

describe("policyName", () => {
  it("keeps short names and shortens long ones to a stable DNS label", () => {
    expect(policyName("web", "to", "db")).toBe("web-to-db");
    const long = policyName("postgres-a-very-long-application-database-name-create", "to", "postgres-primary");
    expect(long.length).toBeLessThanOrEqual(63);
    expect(long).toMatch(/^postgres-a-very-long-.*-[0-9a-f]{8}$/);
    expect(policyName("postgres-a-very-long-application-database-name-create", "to", "postgres-primary")).toBe(long);
  });
});

describe("emitWorkload: connections and peer ports become allows", () => {
  it("refuses a peer port no container has", () => {
    expect(() => checkWorkloadSpec({ ...member, peerPorts: ["raft"] })).toThrow(/peer port "raft" is not a container port/);
  });

  it("one allow per connection, one for the peers, and the wiring recorded on the objects", async () => {
    const parent = new pulumi.ComponentResource("test:unit:Parent", "p", {});
    const qdrant = httpConnection("qdrant", "data", 6333, { "app.kubernetes.io/name": "qdrant" });
    const w = emitWorkload(parent, member, { namespace: "apps", connections: [qdrant, qdrant] });
    await Promise.all([registered(w.workload), ...w.policies.map(registered)]);
    expect(w.policies).toHaveLength(2);
    expect(inputs("kubernetes:networking.k8s.io/v1:NetworkPolicy", "data-cache-to-qdrant")?.spec).toEqual({
      podSelector: { matchLabels: { "app.kubernetes.io/name": "qdrant" } },
      policyTypes: ["Ingress"],
      ingress: [{
        from: [{ podSelector: { matchLabels: { "app.kubernetes.io/name": "cache", "app.kubernetes.io/instance": "homelab-platform" } }, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "apps" } } }],
        ports: [{ port: 6333, protocol: "TCP" }],
      }],
    });
    const peers = inputs("kubernetes:networking.k8s.io/v1:NetworkPolicy", "apps-cache-peers");
    expect(peers?.spec.ingress).toEqual([{ from: [{ podSelector: { matchLabels: peers?.spec.podSelector.matchLabels } }], ports: [{ port: 16379, protocol: "TCP" }] }]);
    const sts = inputs("kubernetes:apps/v1:StatefulSet", "cache")!;
    expect(sts.metadata.annotations[PEER_PORTS_ANNOTATION]).toBe("gossip");
    expect(sts.spec.template.metadata.annotations[CONNECTS_TO_ANNOTATION]).toBe("qdrant.data:6333");
  });
});
