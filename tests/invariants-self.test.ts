// Each invariant must be able to fail: start from a healthy rendered stack, break one thing the way
// a real outage did, and the matching check must name it.
import { rendered } from "./harness";
import * as inv from "./lib/invariants";
import type { Manifest } from "../tools/lib/manifests";

function broken(edit: (ms: Manifest[]) => void, stack = "homelab"): Manifest[] {
  const ms: Manifest[] = JSON.parse(JSON.stringify(rendered(stack).manifests));
  edit(ms);
  return ms;
}
const sts = (ms: Manifest[], name: string) => ms.find((m) => m.kind === "StatefulSet" && m.metadata.name === name)!;
const svc = (ms: Manifest[], name: string) => ms.find((m) => m.kind === "Service" && m.metadata.name === name)!;

describe("the invariants catch what they promise", () => {
  it("holds on the healthy stack", () => {
    for (const check of Object.values(inv.ALL_INVARIANTS)) expect(check(rendered("homelab").manifests)).toEqual([]);
  });

  it("a workload with metrics and no monitor, two monitors, or a monitor on a port it does not have", () => {
    const mon = (m: Manifest[], name: string) => m.find((x) => x.kind === "PodMonitor" && x.metadata.name === name)!;
    expect(inv.everyMetricsEndpointIsScrapedOnce(broken((m) => m.splice(m.indexOf(mon(m, "qdrant")), 1)))).toEqual([
      "StatefulSet homelab/qdrant serves metrics on http but 0 monitors select it",
    ]);
    expect(inv.everyMetricsEndpointIsScrapedOnce(broken((m) => m.push({ ...mon(m, "qdrant"), metadata: { ...mon(m, "qdrant").metadata, name: "qdrant-again" } })))).toEqual([
      "StatefulSet homelab/qdrant serves metrics on http but 2 monitors select it (PodMonitor homelab/qdrant, PodMonitor homelab/qdrant-again)",
    ]);
    expect(inv.everyMetricsEndpointIsScrapedOnce(broken((m) => (mon(m, "postgres").spec.podMetricsEndpoints[1].port = "exportr")))).toEqual([
      "PodMonitor homelab/postgres scrapes port exportr that StatefulSet homelab/postgres does not have",
      "StatefulSet homelab/postgres serves metrics on exporter but PodMonitor homelab/postgres does not scrape it",
    ]);
  });

  it("a metrics port without Prometheus's allow (the namespace denies it by default)", () => {
    const ms = broken((m) => m.splice(m.findIndex((x) => x.kind === "NetworkPolicy" && x.metadata.name === "qdrant-metrics"), 1));
    expect(inv.allowsEqualTheWiring(ms)).toEqual(["missing allow: pods monitoring{app.kubernetes.io/name=prometheus} → StatefulSet homelab/qdrant :6333/TCP"]);
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

  it("a Service on a run-time label that no pod can carry at this replica count (role=replica on one member)", () => {
    const prod = () => JSON.parse(JSON.stringify(rendered("prod").manifests)) as Manifest[];
    expect(inv.runtimeSelectorsCanMatch(prod())).toEqual([]);
    const one = prod();
    sts(one, "postgres").spec.replicas = 1;
    expect(inv.runtimeSelectorsCanMatch(one)).toEqual([
      "Service homelab/postgres-replicas selects spilo-role=replica, which no pod of StatefulSet homelab/postgres can carry with 1 replica(s) (needs 2): it can never have an endpoint",
    ]);
    const unknown = prod();
    delete svc(unknown, "postgres-replicas").metadata.annotations["homelab.pesulabs.net/runtime-selector-min-replicas"];
    expect(inv.runtimeSelectorsCanMatch(unknown)).toEqual([
      "Service homelab/postgres-replicas selects run-time labels (spilo-role) without saying how many replicas it takes for a pod to carry them",
    ]);
  });

  it("Patroni's selector matching one of the program's ConfigMaps, or missing its members", () => {
    const ms = broken((m) => {
      const cm = m.find((x) => x.kind === "ConfigMap" && x.metadata.name === "postgres-discovery")!;
      cm.metadata.labels["homelab.pesulabs.net/patroni-cluster"] = "postgres";
    });
    expect(inv.patroniSelectsOnlyItsOwn(ms)).toEqual([
      "StatefulSet homelab/postgres: Patroni's cluster clean-up would delete ConfigMap homelab/postgres-discovery (its labels match Patroni's selector)",
    ]);
    const lost = broken((m) => delete sts(m, "postgres").spec.template.metadata.labels["homelab.pesulabs.net/patroni-cluster"]);
    expect(inv.patroniSelectsOnlyItsOwn(lost)).toEqual(["StatefulSet homelab/postgres container postgres: Patroni's selector does not match the members' pods"]);
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

  describe("default-deny networking", () => {
    const policy = (ms: Manifest[], name: string) => ms.find((m) => m.kind === "NetworkPolicy" && m.metadata.name === name)!;
    const TRAEFIK = "pods kube-system{app.kubernetes.io/instance=traefik-kube-system,app.kubernetes.io/name=traefik}";

    it("a namespace without its default-deny policy", () => {
      const ms = broken((m) => m.splice(m.indexOf(policy(m, "default-deny-ingress")), 1));
      expect(inv.everyPodDeniesIngressByDefault(ms)).toEqual([
        "StatefulSet homelab/postgres: no default-deny ingress policy selects its pods",
        "StatefulSet homelab/qdrant: no default-deny ingress policy selects its pods",
        "Job homelab/postgres-family-assistant-create: no default-deny ingress policy selects its pods",
        "Job homelab/postgres-mem0-create: no default-deny ingress policy selects its pods",
        "Job homelab/postgres-n8n-create: no default-deny ingress policy selects its pods",
      ]);
    });

    it("a policy that restricts egress (DNS must stay open)", () => {
      const ms = broken((m) => (policy(m, "default-deny-ingress").spec.policyTypes = ["Ingress", "Egress"]));
      expect(inv.everyPodDeniesIngressByDefault(ms)).toEqual(["NetworkPolicy homelab/default-deny-ingress restricts egress (pods must keep DNS and their outbound connections)"]);
    });

    it("a missing peer allow", () => {
      const ms = broken((m) => m.splice(m.indexOf(policy(m, "postgres-peers")), 1));
      expect(inv.allowsEqualTheWiring(ms)).toEqual([
        "missing allow: StatefulSet homelab/postgres → StatefulSet homelab/postgres :5432/TCP",
        "missing allow: StatefulSet homelab/postgres → StatefulSet homelab/postgres :8008/TCP",
      ]);
    });

    it("a connection's allow on the wrong port", () => {
      const ms = broken((m) => (policy(m, "postgres-n8n-create-to-postgres-primary").spec.ingress[0].ports[0].port = 8008));
      expect(inv.allowsEqualTheWiring(ms)).toEqual([
        "missing allow: Job homelab/postgres-n8n-create → StatefulSet homelab/postgres :5432/TCP",
        "allow without a connection, route or peer rule: Job homelab/postgres-n8n-create → StatefulSet homelab/postgres :8008/TCP",
      ]);
    });

    it("an allow wider than its connection (every pod of the namespace)", () => {
      const ms = broken((m) => (policy(m, "postgres-n8n-create-to-postgres-primary").spec.ingress[0].from[0].podSelector = {}));
      expect(inv.allowsEqualTheWiring(ms)).toEqual([
        "missing allow: Job homelab/postgres-n8n-create → StatefulSet homelab/postgres :5432/TCP",
        "allow without a connection, route or peer rule: every pod of homelab → StatefulSet homelab/postgres :5432/TCP",
      ]);
    });

    it("an extra hand-written allow", () => {
      const ms = broken((m) => {
        const extra = JSON.parse(JSON.stringify(policy(m, "postgres-peers")));
        extra.metadata.name = "qdrant-open";
        extra.spec = { podSelector: { matchLabels: { "app.kubernetes.io/name": "qdrant" } }, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 6333 }] }] };
        m.push(extra);
      });
      expect(inv.allowsEqualTheWiring(ms)).toEqual(["allow without a connection, route or peer rule: anyone → StatefulSet homelab/qdrant :6333/TCP"]);
    });

    it("a route whose backend gets no allow", () => {
      const ms = broken((m) => {
        const route = JSON.parse(JSON.stringify(m.find((x) => x.kind === "IngressRoute")!));
        route.metadata.name = "qdrant";
        route.spec.routes[0].services = [{ name: "qdrant", kind: "Service", port: "http" }];
        m.push(route);
      });
      expect(inv.allowsEqualTheWiring(ms)).toEqual([`missing allow: ${TRAEFIK} → StatefulSet homelab/qdrant :6333/TCP`]);
    });

    it("ACME HTTP-01 solvers that Traefik cannot reach", () => {
      // prod issues certificates over HTTP-01 (homelab uses DNS-01: no solver pods to reach).
      const ms = broken((m) => m.splice(m.indexOf(policy(m, "traefik-dashboard-acme-solver")), 1), "prod");
      expect(inv.allowsEqualTheWiring(ms)).toEqual([`missing allow: ${TRAEFIK} → pods homelab{acme.cert-manager.io/http01-solver=true} :8089/TCP`]);
    });

    it("a pod wired to a service by hand, without a connection", () => {
      const ms = broken((m) => sts(m, "qdrant").spec.template.spec.containers[0].env.push({ name: "DB", value: "postgres-primary.homelab.svc.cluster.local" }));
      expect(inv.allowsEqualTheWiring(ms)).toEqual(["StatefulSet homelab/qdrant: env DB names postgres-primary.homelab.svc.cluster.local but the pods declare no connection to it"]);
    });
  });
});
