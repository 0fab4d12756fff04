// What the capacity check counts: a pod's footprint (stateful only when it has per-replica volumes),
// and for a Helm chart's pods, the values block it is given and the annotation render reads back.
import { CHART_PODS_ANNOTATION, IMAGES, WorkloadSpec, chartPodFootprint, chartPodsAnnotation, chartResources, footprint, pinned } from "../../components/kit";

const probe = { action: { tcp: { port: "db" } } };
const spec: WorkloadSpec = {
  identity: { name: "db", component: "database" },
  kind: "StatefulSet",
  replicas: 1,
  placement: pinned("asuna"),
  containers: [
    { name: "db", image: IMAGES.kubectl, ports: [{ name: "db", containerPort: 5432 }], resources: { cpu: "500m", memory: "1Gi", memoryLimit: "2Gi" }, readiness: probe, liveness: probe },
    { name: "exporter", image: IMAGES.kubectl, ports: [{ name: "metrics", containerPort: 9187 }], resources: { cpu: "20m", memory: "32Mi", memoryLimit: "64Mi" }, readiness: probe, liveness: probe },
  ],
};

const Mi = 2 ** 20;
/** By hand: 500m + 20m; 1Gi + 32Mi; 2Gi + 64Mi. */
const counted = { workload: "db", replicas: 1, placement: { kind: "pinned", node: "asuna" }, spread: "none", cpuMillis: 520, memoryBytes: 1056 * Mi, memoryLimitBytes: 2112 * Mi };

describe("footprint: stateful", () => {
  it("a pod without volume claims is not stateful", () => {
    expect(footprint(spec)).toStrictEqual({ ...counted, stateful: false });
  });
  it("an empty list of volume claims is not stateful", () => {
    expect(footprint({ ...spec, volumeClaims: [] })).toStrictEqual({ ...counted, stateful: false });
  });
  it("one volume claim makes it stateful", () => {
    expect(footprint({ ...spec, volumeClaims: [{ name: "data", size: "10Gi" }] })).toStrictEqual({ ...counted, stateful: true });
  });
});

describe("chart pods", () => {
  it("the annotation render looks for is homelab.pesulabs.net/chart-pods", () => {
    expect(CHART_PODS_ANNOTATION).toBe("homelab.pesulabs.net/chart-pods");
  });

  it("a chart's resources block carries the requests, the memory limit, and no CPU limit unless one is set", () => {
    expect(chartResources({ cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" })).toStrictEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi" } });
    expect(chartResources({ cpu: "100m", memory: "256Mi", memoryLimit: "512Mi", cpuLimit: "1" })).toStrictEqual({ requests: { cpu: "100m", memory: "256Mi" }, limits: { memory: "512Mi", cpu: "1" } });
  });

  it("the annotation lists each pod's workload, replicas, node when pinned, and the values path of each container", () => {
    const r = { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" };
    const value = chartPodsAnnotation([
      { workload: "grafana", replicas: 1, node: "asuna", containers: [{ resources: r, valuesPath: ["grafana", "resources"] }, { resources: r, valuesPath: ["grafana", "sidecar", "resources"] }] },
      { workload: "node-exporter", replicas: "each-node", containers: [{ resources: r, valuesPath: ["nodeExporter", "resources"] }] },
    ]);
    expect(value).toBe(
      '[{"workload":"grafana","replicas":1,"node":"asuna","valuesPaths":[["grafana","resources"],["grafana","sidecar","resources"]]},' +
        '{"workload":"node-exporter","replicas":"each-node","valuesPaths":[["nodeExporter","resources"]]}]',
    );
  });

  it("a chart pod's footprint is the sum of its containers", () => {
    const p = { workload: "grafana", replicas: 1, containers: [{ resources: { cpu: "100m", memory: "256Mi", memoryLimit: "512Mi" }, valuesPath: ["a"] }, { resources: { cpu: "50m", memory: "64Mi", memoryLimit: "128Mi" }, valuesPath: ["b"] }] };
    expect(chartPodFootprint(p)).toStrictEqual({ cpuMillis: 150, memoryBytes: 320 * Mi, memoryLimitBytes: 640 * Mi });
  });
});
