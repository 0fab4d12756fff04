// The PatroniPostgres component as rendered for every stack.
import YAML from "yaml";
import { rendered, ofKind } from "../harness";
import {
  CREATE_DATABASE_COMMAND,
  CREATE_DATABASE_SQL,
  DEFAULT_DCS,
  DEFAULT_PATRONI_TIMING,
  DISCOVERY_SCRIPT,
  SCRAM_VERIFIER_PY,
  SPILO_CONFIGURATION_DIGEST_ANNOTATION,
  spiloConfiguration,
} from "../../components/data/postgres";
import { createHash } from "node:crypto";

const env = (c: any, name: string) => c.env.find((e: any) => e.name === name);

describe.each([["prod", 3, true], ["homelab", 1, false], ["dev", 1, false]] as const)("postgres in %s", (stack, members, sync) => {
  const s = () => rendered(stack);
  const sts = () => ofKind(s(), "StatefulSet").find((w) => w.metadata.name === "postgres")!;

  it(`runs ${members} Spilo member(s) spread one per node, with the discovery sidecar`, () => {
    expect(sts().spec.replicas).toBe(members);
    const pod = sts().spec.template.spec;
    expect(pod.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution).toHaveLength(1);
    expect(pod.containers.map((c: any) => c.name)).toEqual(["postgres", "discovery", "exporter"]);
    expect(pod.containers[0].image).toMatch(/^ghcr\.io\/zalando\/spilo-17:4\.0-p3$/);
    expect(pod.containers[0].readinessProbe.httpGet).toEqual({ path: "/readiness", port: "patroni" });
    expect(pod.containers[0].livenessProbe.httpGet).toEqual({ path: "/liveness", port: "patroni" });
    expect(sts().spec.volumeClaimTemplates[0].spec.storageClassName).toBe("local-path");
  });

  it(`feeds Patroni the generated config (synchronous_mode ${sync}) and passwords only by Secret reference`, () => {
    const c = sts().spec.template.spec.containers[0];
    // The whole configuration travels in a Secret (it holds the REST API password): see postgres-secrets.test.ts.
    expect(env(c, "SPILO_CONFIGURATION").valueFrom.secretKeyRef).toEqual({ name: "postgres-spilo", key: "spilo-configuration" });
    expect(ofKind(s(), "Secret").find((x) => x.metadata.name === "postgres-spilo")!.stringData).toEqual({ "spilo-configuration": "<redacted>" });
    // The members' digest annotation pins what they run to spiloConfiguration() of the stack's settings.
    const expected = spiloConfiguration({ members, timing: DEFAULT_PATRONI_TIMING, dcs: DEFAULT_DCS });
    expect(sts().spec.template.metadata.annotations[SPILO_CONFIGURATION_DIGEST_ANNOTATION]).toBe(createHash("sha256").update(expected).digest("hex"));
    const spilo = YAML.parse(expected);
    expect(spilo.bootstrap.dcs).toMatchObject({ ttl: 20, loop_wait: 2, retry_timeout: 9, synchronous_mode: sync });
    expect(spilo.postgresql.pg_hba).toContain("host all all 0.0.0.0/0 reject");
    expect(spilo.postgresql.pg_hba).toContain("local replication standby scram-sha-256");
    expect(env(c, "PGPASSWORD_SUPERUSER").valueFrom.secretKeyRef).toEqual({ name: "postgres-credentials", key: "superuser-password" });
    expect(env(c, "KUBERNETES_USE_CONFIGMAPS").value).toBe("true");
  });

  it("generates the REST API password with the other credentials; the sidecar polls Patroni on loopback without it", () => {
    expect(ofKind(s(), "Secret").find((x) => x.metadata.name === "postgres-credentials")!.stringData).toHaveProperty("restapi-password");
    expect(s().resources.some((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name === "postgres-credentials-restapi-password")).toBe(true);
    const sidecar = sts().spec.template.spec.containers.find((c: any) => c.name === "discovery");
    expect(env(sidecar, "PATRONI_URL").value).toBe("http://127.0.0.1:8008");
    expect(sidecar.env.map((e: any) => e.name)).not.toContain("PATRONI_RESTAPI_PASSWORD");
  });

  it("runs Spilo as its postgres user and group (uid 101, gid 103), in the members and the database Jobs", () => {
    const jobs = ofKind(s(), "Job").filter((j) => j.metadata.name.startsWith("postgres-"));
    const spiloContainers = [sts().spec.template.spec.containers[0], ...jobs.map((j) => j.spec.template.spec.containers[0])];
    for (const c of spiloContainers) expect(c.securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 103, runAsNonRoot: true });
    expect(sts().spec.template.spec.securityContext.fsGroup).toBe(103);
  });

  it("lets Patroni delete its ConfigMaps by selector (deletecollection), on objects only its members' label marks", () => {
    const role = ofKind(s(), "Role").find((r) => r.metadata.name === "postgres-patroni")!;
    expect(role.rules.find((r: any) => r.resources.includes("configmaps")).verbs).toContain("deletecollection");
    const c = sts().spec.template.spec.containers[0];
    expect(JSON.parse(env(c, "KUBERNETES_LABELS").value)).toMatchObject({ "homelab.pesulabs.net/patroni-cluster": "postgres" });
  });

  it("Patroni's member selector (KUBERNETES_LABELS + scope label = SCOPE) matches the pods' own labels", () => {
    const c = sts().spec.template.spec.containers[0];
    const wanted = { ...JSON.parse(env(c, "KUBERNETES_LABELS").value), [env(c, "KUBERNETES_SCOPE_LABEL").value]: env(c, "SCOPE").value };
    expect(sts().spec.template.metadata.labels).toMatchObject(wanted);
  });

  it(`has a headless Service, a selector-less primary Service with its EndpointSlice, and ${members >= 2 ? "a" : "no"} replicas Service on the role label`, () => {
    const svcs = Object.fromEntries(ofKind(s(), "Service").map((x) => [x.metadata.name, x]));
    expect(svcs["postgres-headless"].spec.clusterIP).toBe("None");
    expect(svcs["postgres-primary"].spec.selector).toBeUndefined();
    if (members >= 2) {
      expect(svcs["postgres-replicas"].spec.selector).toMatchObject({ "spilo-role": "replica", "app.kubernetes.io/name": "postgres" });
      expect(svcs["postgres-replicas"].metadata.annotations["homelab.pesulabs.net/runtime-selector-min-replicas"]).toBe("2");
    } else {
      // One member is always the primary: a replicas Service could never have an endpoint.
      expect(svcs["postgres-replicas"]).toBeUndefined();
    }
    const slice = ofKind(s(), "EndpointSlice").find((x) => x.metadata.name === "postgres-primary")!;
    expect(slice.metadata.labels["kubernetes.io/service-name"]).toBe("postgres-primary");
    expect(slice.metadata.labels["endpointslice.kubernetes.io/managed-by"]).not.toBe("endpointslice-controller.k8s.io");
    expect(slice.ports).toEqual([{ name: "postgres", port: 5432, protocol: "TCP" }]);
  });

  it("the sidecar patches the EndpointSlice the primary Service reads: SLICE_NAME is that slice's name", () => {
    const sidecar = sts().spec.template.spec.containers.find((c: any) => c.name === "discovery");
    const slices = ofKind(s(), "EndpointSlice").filter((x) => x.metadata.labels?.["kubernetes.io/service-name"] === "postgres-primary");
    expect(slices.map((x) => x.metadata.name)).toEqual([env(sidecar, "SLICE_NAME").value]);
    const role = ofKind(s(), "Role").find((r) => r.metadata.name === "postgres-discovery")!;
    expect(role.rules[0].resourceNames).toEqual([env(sidecar, "SLICE_NAME").value]);
  });

  it("gives Patroni exactly the verbs it uses on ConfigMaps (leader lock, config, its cluster clean-up) and pods (role labels), no wildcard", () => {
    const role = ofKind(s(), "Role").find((r) => r.metadata.name === "postgres-patroni")!;
    expect(role.rules).toEqual([
      { apiGroups: [""], resources: ["configmaps"], verbs: ["create", "get", "list", "patch", "update", "watch", "delete", "deletecollection"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "patch", "update", "watch"] },
    ]);
  });

  it("gives the sidecar only get/patch/update on the one EndpointSlice", () => {
    const role = ofKind(s(), "Role").find((r) => r.metadata.name === "postgres-discovery")!;
    expect(role.rules).toEqual([{ apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], resourceNames: ["postgres-primary"], verbs: ["get", "patch", "update"] }]);
    const cm = ofKind(s(), "ConfigMap").find((x) => x.metadata.name === "postgres-discovery")!;
    expect(cm.data["discovery-sidecar.sh"]).toBe(DISCOVERY_SCRIPT);
  });
});

describe("application databases (homelab declares family_assistant, n8n, mem0)", () => {
  const s = () => rendered("homelab");

  it("each gets a connection Secret with everything a client needs", () => {
    for (const db of ["family_assistant", "n8n", "mem0"]) {
      const name = `postgres-${db.replace(/_/g, "-")}`;
      const secret = ofKind(s(), "Secret").find((x) => x.metadata.name === name)!;
      expect(Object.keys(secret.stringData).sort()).toEqual(["database", "host", "password", "port", "user"]);
      const generated = s().resources.find((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name === `${name}-password`);
      expect(generated).toBeDefined();
    }
  });

  it("each is created by a Job running the tested command and SQL, with passwords only from Secrets", () => {
    const jobs = ofKind(s(), "Job").filter((j) => j.metadata.name.startsWith("postgres-"));
    expect(jobs.map((j) => j.metadata.name).sort()).toEqual(["postgres-family-assistant-create", "postgres-mem0-create", "postgres-n8n-create"]);
    for (const j of jobs) {
      const c = j.spec.template.spec.containers[0];
      expect(c.command).toEqual(CREATE_DATABASE_COMMAND);
      expect(env(c, "SQL").value).toBe(CREATE_DATABASE_SQL);
      expect(env(c, "SCRAM_VERIFIER_PY").value).toBe(SCRAM_VERIFIER_PY);
      // The superuser: only it may turn statement logging off for the session.
      expect(env(c, "PGUSER").value).toBe("postgres");
      expect(env(c, "PGHOST").value).toBe("postgres-primary.homelab.svc.cluster.local");
      expect(env(c, "APP_PASSWORD").valueFrom.secretKeyRef.key).toBe("password");
      expect(env(c, "PGPASSWORD").valueFrom.secretKeyRef).toEqual({ name: "postgres-credentials", key: "superuser-password" });
      expect(c.resources.limits.memory).toBeDefined();
    }
  });
});
