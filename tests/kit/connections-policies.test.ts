// allowConnections: which allows a consumer's connections become and what they are named. One policy
// per Service, suffixed with the port only when the consumer uses several ports of that same Service
// (same name, same namespace); and a consumer with no connection gets nothing at all.
import * as pulumi from "@pulumi/pulumi";
import { Consumer, allowConnections, httpConnection } from "../../components/kit";
import { Recorded, recordResources, registered } from "../lib/recording-mocks";

let recorded: Recorded[] = [];
beforeAll(() => {
  recorded = recordResources("connections-policies");
});
const NETWORK_POLICY = "kubernetes:networking.k8s.io/v1:NetworkPolicy";
const policy = (name: string) => recorded.find((r) => r.type === NETWORK_POLICY && r.name === name)?.inputs;
/** The consumer `name`, its pods labelled app=<name> in namespace "apps". */
const consumer = (name: string): Consumer => ({ name, pods: { namespace: "apps", podSelector: { app: name } } });
const fromApps = (app: string) => [{ podSelector: { matchLabels: { app } }, namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": "apps" } } }];

describe("allowConnections", () => {
  it("gives a consumer without connections no policy and no connects-to annotation", () => {
    const parent = new pulumi.ComponentResource("test:unit:Parent", "none", {});
    expect(allowConnections(parent, consumer("lonely"), [])).toStrictEqual({ policies: [], annotations: {} });
  });

  it("opens each port of a Service the consumer uses several ports of in its own policy, named <consumer>-to-<service>-<port>", async () => {
    const parent = new pulumi.ComponentResource("test:unit:Parent", "ports", {});
    const minio = { app: "minio" };
    const c = allowConnections(parent, consumer("uploader"), [httpConnection("minio", "data", 9000, minio), httpConnection("minio", "data", 9001, minio)]);
    await Promise.all(c.policies.map(registered));
    expect(c.policies).toHaveLength(2);
    expect(policy("data-uploader-to-minio-9000")).toStrictEqual({
      apiVersion: "networking.k8s.io/v1",
      kind: "NetworkPolicy",
      metadata: {
        name: "uploader-to-minio-9000",
        namespace: "data",
        labels: {
          "app.kubernetes.io/name": "uploader-to-minio-9000",
          "app.kubernetes.io/instance": "homelab-platform",
          "app.kubernetes.io/component": "network",
          "app.kubernetes.io/part-of": "homelab-platform",
          "app.kubernetes.io/managed-by": "pulumi",
        },
        annotations: { "homelab.pesulabs.net/allows": "connection" },
      },
      spec: { podSelector: { matchLabels: { app: "minio" } }, policyTypes: ["Ingress"], ingress: [{ from: fromApps("uploader"), ports: [{ port: 9000, protocol: "TCP" }] }] },
    });
    expect(policy("data-uploader-to-minio-9001")?.spec.ingress).toStrictEqual([{ from: fromApps("uploader"), ports: [{ port: 9001, protocol: "TCP" }] }]);
    expect(c.annotations).toStrictEqual({ "homelab.pesulabs.net/connects-to": "minio.data:9000,minio.data:9001" });
  });

  it("names the policy of each of two Services in one namespace <consumer>-to-<service>, without a port", async () => {
    const parent = new pulumi.ComponentResource("test:unit:Parent", "services", {});
    const c = allowConnections(parent, consumer("assistant"), [httpConnection("qdrant", "data", 6333, { app: "qdrant" }), httpConnection("ollama", "data", 11434, { app: "ollama" })]);
    await Promise.all(c.policies.map(registered));
    expect(recorded.filter((r) => r.type === NETWORK_POLICY && r.name.startsWith("data-assistant-")).map((r) => r.inputs.metadata.name).sort()).toStrictEqual(["assistant-to-ollama", "assistant-to-qdrant"]);
    expect(policy("data-assistant-to-qdrant")?.spec.ingress).toStrictEqual([{ from: fromApps("assistant"), ports: [{ port: 6333, protocol: "TCP" }] }]);
    expect(policy("data-assistant-to-ollama")?.spec.ingress).toStrictEqual([{ from: fromApps("assistant"), ports: [{ port: 11434, protocol: "TCP" }] }]);
    expect(c.annotations).toStrictEqual({ "homelab.pesulabs.net/connects-to": "ollama.data:11434,qdrant.data:6333" });
  });

  it("names the policies of same-named Services in two namespaces <consumer>-to-<service>, each in its Service's namespace", async () => {
    const parent = new pulumi.ComponentResource("test:unit:Parent", "namespaces", {});
    const c = allowConnections(parent, consumer("reporter"), [httpConnection("postgres", "data", 5432, { app: "pg-data" }), httpConnection("postgres", "ai", 5433, { app: "pg-ai" })]);
    await Promise.all(c.policies.map(registered));
    expect(recorded.filter((r) => r.type === NETWORK_POLICY && r.inputs.metadata.name.startsWith("reporter-")).map((r) => `${r.inputs.metadata.namespace}/${r.inputs.metadata.name}`).sort())
      .toStrictEqual(["ai/reporter-to-postgres", "data/reporter-to-postgres"]);
    expect(policy("data-reporter-to-postgres")?.spec.podSelector).toStrictEqual({ matchLabels: { app: "pg-data" } });
    expect(policy("ai-reporter-to-postgres")?.spec.ingress).toStrictEqual([{ from: fromApps("reporter"), ports: [{ port: 5433, protocol: "TCP" }] }]);
    expect(c.annotations).toStrictEqual({ "homelab.pesulabs.net/connects-to": "postgres.ai:5433,postgres.data:5432" });
  });
});
