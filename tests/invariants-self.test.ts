// Each invariant must be able to fail: start from a healthy rendered stack, break one thing the way
// a real outage did, and the matching check must name it.
import { rendered } from "./harness";
import * as inv from "./lib/invariants";
import type { Manifest } from "../tools/lib/manifests";

function broken(edit: (ms: Manifest[]) => void): Manifest[] {
  const ms: Manifest[] = JSON.parse(JSON.stringify(rendered("homelab").manifests));
  edit(ms);
  return ms;
}
const sts = (ms: Manifest[], name: string) => ms.find((m) => m.kind === "StatefulSet" && m.metadata.name === name)!;
const svc = (ms: Manifest[], name: string) => ms.find((m) => m.kind === "Service" && m.metadata.name === name)!;

describe("the invariants catch what they promise", () => {
  it("holds on the healthy stack", () => {
    for (const check of Object.values(inv.ALL_INVARIANTS)) expect(check(rendered("homelab").manifests)).toEqual([]);
  });

  it("a Service whose selector matches no pod", () => {
    const ms = broken((m) => (svc(m, "qdrant").spec.selector["app.kubernetes.io/name"] = "qdrnt"));
    expect(inv.servicesSelectPodsAndPorts(ms)).toEqual(["Service homelab/qdrant selects no workload"]);
  });

  it("a Service targeting a port the pods do not have", () => {
    const ms = broken((m) => (svc(m, "qdrant").spec.ports[0].targetPort = "metrics"));
    expect(inv.servicesSelectPodsAndPorts(ms)).toEqual(["Service homelab/qdrant targets port metrics that StatefulSet homelab/qdrant does not have"]);
  });

  it("a Service port that lands on another container port (qdrant's grpc Service port on http)", () => {
    const ms = broken((m) => (svc(m, "qdrant").spec.ports.find((p: any) => p.name === "grpc").targetPort = "http"));
    expect(inv.servicesSelectPodsAndPorts(ms)).toEqual(["Service homelab/qdrant port grpc targets StatefulSet homelab/qdrant's port http"]);
  });

  it("a selector-less Service with nobody managing its endpoints", () => {
    const ms = broken((m) => m.splice(m.findIndex((x) => x.kind === "EndpointSlice"), 1));
    expect(inv.servicesSelectPodsAndPorts(ms)).toEqual(["Service homelab/postgres-primary has no selector and no EndpointSlice"]);
  });

  it("a workload whose selector does not match its template", () => {
    const ms = broken((m) => (sts(m, "qdrant").spec.template.metadata.labels["app.kubernetes.io/name"] = "other"));
    expect(inv.selectorsMatchTemplates(ms)).toEqual(["StatefulSet homelab/qdrant: selector does not match its pod template"]);
  });

  it("a container without probes, requests or memory limit, or with a floating tag", () => {
    const ms = broken((m) => {
      const c = sts(m, "qdrant").spec.template.spec.containers[0];
      delete c.readinessProbe;
      delete c.resources.limits.memory;
      c.image = "docker.io/qdrant/qdrant:latest";
    });
    expect(inv.containersAreComplete(ms)).toEqual([
      "StatefulSet homelab/qdrant container qdrant: no readiness probe",
      "StatefulSet homelab/qdrant container qdrant: image docker.io/qdrant/qdrant:latest is not pinned",
      "StatefulSet homelab/qdrant container qdrant: no memory limit",
    ]);
  });

  it("a PDB that selects nothing", () => {
    const ms = broken((m) => (m.find((x) => x.kind === "PodDisruptionBudget")!.spec.selector.matchLabels = { app: "gone" }));
    expect(inv.pdbsSelectPods(ms)).toHaveLength(1);
  });

  it("a PDB that lets no pod go", () => {
    const ms = broken((m) => (m.find((x) => x.kind === "PodDisruptionBudget")!.spec.maxUnavailable = 0));
    expect(inv.pdbsLetOnePodGo(ms)).toHaveLength(1);
  });

  it("a pod without the runtime's default seccomp profile", () => {
    const ms = broken((m) => delete sts(m, "qdrant").spec.template.spec.securityContext.seccompProfile);
    expect(inv.podsUseRuntimeDefaultSeccomp(ms)).toEqual(["StatefulSet homelab/qdrant: pod without the RuntimeDefault seccomp profile"]);
  });

  it("a Role granting a wildcard", () => {
    const ms = broken((m) => (m.find((x) => x.kind === "Role" && x.metadata.name === "postgres-patroni")!.rules[1].verbs = ["*"]));
    expect(inv.rbacGrantsNoWildcards(ms)).toEqual(["Role homelab/postgres-patroni rule 1 grants * in verbs"]);
  });

  it("a stateful workload free to move away from its local volume, or dropping it on delete or scale-down", () => {
    const ms = broken((m) => {
      delete sts(m, "qdrant").spec.template.spec.nodeSelector;
      sts(m, "postgres").spec.persistentVolumeClaimRetentionPolicy.whenDeleted = "Delete";
      sts(m, "postgres").spec.persistentVolumeClaimRetentionPolicy.whenScaled = "Delete";
    });
    expect(inv.statefulWorkloadsStayWithTheirVolumes(ms)).toEqual([
      "StatefulSet homelab/postgres: volumes are not retained when it is deleted",
      "StatefulSet homelab/postgres: volumes are not retained when it is scaled down",
      "StatefulSet homelab/qdrant: local volumes but neither pinned to a node nor one replica per node",
    ]);
  });

  it("a resource that skips the readiness await", () => {
    const ms = broken((m) => (sts(m, "qdrant").metadata.annotations = { "pulumi.com/skipAwait": "true" }));
    expect(inv.nothingSkipsAwait(ms)).toEqual(["StatefulSet homelab/qdrant skips Pulumi's readiness await"]);
  });

  it("a generated password written into a pod spec, or a Secret rendered in clear", () => {
    const ms = broken((m) => {
      sts(m, "qdrant").spec.template.spec.containers[0].env.push({ name: "KEY", value: "mock-qdrant-api-key-api-key" });
      m.find((x) => x.kind === "Secret")!.stringData = { password: "hunter2" };
    });
    expect(inv.noInlinedSecrets(ms)).toHaveLength(2);
  });
});
