// The Redis component as rendered, and its pure parts.
import { rendered, ofKind } from "../harness";
import { IMAGES, footprint, parseBytes, parseMillicores } from "../../components/kit";
import { EXPORTER_RESOURCES, maxmemoryFor, redisConf, redisPingCommand, redisSpec } from "../../components/data/redis";

const env = (c: any, name: string) => (c.env ?? []).find((e: any) => e.name === name);

describe("redis.conf", () => {
  const conf = redisConf({ password: "abcDEF0123456789xyz", maxmemoryBytes: maxmemoryFor(512 * 2 ** 20) });
  it("requires the password, persists every write to the append-only file on the volume, and caps memory below the limit", () => {
    const lines = conf.split("\n");
    expect(lines).toEqual(expect.arrayContaining(["requirepass abcDEF0123456789xyz", "appendonly yes", "appendfsync everysec", "dir /data", "maxmemory 402653184", "maxmemory-policy noeviction"]));
  });
  it("refuses a password that would break the file (a space, a line break, a quote)", () => {
    for (const pw of ["two words", "line\nrequirepass x", 'quo"te', ""]) expect(() => redisConf({ password: pw, maxmemoryBytes: 1 })).toThrow(/must be non-empty, without spaces/);
  });
  it("the probe passes only on PONG (a NOAUTH reply fails it)", () => {
    expect(redisPingCommand(6379)).toEqual(["sh", "-c", "redis-cli -h 127.0.0.1 -p 6379 ping | grep -qx PONG"]);
  });
});

describe("redis in homelab", () => {
  const s = () => rendered("homelab");
  const sts = () => ofKind(s(), "StatefulSet").find((w) => w.metadata.name === "redis")!;
  const pod = () => sts().spec.template.spec;
  const redis = () => pod().containers.find((c: any) => c.name === "redis");
  const exporter = () => pod().containers.find((c: any) => c.name === "exporter");

  it("runs the official image, pinned, on asuna, with an append-only volume", () => {
    expect(redis().image).toBe("docker.io/library/redis:8.2.2-alpine");
    expect(pod().nodeSelector).toEqual({ "kubernetes.io/hostname": "asuna" });
    expect(sts().spec.volumeClaimTemplates.map((v: any) => [v.metadata.name, v.spec.storageClassName])).toEqual([["data", "local-path"]]);
    expect(redis().volumeMounts).toEqual(expect.arrayContaining([{ name: "data", mountPath: "/data" }]));
  });

  it("starts from the config file mounted from its Secret: no password on the command line or in the pod spec", () => {
    expect(redis().command).toEqual(["redis-server", "/etc/redis/redis.conf"]);
    expect(redis().args).toBeUndefined();
    expect(pod().volumes).toEqual([{ name: "config", secret: { secretName: "redis-config", defaultMode: 0o440 } }]);
    expect(redis().volumeMounts).toEqual(expect.arrayContaining([{ name: "config", mountPath: "/etc/redis", readOnly: true }]));
    expect(ofKind(s(), "Secret").find((x) => x.metadata.name === "redis-config")!.stringData).toEqual({ "redis.conf": "<redacted>" });
    expect(s().resources.some((r) => r.type === "random:index/randomPassword:RandomPassword" && r.name === "redis-password-password")).toBe(true);
  });

  it("probes with REDISCLI_AUTH from the Secret; the exporter reads the same password from the environment", () => {
    expect(env(redis(), "REDISCLI_AUTH").valueFrom.secretKeyRef).toEqual({ name: "redis-password", key: "password" });
    for (const p of ["readinessProbe", "livenessProbe", "startupProbe"]) expect(redis()[p].exec.command).toEqual(redisPingCommand(6379));
    expect(exporter().image).toBe("docker.io/oliver006/redis_exporter:v1.77.0");
    expect(exporter().ports).toEqual([{ name: "metrics", containerPort: 9121, protocol: "TCP" }]);
    expect(env(exporter(), "REDIS_PASSWORD").valueFrom.secretKeyRef).toEqual({ name: "redis-password", key: "password" });
    expect(env(exporter(), "REDIS_ADDR").value).toBe("redis://127.0.0.1:6379");
  });

  it("runs as the image's redis user (999) with a read-only root filesystem", () => {
    expect(redis().securityContext).toMatchObject({ runAsUser: 999, runAsNonRoot: true, readOnlyRootFilesystem: true, allowPrivilegeEscalation: false });
    expect(pod().securityContext.fsGroup).toBe(999);
  });

  it("declares its metrics endpoint, and fits asuna's budget (≤ 256Mi and ≤ 150m of requests, exporter included)", () => {
    const spec = redisSpec({ node: "asuna", storage: "2Gi", resources: { cpu: "100m", memory: "128Mi", memoryLimit: "512Mi" }, passwordSecret: "p", configSecret: "c" });
    expect(spec.metrics).toEqual({ port: "metrics" });
    const f = footprint(spec);
    expect(f.memoryBytes).toBeLessThanOrEqual(256 * 2 ** 20);
    expect(f.cpuMillis).toBeLessThanOrEqual(150);
    // And what homelab renders is those defaults.
    const req = (c: any) => [parseMillicores(c.resources.requests.cpu)!, parseBytes(c.resources.requests.memory)!];
    const [cpu, mem] = pod().containers.map(req).reduce((a: number[], b: number[]) => [a[0] + b[0], a[1] + b[1]]);
    expect(cpu).toBeLessThanOrEqual(150);
    expect(mem).toBeLessThanOrEqual(256 * 2 ** 20);
    expect(EXPORTER_RESOURCES.cpu).toBe("20m");
    expect(IMAGES.redis.uid).toBe(999);
  });

  it("the Service serves only the redis port; the plan puts the pod on asuna", () => {
    expect(ofKind(s(), "Service").find((x) => x.metadata.name === "redis")!.spec.ports).toEqual([{ name: "redis", port: 6379, targetPort: "redis", protocol: "TCP" }]);
    expect(s().plan.nodes.find((n) => n.node === "asuna")!.pods).toContain("redis");
  });
});
