// The PatroniPostgres component as rendered for every stack.
import YAML from "yaml";
import { rendered, ofKind } from "../harness";
import { DISCOVERY_SCRIPT } from "../../components/data/postgres";

const env = (c: any, name: string) => c.env.find((e: any) => e.name === name);

describe.each([["prod", 3, true], ["homelab", 1, false], ["dev", 1, false]] as const)("postgres in %s", (stack, members, sync) => {
  const s = () => rendered(stack);
  const sts = () => ofKind(s(), "StatefulSet").find((w) => w.metadata.name === "postgres")!;

  it(`runs ${members} Spilo member(s) spread one per node, with the discovery sidecar`, () => {
    expect(sts().spec.replicas).toBe(members);
    const pod = sts().spec.template.spec;
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(pod.containers.map((c: any) => c.name)).toEqual(["postgres", "discovery"]);
    expect(pod.containers[0].image).toMatch(/^ghcr\.io\/zalando\/spilo-17:4\.0-p3$/);
    expect(pod.containers[0].readinessProbe.httpGet).toEqual({ path: "/readiness", port: "patroni" });
    expect(pod.containers[0].livenessProbe.httpGet).toEqual({ path: "/liveness", port: "patroni" });
    expect(sts().spec.volumeClaimTemplates[0].spec.storageClassName).toBe("local-path");
  });

  it(`feeds Patroni the generated config (synchronous_mode ${sync}) and passwords only by Secret reference`, () => {
    const c = sts().spec.template.spec.containers[0];
    const spilo = YAML.parse(env(c, "SPILO_CONFIGURATION").value);
    expect(spilo.bootstrap.dcs).toMatchObject({ ttl: 20, loop_wait: 2, retry_timeout: 9, synchronous_mode: sync });
    expect(spilo.postgresql.pg_hba).toContain("host all all 0.0.0.0/0 reject");
    expect(env(c, "PGPASSWORD_SUPERUSER").valueFrom.secretKeyRef).toEqual({ name: "postgres-credentials", key: "superuser-password" });
    expect(env(c, "KUBERNETES_USE_CONFIGMAPS").value).toBe("true");
  });

  it("Patroni's member selector (KUBERNETES_LABELS + scope label = SCOPE) matches the pods' own labels", () => {
    const c = sts().spec.template.spec.containers[0];
    const wanted = { ...JSON.parse(env(c, "KUBERNETES_LABELS").value), [env(c, "KUBERNETES_SCOPE_LABEL").value]: env(c, "SCOPE").value };
    expect(sts().spec.template.metadata.labels).toMatchObject(wanted);
  });

  it("has a headless Service, a selector-less primary Service with its EndpointSlice, and a replicas Service on the role label", () => {
    const svcs = Object.fromEntries(ofKind(s(), "Service").map((x) => [x.metadata.name, x]));
    expect(svcs["postgres-headless"].spec.clusterIP).toBe("None");
    expect(svcs["postgres-primary"].spec.selector).toBeUndefined();
    expect(svcs["postgres-replicas"].spec.selector).toMatchObject({ "spilo-role": "replica", "app.kubernetes.io/name": "postgres" });
    const slice = ofKind(s(), "EndpointSlice").find((x) => x.metadata.name === "postgres-primary")!;
    expect(slice.metadata.labels["kubernetes.io/service-name"]).toBe("postgres-primary");
    expect(slice.metadata.labels["endpointslice.kubernetes.io/managed-by"]).not.toBe("endpointslice-controller.k8s.io");
    expect(slice.ports).toEqual([{ name: "postgres", port: 5432, protocol: "TCP" }]);
  });

  it("gives the sidecar only get/patch/update on the one EndpointSlice", () => {
    const role = ofKind(s(), "Role").find((r) => r.metadata.name === "postgres-discovery")!;
    expect(role.rules).toEqual([{ apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], resourceNames: ["postgres-primary"], verbs: ["get", "patch", "update"] }]);
    const cm = ofKind(s(), "ConfigMap").find((x) => x.metadata.name === "postgres-discovery")!;
    expect(cm.data["discovery-sidecar.sh"]).toBe(DISCOVERY_SCRIPT);
  });
});
