// What toContainer/toInitContainer emit and refuse, pinned exactly: the full container object the
// workloads put in their pod specs (defaults included), the probe timing defaults, the env order
// Kubernetes needs for $(VAR) expansion, and the exact refusal messages (with where they come from).
import { ContainerSpec, ImageRef, toContainer, toInitContainer } from "../../components/kit";

/** A root image without a digest: its security context carries no user or group. */
const ROOT_IMAGE: ImageRef = { repository: "docker.io/library/busybox", tag: "1.37.0", seenIn: "test fixture", runsAsNonRoot: false };

/** The security context every container of a root image gets by default. */
const ROOT_SECURITY = {
  allowPrivilegeEscalation: false,
  privileged: false,
  capabilities: { drop: ["ALL"] },
  readOnlyRootFilesystem: false,
  runAsNonRoot: undefined,
  runAsUser: undefined,
  runAsGroup: undefined,
};

const spec: ContainerSpec = {
  name: "app",
  image: ROOT_IMAGE,
  ports: [{ name: "http", containerPort: 8080 }],
  resources: { cpu: "100m", memory: "128Mi", memoryLimit: "256Mi" },
  readiness: { action: { http: { path: "/ready", port: "http" } } },
  liveness: { action: { tcp: { port: "http" } } },
};

/** The probe timing a spec that sets none gets: every 10 s, 3 failures, no delay, 3 s timeout. */
const DEFAULT_TIMING = { periodSeconds: 10, failureThreshold: 3, initialDelaySeconds: 0, timeoutSeconds: 3 };

describe("toContainer output", () => {
  it("a minimal container gets IfNotPresent pulls, TCP ports, default probe timing and nothing it did not ask for", () => {
    expect(toContainer(spec, "app")).toStrictEqual({
      name: "app",
      image: "docker.io/library/busybox:1.37.0",
      imagePullPolicy: "IfNotPresent",
      command: undefined,
      args: undefined,
      env: undefined,
      volumeMounts: undefined,
      resources: { requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } },
      securityContext: ROOT_SECURITY,
      ports: [{ name: "http", containerPort: 8080, protocol: "TCP" }],
      readinessProbe: { ...DEFAULT_TIMING, httpGet: { path: "/ready", port: "http" } },
      livenessProbe: { ...DEFAULT_TIMING, tcpSocket: { port: "http" } },
      startupProbe: undefined,
    });
  });

  it("command, args, mounts, a CPU limit, a UDP port and explicit probe timing are passed through as given", () => {
    const c = toContainer(
      {
        ...spec,
        command: ["/bin/sh", "-c"],
        args: ["echo hi", "--flag"],
        mounts: [
          { volume: "data", mountPath: "/data" },
          { volume: "config", mountPath: "/etc/app.yaml", readOnly: true, subPath: "app.yaml" },
        ],
        resources: { cpu: "250m", memory: "1Gi", memoryLimit: "2Gi", cpuLimit: "2" },
        ports: [
          { name: "http", containerPort: 8080, protocol: "TCP" },
          { name: "dns", containerPort: 53, protocol: "UDP" },
        ],
        readiness: { action: { http: { path: "/ready", port: "http" } }, periodSeconds: 5, failureThreshold: 6, initialDelaySeconds: 2, timeoutSeconds: 1 },
        liveness: { action: { tcp: { port: "dns" } }, periodSeconds: 30, failureThreshold: 1, initialDelaySeconds: 7, timeoutSeconds: 9 },
        startup: { action: { exec: ["pg_isready", "-q"] }, periodSeconds: 2, failureThreshold: 60 },
      },
      "app",
    );
    expect(c).toStrictEqual({
      name: "app",
      image: "docker.io/library/busybox:1.37.0",
      imagePullPolicy: "IfNotPresent",
      command: ["/bin/sh", "-c"],
      args: ["echo hi", "--flag"],
      env: undefined,
      volumeMounts: [
        { name: "data", mountPath: "/data", readOnly: undefined, subPath: undefined },
        { name: "config", mountPath: "/etc/app.yaml", readOnly: true, subPath: "app.yaml" },
      ],
      resources: { requests: { cpu: "250m", memory: "1Gi" }, limits: { memory: "2Gi", cpu: "2" } },
      securityContext: ROOT_SECURITY,
      ports: [
        { name: "http", containerPort: 8080, protocol: "TCP" },
        { name: "dns", containerPort: 53, protocol: "UDP" },
      ],
      readinessProbe: { periodSeconds: 5, failureThreshold: 6, initialDelaySeconds: 2, timeoutSeconds: 1, httpGet: { path: "/ready", port: "http" } },
      livenessProbe: { periodSeconds: 30, failureThreshold: 1, initialDelaySeconds: 7, timeoutSeconds: 9, tcpSocket: { port: "dns" } },
      startupProbe: { periodSeconds: 2, failureThreshold: 60, initialDelaySeconds: 0, timeoutSeconds: 3, exec: { command: ["pg_isready", "-q"] } },
    });
  });

  it("an exec probe runs its command with the default timing", () => {
    const c = toContainer({ ...spec, liveness: { action: { exec: ["cat", "/tmp/healthy"] } } }, "app");
    expect(c.livenessProbe).toStrictEqual({ ...DEFAULT_TIMING, exec: { command: ["cat", "/tmp/healthy"] } });
  });

  it("a port name of exactly 15 characters is accepted; 16 are refused, naming the port", () => {
    const fifteen = "abcdefghijklmno";
    const c = toContainer({ ...spec, ports: [{ name: fifteen, containerPort: 1 }], readiness: { action: { tcp: { port: fifteen } } }, liveness: { action: { tcp: { port: fifteen } } } }, "app");
    expect(c.ports).toStrictEqual([{ name: fifteen, containerPort: 1, protocol: "TCP" }]);
    expect(() => toContainer({ ...spec, ports: [{ name: "abcdefghijklmnop", containerPort: 1 }] }, "app")).toThrow(
      new Error('app: port name "abcdefghijklmnop" is longer than 15 characters'),
    );
  });

  it("an init container has the same fields without ports or probes", () => {
    expect(toInitContainer({ name: "init", image: ROOT_IMAGE, command: ["sh"], resources: { cpu: "1", memory: "64Mi", memoryLimit: "64Mi" } }, "job")).toStrictEqual({
      name: "init",
      image: "docker.io/library/busybox:1.37.0",
      imagePullPolicy: "IfNotPresent",
      command: ["sh"],
      args: undefined,
      env: undefined,
      volumeMounts: undefined,
      resources: { requests: { cpu: "1", memory: "64Mi" }, limits: { memory: "64Mi" } },
      securityContext: ROOT_SECURITY,
    });
  });
});

describe("toContainer resources", () => {
  const withResources = (resources: ContainerSpec["resources"]) => toContainer({ ...spec, resources }, "app").resources;

  it("a memory limit equal to the request is accepted", () => {
    expect(withResources({ cpu: "1", memory: "1Gi", memoryLimit: "1Gi" })).toStrictEqual({ requests: { cpu: "1", memory: "1Gi" }, limits: { memory: "1Gi" } });
  });

  it("a malformed memory limit is refused, quoting it", () => {
    expect(() => withResources({ cpu: "1", memory: "1Gi", memoryLimit: "lots" })).toThrow(new Error('app: memory limit "lots" is not a Kubernetes quantity (e.g. 1Gi)'));
  });

  it("a malformed CPU limit is refused, quoting it; a valid one becomes limits.cpu", () => {
    expect(() => withResources({ cpu: "1", memory: "1Gi", memoryLimit: "1Gi", cpuLimit: "2 cores" })).toThrow(new Error('app: CPU limit "2 cores" is not a Kubernetes quantity'));
    expect(withResources({ cpu: "1", memory: "1Gi", memoryLimit: "1Gi", cpuLimit: "500m" })).toStrictEqual({
      requests: { cpu: "1", memory: "1Gi" },
      limits: { memory: "1Gi", cpu: "500m" },
    });
  });

  it("extended resources: vendor names with whole counts of several digits are accepted", () => {
    expect(withResources({ cpu: "1", memory: "1Gi", memoryLimit: "1Gi", extended: { "nvidia.com/gpu": "12", "example.org/fpga_v2.1": "1" } })).toStrictEqual({
      requests: { cpu: "1", memory: "1Gi" },
      limits: { memory: "1Gi", "nvidia.com/gpu": "12", "example.org/fpga_v2.1": "1" },
    });
  });

  it.each([
    ["Nvidia.com/gpu", "an upper-case letter before the vendor domain"],
    ["nvidia.com/gpu!", "a character after the resource name"],
    ["kubernetes.io/gpu", "the reserved kubernetes.io/ domain"],
  ])('"%s" is refused as an extended resource name (%s)', (name) => {
    expect(() => withResources({ cpu: "1", memory: "1Gi", memoryLimit: "1Gi", extended: { [name]: "1" } })).toThrow(
      new Error(`app: "${name}" is not an extended resource name such as nvidia.com/gpu`),
    );
  });

  it("an extended resource count with trailing non-digits is refused, quoting it", () => {
    expect(() => withResources({ cpu: "1", memory: "1Gi", memoryLimit: "1Gi", extended: { "nvidia.com/gpu": "1x" } })).toThrow(
      new Error('app: extended resource nvidia.com/gpu must be a whole number ≥ 1, got "1x"'),
    );
  });
});

describe("toContainer probes", () => {
  it("a probe on an unknown port names the probe and lists every port the container has", () => {
    const ports = [{ name: "http", containerPort: 80 }, { name: "metrics", containerPort: 9090 }];
    expect(() => toContainer({ ...spec, ports, readiness: { action: { http: { path: "/", port: "grpc" } } } }, "app")).toThrow(
      new Error('app readiness: probe uses port "grpc" but the container only has http, metrics'),
    );
  });

  it("a probe on a container without ports says it has no ports", () => {
    expect(() => toContainer({ ...spec, ports: [], readiness: { action: { exec: ["true"] } }, liveness: { action: { tcp: { port: "http" } } } }, "app")).toThrow(
      new Error('app liveness: probe uses port "http" but the container only has no ports'),
    );
  });

  it("a startup probe on an unknown port is refused, naming the startup probe", () => {
    expect(() => toContainer({ ...spec, startup: { action: { tcp: { port: "admin" } } } }, "app")).toThrow(
      new Error('app startup: probe uses port "admin" but the container only has http'),
    );
  });

  it("an exec probe without a command is refused", () => {
    expect(() => toContainer({ ...spec, readiness: { action: { exec: [] } } }, "app")).toThrow(new Error("app readiness: exec probe has no command"));
  });
});

describe("toContainer env", () => {
  it("plain values, secret keys and pod fields come sorted by name, each in its own form", () => {
    const c = toContainer({ ...spec, env: { ZONE: "eu", POD_IP: { fieldPath: "status.podIP" }, API_KEY: { secret: { secretName: "api", key: "token" } } } }, "app");
    expect(c.env).toStrictEqual([
      { name: "API_KEY", valueFrom: { secretKeyRef: { name: "api", key: "token" } } },
      { name: "POD_IP", valueFrom: { fieldRef: { fieldPath: "status.podIP" } } },
      { name: "ZONE", value: "eu" },
    ]);
  });

  it("a value that references another variable of the container comes after every other, so Kubernetes can expand it", () => {
    const c = toContainer(
      {
        ...spec,
        env: {
          // Refers to HOST_1 (defined) and to UNSET (not a variable here): still refers, so it goes last.
          A_URL: "http://$(HOST_1):$(UNSET)/",
          // Refers only to a variable the container does not have: stays in the sorted group.
          B_PLAIN: "$(NOT_HERE)",
          HOST_1: "db",
          SECRET: { secret: { secretName: "s", key: "k" } },
        },
      },
      "app",
    );
    expect(c.env).toStrictEqual([
      { name: "B_PLAIN", value: "$(NOT_HERE)" },
      { name: "HOST_1", value: "db" },
      { name: "SECRET", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
      { name: "A_URL", value: "http://$(HOST_1):$(UNSET)/" },
    ]);
  });
});
