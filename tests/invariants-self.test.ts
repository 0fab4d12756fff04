// Each invariant must be able to fail: start from a healthy rendered stack, break one thing the way
// a real outage did, and the matching check must name it — called directly, and through the policy
// pack's policy built from the same rule (policy/pack.ts), which must report the same messages.
import { rendered } from "./harness";
import * as inv from "./lib/invariants";
import { OptionsOf, optionsFrom, runPack } from "./lib/policy-runner";
import { Check, OPTION_RULES, RULES } from "../policy/rules";
import type { Registered } from "../policy/rules";
import type { Manifest } from "../tools/lib/manifests";

/** Rules that have failed on a fixture here: every rule must (see the last test). */
const failed = new Set<string>();

/** The rule's problems on `ms`; its pack policy (unless render-only) must report exactly these too. */
async function caught(check: Check, ms: Manifest[]): Promise<string[]> {
  const direct = check(ms);
  const rule = RULES.find((r) => r.check === check);
  expect(rule).toBeDefined();
  if (direct.length) failed.add(rule!.name);
  if (!rule!.renderOnly) {
    const viaPack = (await runPack(ms, rule!.name)).map((v) => v.message);
    expect({ rule: rule!.name, messages: [...viaPack].sort() }).toEqual({ rule: rule!.name, messages: [...direct].sort() });
  }
  return direct;
}

/** The same for an options rule: the objects with the options `optionsOf` gives them. */
async function caughtRegistered(check: (rs: readonly Registered[]) => string[], ms: Manifest[], optionsOf: OptionsOf): Promise<string[]> {
  const rule = OPTION_RULES.find((r) => r.checkRegistered === check);
  expect(rule).toBeDefined();
  const direct = check(ms.map((m) => ({ manifest: m, protect: optionsOf(m).protect, createTimeoutSeconds: optionsOf(m).createSeconds || undefined })));
  if (direct.length) failed.add(rule!.name);
  const viaPack = (await runPack(ms, rule!.name, optionsOf)).map((v) => v.message);
  expect({ rule: rule!.name, messages: [...viaPack].sort() }).toEqual({ rule: rule!.name, messages: [...direct].sort() });
  return direct;
}

function broken(edit: (ms: Manifest[]) => void, stack = "homelab"): Manifest[] {
  const ms: Manifest[] = JSON.parse(JSON.stringify(rendered(stack).manifests));
  edit(ms);
  return ms;
}
const sts = (ms: Manifest[], name: string) => ms.find((m) => m.kind === "StatefulSet" && m.metadata.name === name)!;
const svc = (ms: Manifest[], name: string) => ms.find((m) => m.kind === "Service" && m.metadata.name === name)!;

describe("the invariants catch what they promise", () => {
  it("holds on the healthy stack", async () => {
    for (const check of Object.values(inv.ALL_INVARIANTS)) expect(check(rendered("homelab").manifests)).toEqual([]);
  });

  it("a workload with metrics and no monitor, two monitors, or a monitor on a port it does not have", async () => {
    const mon = (m: Manifest[], name: string) => m.find((x) => x.kind === "PodMonitor" && x.metadata.name === name)!;
    expect(await caught(inv.everyMetricsEndpointIsScrapedOnce, broken((m) => m.splice(m.indexOf(mon(m, "qdrant")), 1)))).toEqual([
      "StatefulSet homelab/qdrant serves metrics on http but 0 monitors select it",
    ]);
    expect(await caught(inv.everyMetricsEndpointIsScrapedOnce, broken((m) => m.push({ ...mon(m, "qdrant"), metadata: { ...mon(m, "qdrant").metadata, name: "qdrant-again" } })))).toEqual([
      "StatefulSet homelab/qdrant serves metrics on http but 2 monitors select it (PodMonitor homelab/qdrant, PodMonitor homelab/qdrant-again)",
    ]);
    expect(await caught(inv.everyMetricsEndpointIsScrapedOnce, broken((m) => (mon(m, "postgres").spec.podMetricsEndpoints[1].port = "exportr")))).toEqual([
      "PodMonitor homelab/postgres scrapes port exportr that StatefulSet homelab/postgres does not have",
      "StatefulSet homelab/postgres serves metrics on exporter but PodMonitor homelab/postgres does not scrape it",
    ]);
  });

  it("a metrics port without Prometheus's allow (the namespace denies it by default)", async () => {
    const ms = broken((m) => m.splice(m.findIndex((x) => x.kind === "NetworkPolicy" && x.metadata.name === "qdrant-metrics"), 1));
    expect(await caught(inv.allowsEqualTheWiring, ms)).toEqual(["missing allow: pods monitoring{app.kubernetes.io/name=prometheus} → StatefulSet homelab/qdrant :6333/TCP"]);
  });

  it("a Service whose selector matches no pod", async () => {
    const ms = broken((m) => (svc(m, "qdrant").spec.selector["app.kubernetes.io/name"] = "qdrnt"));
    expect(await caught(inv.servicesSelectPodsAndPorts, ms)).toEqual(["Service homelab/qdrant selects no workload"]);
  });

  it("a Service targeting a port the pods do not have", async () => {
    const ms = broken((m) => (svc(m, "qdrant").spec.ports[0].targetPort = "metrics"));
    expect(await caught(inv.servicesSelectPodsAndPorts, ms)).toEqual(["Service homelab/qdrant targets port metrics that StatefulSet homelab/qdrant does not have"]);
  });

  it("a Service port that lands on another container port (qdrant's grpc Service port on http)", async () => {
    const ms = broken((m) => (svc(m, "qdrant").spec.ports.find((p: any) => p.name === "grpc").targetPort = "http"));
    expect(await caught(inv.servicesSelectPodsAndPorts, ms)).toEqual(["Service homelab/qdrant port grpc targets StatefulSet homelab/qdrant's port http"]);
  });

  it("a selector-less Service with nobody managing its endpoints", async () => {
    const ms = broken((m) => m.splice(m.findIndex((x) => x.kind === "EndpointSlice"), 1));
    expect(await caught(inv.servicesSelectPodsAndPorts, ms)).toEqual(["Service homelab/postgres-primary has no selector and no EndpointSlice"]);
  });

  it("a workload whose selector does not match its template", async () => {
    const ms = broken((m) => (sts(m, "qdrant").spec.template.metadata.labels["app.kubernetes.io/name"] = "other"));
    expect(await caught(inv.selectorsMatchTemplates, ms)).toEqual(["StatefulSet homelab/qdrant: selector does not match its pod template"]);
  });

  it("a container without probes, requests or memory limit, or with a floating tag", async () => {
    const ms = broken((m) => {
      const c = sts(m, "qdrant").spec.template.spec.containers[0];
      delete c.readinessProbe;
      delete c.resources.limits.memory;
      c.image = "docker.io/qdrant/qdrant:latest";
    });
    expect(await caught(inv.containersAreComplete, ms)).toEqual([
      "StatefulSet homelab/qdrant container qdrant: no readiness probe",
      "StatefulSet homelab/qdrant container qdrant: image docker.io/qdrant/qdrant:latest is not pinned",
      "StatefulSet homelab/qdrant container qdrant: no memory limit",
    ]);
  });

  it("a PDB that selects nothing", async () => {
    const ms = broken((m) => (m.find((x) => x.kind === "PodDisruptionBudget")!.spec.selector.matchLabels = { app: "gone" }));
    expect(await caught(inv.pdbsSelectPods, ms)).toHaveLength(1);
  });

  it("a PDB that lets no pod go", async () => {
    const ms = broken((m) => (m.find((x) => x.kind === "PodDisruptionBudget")!.spec.maxUnavailable = 0));
    expect(await caught(inv.pdbsLetOnePodGo, ms)).toHaveLength(1);
  });

  it("a pod without the runtime's default seccomp profile", async () => {
    const ms = broken((m) => delete sts(m, "qdrant").spec.template.spec.securityContext.seccompProfile);
    expect(await caught(inv.podsUseRuntimeDefaultSeccomp, ms)).toEqual(["StatefulSet homelab/qdrant: pod without the RuntimeDefault seccomp profile"]);
  });

  it("a Role granting a wildcard", async () => {
    const ms = broken((m) => (m.find((x) => x.kind === "Role" && x.metadata.name === "postgres-patroni")!.rules[1].verbs = ["*"]));
    expect(await caught(inv.rbacGrantsNoWildcards, ms)).toEqual(["Role homelab/postgres-patroni rule 1 grants * in verbs"]);
  });

  it("a stateful workload free to move away from its local volume, or dropping it on delete or scale-down", async () => {
    const ms = broken((m) => {
      delete sts(m, "qdrant").spec.template.spec.nodeSelector;
      sts(m, "postgres").spec.persistentVolumeClaimRetentionPolicy.whenDeleted = "Delete";
      sts(m, "postgres").spec.persistentVolumeClaimRetentionPolicy.whenScaled = "Delete";
    });
    expect(await caught(inv.statefulWorkloadsStayWithTheirVolumes, ms)).toEqual([
      "StatefulSet homelab/postgres: volumes are not retained when it is deleted",
      "StatefulSet homelab/postgres: volumes are not retained when it is scaled down",
      "StatefulSet homelab/qdrant: local volumes but neither pinned to a node, nor one replica per node, nor spread evenly over named nodes",
    ]);
  });

  it("a Service on a run-time label that no pod can carry at this replica count (role=replica on one member)", async () => {
    const prod = () => JSON.parse(JSON.stringify(rendered("prod").manifests)) as Manifest[];
    expect(inv.runtimeSelectorsCanMatch(prod())).toEqual([]);
    const one = prod();
    sts(one, "postgres").spec.replicas = 1;
    expect(await caught(inv.runtimeSelectorsCanMatch, one)).toEqual([
      "Service homelab/postgres-replicas selects spilo-role=replica, which no pod of StatefulSet homelab/postgres can carry with 1 replica(s) (needs 2): it can never have an endpoint",
    ]);
    const unknown = prod();
    delete svc(unknown, "postgres-replicas").metadata.annotations["homelab.pesulabs.net/runtime-selector-min-replicas"];
    expect(await caught(inv.runtimeSelectorsCanMatch, unknown)).toEqual([
      "Service homelab/postgres-replicas selects run-time labels (spilo-role) without saying how many replicas it takes for a pod to carry them",
    ]);
  });

  it("Patroni's selector matching one of the program's ConfigMaps, or missing its members", async () => {
    const ms = broken((m) => {
      const cm = m.find((x) => x.kind === "ConfigMap" && x.metadata.name === "postgres-discovery")!;
      cm.metadata.labels["homelab.pesulabs.net/patroni-cluster"] = "postgres";
    });
    expect(await caught(inv.patroniSelectsOnlyItsOwn, ms)).toEqual([
      "StatefulSet homelab/postgres: Patroni's cluster clean-up would delete ConfigMap homelab/postgres-discovery (its labels match Patroni's selector)",
    ]);
    const lost = broken((m) => delete sts(m, "postgres").spec.template.metadata.labels["homelab.pesulabs.net/patroni-cluster"]);
    expect(await caught(inv.patroniSelectsOnlyItsOwn, lost)).toEqual(["StatefulSet homelab/postgres container postgres: Patroni's selector does not match the members' pods"]);
  });

  it("a resource that skips the readiness await", async () => {
    const ms = broken((m) => (sts(m, "qdrant").metadata.annotations = { "pulumi.com/skipAwait": "true" }));
    expect(await caught(inv.nothingSkipsAwait, ms)).toEqual(["StatefulSet homelab/qdrant skips Pulumi's readiness await"]);
  });

  it("a generated password written into a pod spec, or a Secret rendered in clear", async () => {
    const ms = broken((m) => {
      sts(m, "qdrant").spec.template.spec.containers[0].env.push({ name: "KEY", value: "mock-qdrant-api-key-api-key" });
      m.find((x) => x.kind === "Secret")!.stringData = { password: "hunter2" };
    });
    expect(await caught(inv.noInlinedSecrets, ms)).toHaveLength(2);
  });

  describe("resource options", () => {
    const recorded = () => optionsFrom(rendered("homelab").resources);
    /** The render's options, with `edit` applied to the object named "Kind namespace/name". */
    const except = (which: string, edit: (o: ReturnType<OptionsOf>) => ReturnType<OptionsOf>): OptionsOf => {
      const base = recorded();
      return (m) => (`${m.kind} ${m.metadata?.namespace ?? ""}/${m.metadata?.name}` === which ? edit(base(m)) : base(m));
    };

    it("holds with the options the render recorded", async () => {
      const ms = broken(() => undefined);
      for (const r of OPTION_RULES) expect(await caughtRegistered(r.checkRegistered, ms, recorded())).toEqual([]);
    });

    it("a StatefulSet with volumes left unprotected, or the namespace holding its claims", async () => {
      const ms = broken(() => undefined);
      expect(await caughtRegistered(inv.statefulDataProtected, ms, except("StatefulSet homelab/qdrant", (o) => ({ ...o, protect: false })))).toEqual([
        "StatefulSet homelab/qdrant holds volumes but is not protected (a config change could delete or replace it)",
      ]);
      // Every StatefulSet of the namespace with volume claims, worked out from the render itself.
      const holders = ms.filter((m) => m.kind === "StatefulSet" && m.metadata.namespace === "homelab" && (m.spec.volumeClaimTemplates ?? []).length > 0);
      expect(holders.map((m) => m.metadata.name)).toEqual(expect.arrayContaining(["postgres", "qdrant"]));
      expect((await caughtRegistered(inv.statefulDataProtected, ms, except("Namespace /homelab", (o) => ({ ...o, protect: false })))).sort()).toEqual(
        holders.map((m) => `Namespace /homelab holds the volumes of StatefulSet homelab/${m.metadata.name} but is not protected`).sort(),
      );
    });

    it("a StatefulSet awaited for less than a cold start, or a Job without a deadline", async () => {
      const short = await caughtRegistered(inv.awaitedLongEnough, broken(() => undefined), except("StatefulSet homelab/postgres", (o) => ({ ...o, createSeconds: 0 })));
      expect(short).toHaveLength(1);
      expect(short[0]).toMatch(/^StatefulSet homelab\/postgres is awaited 600 s, less than a cold start of its members \(\d+ s\)$/);
      const ms = broken((m) => delete m.find((x) => x.kind === "Job" && x.metadata.name === "postgres-n8n-create")!.spec.activeDeadlineSeconds);
      expect(await caughtRegistered(inv.awaitedLongEnough, ms, recorded())).toEqual(["Job homelab/postgres-n8n-create has no activeDeadlineSeconds (a stuck Job would hold the deploy)"]);
    });
  });

  describe("routes", () => {
    const route = (ms: Manifest[]) => ms.find((m) => m.kind === "IngressRoute" && m.metadata.name === "traefik-dashboard")!;

    it("HSTS shorter than a year on the route's headers Middleware", async () => {
      const ms = broken((m) => (m.find((x) => x.kind === "Middleware" && x.metadata.name === "security-headers")!.spec.headers.stsSeconds = 86400));
      const problems = await caught(inv.headerProblems, ms);
      expect(problems).toContain(
        "IngressRoute homelab/traefik-dashboard has no security-headers Middleware (homelab/security-headers: HSTS max-age 86400 is below 31536000; homelab/traefik-dashboard-auth: no headers)",
      );
      // Every route of the namespace takes the shared Middleware, so each one is named.
      const routes = ms.filter((m) => m.kind === "IngressRoute" && m.metadata.namespace === "homelab").map((m) => m.metadata.name);
      expect(problems.map((p) => /^IngressRoute homelab\/(\S+) /.exec(p)?.[1]).sort()).toEqual(routes.sort());
      for (const p of problems) expect(p).toMatch(/HSTS max-age 86400 is below 31536000/);
    });

    it("a certificate that does not cover the route's host", async () => {
      const ms = broken((m) => (m.find((x) => x.kind === "Certificate" && x.metadata.name === "traefik-dashboard-tls")!.spec.dnsNames = ["other.homelab.pesulabs.net"]));
      expect(await caught(inv.tlsProblems, ms)).toEqual(["IngressRoute homelab/traefik-dashboard: the certificate does not cover dash.homelab.pesulabs.net"]);
    });

    it("a route to a Service port that does not exist", async () => {
      const ms = broken((m) => (route(m).spec.routes[0].services = [{ kind: "Service", name: "qdrant", port: "admin" }]));
      expect(await caught(inv.backendProblems, ms)).toEqual(["IngressRoute homelab/traefik-dashboard points at port admin of Service qdrant, which has http,grpc"]);
    });
  });

  describe("default-deny networking", () => {
    const policy = (ms: Manifest[], name: string) => ms.find((m) => m.kind === "NetworkPolicy" && m.metadata.name === name)!;
    const TRAEFIK = "pods kube-system{app.kubernetes.io/instance=traefik-kube-system,app.kubernetes.io/name=traefik}";

    it("a namespace without its default-deny policy", async () => {
      const ms = broken((m) => m.splice(m.indexOf(policy(m, "default-deny-ingress")), 1));
      // Every pod owner of the namespace, worked out from the render itself: none escapes the check.
      const owners = ms.filter((m) => ["Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob"].includes(m.kind) && m.metadata.namespace === "homelab");
      expect(owners.map((m) => m.kind)).toEqual(expect.arrayContaining(["StatefulSet", "Deployment", "Job", "CronJob"]));
      expect((await caught(inv.everyPodDeniesIngressByDefault, ms)).sort()).toEqual(
        owners.map((m) => `${m.kind} homelab/${m.metadata.name}: no default-deny ingress policy selects its pods`).sort(),
      );
    });

    it("a policy that restricts egress (DNS must stay open)", async () => {
      const ms = broken((m) => (policy(m, "default-deny-ingress").spec.policyTypes = ["Ingress", "Egress"]));
      expect(await caught(inv.everyPodDeniesIngressByDefault, ms)).toEqual(["NetworkPolicy homelab/default-deny-ingress restricts egress (pods must keep DNS and their outbound connections)"]);
    });

    it("a missing peer allow", async () => {
      const ms = broken((m) => m.splice(m.indexOf(policy(m, "postgres-peers")), 1));
      expect(await caught(inv.allowsEqualTheWiring, ms)).toEqual([
        "missing allow: StatefulSet homelab/postgres → StatefulSet homelab/postgres :5432/TCP",
        "missing allow: StatefulSet homelab/postgres → StatefulSet homelab/postgres :8008/TCP",
      ]);
    });

    it("a connection's allow on the wrong port", async () => {
      const ms = broken((m) => (policy(m, "postgres-n8n-create-to-postgres-primary").spec.ingress[0].ports[0].port = 8008));
      expect(await caught(inv.allowsEqualTheWiring, ms)).toEqual([
        "missing allow: Job homelab/postgres-n8n-create → StatefulSet homelab/postgres :5432/TCP",
        "allow without a connection, route or peer rule: Job homelab/postgres-n8n-create → StatefulSet homelab/postgres :8008/TCP",
      ]);
    });

    it("an allow wider than its connection (every pod of the namespace)", async () => {
      const ms = broken((m) => (policy(m, "postgres-n8n-create-to-postgres-primary").spec.ingress[0].from[0].podSelector = {}));
      expect(await caught(inv.allowsEqualTheWiring, ms)).toEqual([
        "missing allow: Job homelab/postgres-n8n-create → StatefulSet homelab/postgres :5432/TCP",
        "allow without a connection, route or peer rule: every pod of homelab → StatefulSet homelab/postgres :5432/TCP",
      ]);
    });

    it("an extra hand-written allow", async () => {
      const ms = broken((m) => {
        const extra = JSON.parse(JSON.stringify(policy(m, "postgres-peers")));
        extra.metadata.name = "qdrant-open";
        extra.spec = { podSelector: { matchLabels: { "app.kubernetes.io/name": "qdrant" } }, policyTypes: ["Ingress"], ingress: [{ ports: [{ port: 6333 }] }] };
        m.push(extra);
      });
      expect(await caught(inv.allowsEqualTheWiring, ms)).toEqual(["allow without a connection, route or peer rule: anyone → StatefulSet homelab/qdrant :6333/TCP"]);
    });

    it("a route whose backend gets no allow", async () => {
      const ms = broken((m) => {
        const route = JSON.parse(JSON.stringify(m.find((x) => x.kind === "IngressRoute")!));
        route.metadata.name = "qdrant";
        route.spec.routes[0].services = [{ name: "qdrant", kind: "Service", port: "http" }];
        m.push(route);
      });
      expect(await caught(inv.allowsEqualTheWiring, ms)).toEqual([`missing allow: ${TRAEFIK} → StatefulSet homelab/qdrant :6333/TCP`]);
    });

    it("ACME HTTP-01 solvers that Traefik cannot reach", async () => {
      // prod issues certificates over HTTP-01 (homelab uses DNS-01: no solver pods to reach).
      // Every route's solver allow admits the same pods: remove them all (one per routed host).
      const ms = broken((m) => {
        for (const p of m.filter((x) => x.kind === "NetworkPolicy" && x.metadata.name.endsWith("-acme-solver"))) m.splice(m.indexOf(p), 1);
      }, "prod");
      // One allow per namespace with routes (the platform's, and monitoring's for Grafana).
      expect(await caught(inv.allowsEqualTheWiring, ms)).toEqual([
        `missing allow: ${TRAEFIK} → pods homelab{acme.cert-manager.io/http01-solver=true} :8089/TCP`,
        `missing allow: ${TRAEFIK} → pods monitoring{acme.cert-manager.io/http01-solver=true} :8089/TCP`,
      ]);
    });

    it("a pod wired to a service by hand, without a connection", async () => {
      const ms = broken((m) => sts(m, "qdrant").spec.template.spec.containers[0].env.push({ name: "DB", value: "postgres-primary.homelab.svc.cluster.local" }));
      expect(await caught(inv.allowsEqualTheWiring, ms)).toEqual(["StatefulSet homelab/qdrant: env DB names postgres-primary.homelab.svc.cluster.local but the pods declare no connection to it"]);
    });

    it("a NodePort whose clients get no allow, or that does not say who its clients are", async () => {
      const missing = broken((m) => m.splice(m.indexOf(policy(m, "family-assistant-nodeport-node-port")), 1));
      expect(await caught(inv.allowsEqualTheWiring, missing)).toEqual(["missing allow: ipBlock 100.64.0.0/10 → Deployment homelab/family-assistant :8001/TCP"]);
      const undeclared = broken((m) => delete svc(m, "family-assistant-nodeport").metadata.annotations);
      expect(await caught(inv.allowsEqualTheWiring, undeclared)).toEqual([
        "Service homelab/family-assistant-nodeport: a NodePort Service that does not declare who may reach it",
        "allow without a connection, route or peer rule: ipBlock 100.64.0.0/10 → Deployment homelab/family-assistant :8001/TCP",
      ]);
    });
  });

  describe("wiring: references by name resolve in the same render", () => {
    const dep = (ms: Manifest[], name: string) => ms.find((m) => m.kind === "Deployment" && m.metadata.name === name)!;
    const backendEnv = (ms: Manifest[]) => dep(ms, "family-assistant").spec.template.spec.containers[0].env as any[];

    it("holds on every committed stack's render", () => {
      for (const stack of ["homelab", "prod", "dev"]) expect(inv.referencesResolve(rendered(stack).manifests)).toEqual([]);
    });

    it("a Secret key that the Secret does not hold, or a Secret that is not rendered", async () => {
      const ms = broken((m) => {
        backendEnv(m).find((e) => e.name === "QDRANT_API_KEY").valueFrom.secretKeyRef.key = "apikey";
        backendEnv(m).find((e) => e.name === "DATABASE_URL_PASSWORD").valueFrom.secretKeyRef.name = "postgres-familyassistant";
      });
      expect(await caught(inv.referencesResolve, ms)).toEqual([
        "Deployment homelab/family-assistant container backend env DATABASE_URL_PASSWORD: no Secret homelab/postgres-familyassistant",
        'Deployment homelab/family-assistant container backend env QDRANT_API_KEY: Secret homelab/qdrant-api-key has no key "apikey" (keys: api-key)',
      ]);
    });

    it("a URL naming a Service that does not exist, or a port the Service does not have", async () => {
      const ms = broken((m) => {
        backendEnv(m).find((e) => e.name === "QDRANT_URL").value = "http://qdrant.homelab.svc.cluster.local:6335";
        backendEnv(m).find((e) => e.name === "REDIS_URL").value = "redis://:$(REDIS_URL_PASSWORD)@redis-master.homelab.svc.cluster.local:6379/0";
      });
      expect(await caught(inv.referencesResolve, ms)).toEqual([
        "Deployment homelab/family-assistant container backend env QDRANT_URL: Service homelab/qdrant has no port 6335 (ports: 6333, 6334)",
        "Deployment homelab/family-assistant container backend env REDIS_URL: names Service homelab/redis-master, which is not rendered",
      ]);
    });

    it("a host whose port sits in the sibling PORT variable (n8n's DB_POSTGRESDB_HOST/PORT)", async () => {
      const ms = broken((m) => (sts(m, "n8n").spec.template.spec.containers[0].env.find((e: any) => e.name === "DB_POSTGRESDB_PORT").value = "5433"));
      expect(await caught(inv.referencesResolve, ms)).toEqual(["StatefulSet homelab/n8n container n8n env DB_POSTGRESDB_HOST: Service homelab/postgres-primary has no port 5433 (ports: 5432)"]);
    });

    it("a $(VAR) listed before the variable it names (Kubernetes would pass the text through)", async () => {
      const ms = broken((m) => {
        const env = backendEnv(m);
        const i = env.findIndex((e) => e.name === "DATABASE_URL_PASSWORD");
        env.push(...env.splice(i, 1));
      });
      expect(await caught(inv.referencesResolve, ms)).toEqual(["Deployment homelab/family-assistant container backend env DATABASE_URL: $(DATABASE_URL_PASSWORD) is listed after it, so Kubernetes does not expand it"]);
    });

    it("a mounted Secret that is not rendered", async () => {
      const ms = broken((m) => (sts(m, "redis").spec.template.spec.volumes.find((v: any) => v.name === "config").secret.secretName = "redis-conf"));
      expect(await caught(inv.referencesResolve, ms)).toEqual(["StatefulSet homelab/redis volume config: no Secret homelab/redis-conf"]);
    });
  });

});

describe("scheduled jobs (the backup CronJobs) are held to the same rules", () => {
  // A backup CronJob as the kit emits it (the render has none until a backup bucket is wired).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { cronJobBody, BACKUP_LABEL } = require("../components/kit") as typeof import("../components/kit");
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { qdrantSnapshotJob } = require("../components/data/backup") as typeof import("../components/data/backup");
  const s3 = {
    kind: "s3" as const, host: "minio.homelab.svc.cluster.local", port: 9000, service: "minio", url: "http://minio.homelab.svc.cluster.local:9000",
    endpoint: { namespace: "homelab", podSelector: { "app.kubernetes.io/name": "minio" }, port: 9000 }, bucket: "qdrant-snapshots", region: "us-east-1",
    accessKeyId: { secretName: "minio-qdrant", key: "a" }, secretAccessKey: { secretName: "minio-qdrant", key: "s" },
  };
  const qdrant = { kind: "http" as const, host: "qdrant.homelab.svc.cluster.local", port: 6333, service: "qdrant", url: "http://qdrant.homelab.svc.cluster.local:6333", endpoint: { namespace: "homelab", podSelector: { "app.kubernetes.io/name": "qdrant" }, port: 6333 }, apiKey: { secretName: "qdrant-api-key", key: "api-key" } };
  const cronJob = (namespace = "homelab"): Manifest => ({
    apiVersion: "batch/v1",
    kind: "CronJob",
    metadata: { name: "qdrant-backup-snapshot", namespace, labels: { [BACKUP_LABEL]: "qdrant-snapshot" } },
    spec: JSON.parse(JSON.stringify(cronJobBody(qdrantSnapshotJob({ name: "qdrant", qdrant, s3, scriptsConfigMap: "s", schedule: "15 2 * * *", retentionDays: 30 })))),
  }) as Manifest;

  it("a kit-built backup CronJob passes", async () => {
    expect(await caught(inv.cronJobsAreSafe, broken((m) => m.push(cronJob())))).toEqual([]);
  });

  it("overlapping, unbounded, forgotten, root, unpinned or unlabelled runs are named", async () => {
    const ms = broken((m) => {
      const cj = cronJob();
      cj.spec.concurrencyPolicy = "Allow";
      delete cj.spec.jobTemplate.spec.activeDeadlineSeconds;
      cj.spec.failedJobsHistoryLimit = 0;
      delete cj.spec.jobTemplate.spec.template.metadata.labels[BACKUP_LABEL];
      const upload = cj.spec.jobTemplate.spec.template.spec.containers[0];
      upload.image = "docker.io/rclone/rclone:latest";
      delete upload.securityContext.runAsNonRoot;
      m.push(cj);
    });
    expect(await caught(inv.cronJobsAreSafe, ms)).toEqual([
      "CronJob homelab/qdrant-backup-snapshot: runs may overlap (concurrencyPolicy Allow)",
      "CronJob homelab/qdrant-backup-snapshot: a run has no deadline (activeDeadlineSeconds)",
      "CronJob homelab/qdrant-backup-snapshot: a failed run is not kept (failedJobsHistoryLimit 0)",
      `CronJob homelab/qdrant-backup-snapshot: its Jobs and pods do not carry ${BACKUP_LABEL}=qdrant-snapshot`,
      "CronJob homelab/qdrant-backup-snapshot container upload: image docker.io/rclone/rclone:latest is not pinned",
      "CronJob homelab/qdrant-backup-snapshot container upload: may run as root",
    ]);
  });

  it("a CronJob's pods count for the default-deny check", async () => {
    expect(await caught(inv.everyPodDeniesIngressByDefault, broken((m) => m.push(cronJob("elsewhere"))))).toEqual(["CronJob elsewhere/qdrant-backup-snapshot: no default-deny ingress policy selects its pods"]);
  });
});

// Last: jest runs tests in the order they are written, so this sees every fixture above.
describe("every rule", () => {
  it("every rule failed on at least one fixture in this file (a new rule needs its broken fixture here)", () => {
    expect([...RULES, ...OPTION_RULES].map((r) => r.name).filter((n) => !failed.has(n))).toEqual([]);
  });
});
