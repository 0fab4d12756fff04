// Distributed MinIO: the erasure arithmetic on hand-worked layouts, the spec (the server's endpoint
// argument expands to exactly the pods and drives that exist), the component as rendered for every
// stack, and the S3 connection contract the backups build on.
import { ofKind, rendered } from "../harness";
import { recordResources } from "../lib/recording-mocks";
import { stackRaw } from "../lib/stack-config";
import { validateRaw } from "../../stacks";
import {
  DEFAULT_BUCKETS,
  MINIO_METRICS_PATH,
  erasureSetSize,
  expandEllipses,
  minioEndpoints,
  minioSpec,
  nodeLossOutcome,
  quorum,
} from "../../components/data/minio";
import { checkWorkloadSpec, footprint, schedulingFor } from "../../components/kit";

const base = { namespace: "homelab", pods: 4, drivesPerPod: 1, parity: 2, nodes: ["asuna", "pesubuntu"], storage: "10Gi", resources: { cpu: "100m", memory: "384Mi", memoryLimit: "1Gi" }, rootSecret: "minio-root" };
const env = (c: any, name: string) => c.env.find((e: any) => e.name === name);

describe("erasure sets and quorums (MinIO's rules, worked by hand)", () => {
  it.each([
    [4, 1, 4], [2, 2, 4], [1, 4, 4], [3, 2, 6], [8, 1, 8], [4, 4, 16], [4, 8, 16], [6, 3, 6], [2, 9, 6], [5, 1, 5],
  ])("%i pods × %i drives → sets of %i", (p, d, set) => expect(erasureSetSize(p, d)).toBe(set));

  it.each([[3, 1, 3], [1, 3, 3], [2, 1, 2]])("%i pods × %i drives → sets of %i, which validation refuses (below 4)", (p, d, set) => expect(erasureSetSize(p, d)).toBe(set));

  it("a prime drive count above 16 has no erasure set at all", () => expect(erasureSetSize(17, 1)).toBeUndefined());

  it("write quorum is the data shards, one more when parity is exactly half", () => {
    expect(quorum(4, 2)).toEqual({ setDrives: 4, parity: 2, read: 2, write: 3 });
    expect(quorum(8, 2)).toEqual({ setDrives: 8, parity: 2, read: 6, write: 6 });
    expect(quorum(16, 4)).toEqual({ setDrives: 16, parity: 4, read: 12, write: 12 });
  });
});

describe("what one node loss means", () => {
  it("4 drives on 2 nodes (2 + 2), EC:2: reads survive, writes stop", () => {
    const o = nodeLossOutcome([2, 2], 1, 2, 4);
    expect(o.statement).toBe("4 drives on 2 nodes, EC:2: reads survive the loss of one node, writes stop (write quorum 3 of 4)");
    expect(o).toMatchObject({ singleNodeStopsReads: false, singleNodeStopsWrites: true });
  });

  it("4 drives on 1 node: that node is a single point of failure", () => {
    const o = nodeLossOutcome([4], 1, 2, 4);
    expect(o.statement).toBe("4 drives on 1 node, EC:2: one node holds every drive, so losing it stops reads and writes (up to 2 failed drives are survived; write quorum 3 of 4)");
    expect(o.singleNodeStopsReads).toBe(true);
  });

  it("4 drives on 3 nodes (2 + 1 + 1): writes depend on which node is lost", () => {
    expect(nodeLossOutcome([2, 1, 1], 1, 2, 4).statement).toBe(
      "4 drives on 3 nodes (2 + 1 + 1), EC:2: reads survive the loss of any one node; writes stop if a node with 2 drives is lost (write quorum 3 of 4)",
    );
  });

  it("8 drives on 4 nodes, EC:2: reads and writes survive any one node", () => {
    const o = nodeLossOutcome([1, 1, 1, 1], 2, 2, 8);
    expect(o.statement).toBe("8 drives on 4 nodes, EC:2: reads and writes survive the loss of any one node (write quorum 6 of 8)");
    expect(o).toMatchObject({ singleNodeStopsReads: false, singleNodeStopsWrites: false });
  });

  it("a node holding more drives than the parity stops reads", () => {
    const o = nodeLossOutcome([3, 1], 1, 2, 4);
    expect(o.statement).toMatch(/losing a node with 3 drives stops reads and writes \(read quorum 2 of 4, write quorum 3 of 4\)/);
    expect(o.singleNodeStopsReads).toBe(true);
  });
});

describe("the spec", () => {
  const pods = (p: number) => Array.from({ length: p }, (_, i) => `minio-${i}`);

  it.each([[4, 1], [2, 2], [1, 4], [3, 2]])("%i pods × %i drives: the endpoint argument expands to exactly the pods' DNS names and drive mounts", (p, d) => {
    const spec = minioSpec({ ...base, pods: p, drivesPerPod: d });
    const args = spec.containers[0].args!;
    expect(args.slice(0, 7)).toEqual(["server", "--address", ":9000", "--console-address", ":9001", "--certs-dir", "/tmp/certs"]);
    expect(args[7]).toBe(minioEndpoints({ namespace: "homelab", pods: p, drivesPerPod: d }));
    const mounts = spec.containers[0].mounts!.filter((m) => m.volume.startsWith("data-")).map((m) => m.mountPath);
    const expected = pods(p).flatMap((pod) => mounts.map((path) => `http://${pod}.minio-headless.homelab.svc.cluster.local${path}`));
    expect(expandEllipses(args[7])).toEqual(expected);
    expect(expected).toHaveLength(p * d);
    // One volume per drive, each a per-pod claim the StatefulSet creates.
    expect(spec.volumeClaims!.map((v) => v.name)).toEqual(Array.from({ length: d }, (_, i) => `data-${i}`));
    expect(spec.replicas).toBe(p);
  });

  it("one argument, so one server pool: MinIO would make every further ellipses argument its own pool", () => {
    const args = minioSpec({ ...base, pods: 2, drivesPerPod: 2 }).containers[0].args!;
    expect(args.filter((a) => a.includes("{"))).toEqual(["http://minio-{0...1}.minio-headless.homelab.svc.cluster.local/data{0...1}"]);
  });

  it("EC parity, public cluster metrics, root credentials by Secret reference only", () => {
    const c = minioSpec({ ...base, parity: 3 }).containers[0];
    expect(c.env!.MINIO_STORAGE_CLASS_STANDARD).toBe("EC:3");
    expect(c.env!.MINIO_PROMETHEUS_AUTH_TYPE).toBe("public");
    expect(c.env!.MINIO_ROOT_USER).toEqual({ secret: { secretName: "minio-root", key: "user" } });
    expect(c.env!.MINIO_ROOT_PASSWORD).toEqual({ secret: { secretName: "minio-root", key: "password" } });
  });

  it("is a Parallel StatefulSet spread evenly over its nodes, with the kit's checks passing", () => {
    const spec = minioSpec(base);
    expect(() => checkWorkloadSpec(spec)).not.toThrow();
    expect(spec.podManagementPolicy).toBe("Parallel");
    expect(footprint(spec).spread).toBe("even");
    const s = schedulingFor(spec.placement, { app: "minio" });
    expect((s.affinity as any)?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution).toEqual({
      nodeSelectorTerms: [{ matchExpressions: [{ key: "kubernetes.io/hostname", operator: "In", values: ["asuna", "pesubuntu"] }] }],
    });
    expect(s.topologySpreadConstraints).toEqual([{ maxSkew: 1, topologyKey: "kubernetes.io/hostname", whenUnsatisfiable: "DoNotSchedule", labelSelector: { matchLabels: { app: "minio" } } }]);
    expect(spec.metrics).toEqual({ port: "api", path: MINIO_METRICS_PATH });
  });

  it("the kit refuses an even spread over no nodes", () => {
    expect(() => checkWorkloadSpec(minioSpec({ ...base, nodes: [] }))).toThrow(/spread over no nodes/);
  });
});

// dev leaves MinIO off (its one 4 GiB node has no room); the committed stacks that run it:
describe.each(["homelab", "prod"])("MinIO as rendered for %s", (stack) => {
  const s = () => rendered(stack);
  const sts = () => ofKind(s(), "StatefulSet").find((w) => w.metadata.name === "minio")!;

  it("a StatefulSet with probes, non-root, fsGroup and the pinned image", () => {
    const w = sts();
    expect(w.spec.podManagementPolicy).toBe("Parallel");
    const pod = w.spec.template.spec;
    expect(pod.securityContext).toMatchObject({ fsGroup: 1000, seccompProfile: { type: "RuntimeDefault" } });
    const c = pod.containers[0];
    expect(c.image).toBe("docker.io/pgsty/silo:RELEASE.2026-09-16T00-00-00Z@sha256:635197cb9f36d01bee221d34d1c7d7960f6a95c48b0b6c01d99cd13bdae51a46");
    expect(c.command).toBeUndefined();
    expect(c.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000, allowPrivilegeEscalation: false, capabilities: { drop: ["ALL"] } });
    expect(c.readinessProbe.httpGet).toEqual({ path: "/minio/health/ready", port: "api" });
    expect(c.livenessProbe.httpGet).toEqual({ path: "/minio/health/live", port: "api" });
    expect(c.ports.map((p: any) => [p.name, p.containerPort])).toEqual([["api", 9000], ["console", 9001]]);
    // The argument names exactly the pods the StatefulSet runs, through its governing Service.
    const hosts = new Set(expandEllipses(c.args[c.args.length - 1]).map((u) => new URL(u).hostname));
    expect([...hosts]).toEqual(Array.from({ length: w.spec.replicas }, (_, i) => `minio-${i}.${w.spec.serviceName}.homelab.svc.cluster.local`));
    expect(env(c, "MINIO_STORAGE_CLASS_STANDARD").value).toBe("EC:2");
  });

  it("a headless Service that publishes not-ready pods (peers must find each other before quorum)", () => {
    const headless = ofKind(s(), "Service").find((x) => x.metadata.name === sts().spec.serviceName)!;
    expect(headless.spec).toMatchObject({ clusterIP: "None", publishNotReadyAddresses: true });
  });

  it("the console routed over HTTPS with the security headers at minio.<domain>", () => {
    const route = ofKind(s(), "IngressRoute").find((r) => r.metadata.name === "minio-console")!;
    expect(route.spec.routes[0].match).toMatch(/^Host\(`minio\.homelab\.(pesulabs\.net|test)`\)$/);
    expect(route.spec.routes[0].services).toEqual([{ name: "minio", kind: "Service", port: "console" }]);
    expect(route.spec.routes[0].middlewares.map((m: any) => m.name)).toContain("security-headers");
    expect(route.spec.tls).toBeDefined();
  });

  it("a bucket Job in the mc image, reaching MinIO's API only, credentials from Secrets", () => {
    const job = ofKind(s(), "Job").find((j) => j.metadata.name.startsWith("minio-buckets-"))!;
    const c = job.spec.template.spec.containers[0];
    expect(c.image).toMatch(/^docker\.io\/pgsty\/mc:RELEASE\.2026-09-16T00-00-00Z@sha256:[0-9a-f]{64}$/);
    expect(c.command).toEqual(["/bin/sh", "/config/minio-buckets.sh"]);
    expect(env(c, "MINIO_ROOT_PASSWORD").valueFrom.secretKeyRef).toEqual({ name: "minio-root", key: "password" });
    expect(job.spec.template.metadata.annotations["homelab.pesulabs.net/connects-to"]).toBe("minio.homelab:9000");
    const cm = ofKind(s(), "ConfigMap").find((x) => x.metadata.name === job.metadata.name)!;
    expect(cm.data.buckets).toBe(DEFAULT_BUCKETS.map((b) => `${b.name} ${b.expireDays}\n`).join(""));
    expect(cm.data.users).toBe("postgres\nqdrant\n");
  });
});

describe("MinioCluster.connection: the contract the backups use", () => {
  let minio: import("../../components/data/minio").MinioCluster;
  beforeAll(async () => {
    recordResources("homelab");
    const { MinioCluster } = await import("../../components/data/minio");
    minio = new MinioCluster("minio", {
      ...base,
      buckets: [
        { name: "postgres-backups", consumers: ["postgres"], expireDays: 30 },
        { name: "postgres-dumps", consumers: ["postgres"] },
        { name: "qdrant-snapshots", consumers: ["qdrant"], expireDays: 30 },
      ],
    });
  });

  it("gives a consumer the API Service on 9000, its own key by Secret reference, us-east-1", () => {
    const c = minio.connection("qdrant");
    expect(c).toEqual({
      kind: "s3",
      host: "minio.homelab.svc.cluster.local",
      port: 9000,
      service: "minio",
      endpoint: { namespace: "homelab", podSelector: { "app.kubernetes.io/name": "minio", "app.kubernetes.io/instance": "homelab-platform" }, port: 9000 },
      url: "http://minio.homelab.svc.cluster.local:9000",
      bucket: "qdrant-snapshots",
      region: "us-east-1",
      accessKeyId: { secretName: "minio-user-qdrant", key: "access-key-id" },
      secretAccessKey: { secretName: "minio-user-qdrant", key: "secret-access-key" },
    });
  });

  it("a consumer with several buckets names the one it wants, and only its own", () => {
    expect(minio.connection("postgres", "postgres-dumps").bucket).toBe("postgres-dumps");
    expect(() => minio.connection("postgres")).toThrow(/consumer "postgres" has 2 buckets \(postgres-backups, postgres-dumps\): name the one to use/);
    expect(() => minio.connection("postgres", "qdrant-snapshots")).toThrow(/consumer "postgres" has no access to bucket "qdrant-snapshots"/);
  });

  it("throws naming an undeclared consumer", () => {
    expect(() => minio.connection("n8n")).toThrow(/MinIO has no consumer "n8n".*homelab:workloads\.minio\.buckets.*consumers: postgres, qdrant/);
  });
});

describe("the render summary states what a node loss means, from the placement", () => {
  it("homelab: 2 + 2 over its two machines, no warning", () => {
    const r = rendered("homelab");
    expect(r.plan.resilience).toEqual(["minio: 4 drives on 2 nodes, EC:2: reads survive the loss of one node, writes stop (write quorum 3 of 4)"]);
    expect(r.plan.warnings.filter((w) => w.includes("minio"))).toEqual([]);
  });

  it("prod: 2 + 1 + 1 over three servers", () => {
    expect(rendered("prod").plan.resilience).toEqual([
      "minio: 4 drives on 3 nodes (2 + 1 + 1), EC:2: reads survive the loss of any one node; writes stop if a node with 2 drives is lost (write quorum 3 of 4)",
    ]);
  });

  it("one node holding every drive (dev's documented layout): render warns", () => {
    const raw = stackRaw("dev");
    raw.workloads.minio = { enabled: true, replicas: 1, drivesPerPod: 4, storage: "1Gi", resources: { cpu: "50m", memory: "160Mi", memoryLimit: "512Mi" } };
    const v = validateRaw("test", { raw, secretsPresent: [] }, { requireSecrets: false });
    expect(v.warnings).toContainEqual(expect.stringMatching(/^homelab:workloads\.minio: losing its only node stops MinIO's reads and writes/));
  });

  it("validation warns when a two-node stack puts more drives than the parity on one node", () => {
    const raw = stackRaw("homelab");
    raw.workloads.minio = { ...raw.workloads.minio, nodes: ["pesubuntu"], replicas: 2, drivesPerPod: 2 };
    const v = validateRaw("test", { raw, secretsPresent: [] }, { requireSecrets: false });
    expect(v.warnings).toContainEqual(expect.stringMatching(/^homelab:workloads\.minio: losing its only node stops MinIO's reads and writes.*list more nodes in nodes: \[\.\.\.\]$/));
    const placed = v.schedule.nodes.find((n) => n.node === "pesubuntu")!.pods.filter((p) => p.startsWith("minio-"));
    expect(placed).toEqual(["minio-0", "minio-1"]);
  });
});

describe("Renovate reads the MinIO release tags as dates", () => {
  it("the rule covers both catalog images and orders their RELEASE stamps", () => {
    const { IMAGES } = require("../../components/kit");
    const rules = require("../../renovate.json").packageRules as { matchDepNames?: string[]; versioning?: string }[];
    const rule = rules.find((r) => r.matchDepNames?.includes(IMAGES.minio.repository))!;
    expect(rule.matchDepNames).toEqual(expect.arrayContaining([IMAGES.minio.repository, IMAGES.mc.repository]));
    const re = new RegExp(rule.versioning!.replace(/^regex:/, ""));
    const key = (tag: string) => Object.values(re.exec(tag)!.groups!).map(Number).reduce((a, n) => a * 100 + n, 0);
    expect(re.test(IMAGES.minio.tag) && re.test(IMAGES.mc.tag)).toBe(true);
    expect(key("RELEASE.2026-10-02T00-00-00Z") > key(IMAGES.minio.tag)).toBe(true);
    expect(re.test("latest")).toBe(false);
  });
});

describe("the scheduler's even spread (what validation and render predict)", () => {
  const { schedule } = require("../../stacks/schedule") as typeof import("../../stacks/schedule");
  const node = (name: string, memGi: number) => ({ name, cpuMillis: 4000, memoryBytes: memGi * 2 ** 30 });
  const group = (replicas: number, eligible: string[]) => ({ workload: "minio", replicas, eligible, spread: "even" as const, cpuMillis: 100, memoryBytes: 2 ** 28, memoryLimitBytes: 2 ** 30 });
  const counts = (s: ReturnType<typeof schedule>) => Object.fromEntries(s.nodes.map((l) => [l.node, l.pods.length]));

  it("5 pods on 2 nodes: 3 + 2, even though one node has far more room", () => {
    const s = schedule([node("small", 8), node("big", 32)], [group(5, ["small", "big"])], 10);
    expect(Object.values(counts(s)).sort()).toEqual([2, 3]);
  });

  it("only the named nodes: 4 pods over 2 of 3 nodes", () => {
    const s = schedule([node("a", 8), node("b", 8), node("c", 8)], [group(4, ["a", "c"])], 10);
    expect(counts(s)).toEqual({ a: 2, b: 0, c: 2 });
  });
});
