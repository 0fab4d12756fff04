import { IMAGES, ImageRef, toContainer, ContainerSpec, imageRef, isPinnedTag } from "../../components/kit";

/** An image that runs as root, as many upstream images do. */
const ROOT_IMAGE: ImageRef = { repository: "docker.io/library/busybox", tag: "1.37.0", seenIn: "test fixture", runsAsNonRoot: false };

const base: ContainerSpec = {
  name: "app",
  image: IMAGES.qdrant,
  ports: [{ name: "http", containerPort: 8080 }],
  resources: { cpu: "100m", memory: "128Mi", memoryLimit: "256Mi" },
  readiness: { action: { http: { path: "/ready", port: "http" } } },
  liveness: { action: { tcp: { port: "http" } } },
};

describe("toContainer", () => {
  it("emits probes on named ports, requests, a memory limit and safe security defaults", () => {
    const c = toContainer(base, "test");
    expect(c.readinessProbe).toMatchObject({ httpGet: { path: "/ready", port: "http" } });
    expect(c.livenessProbe).toMatchObject({ tcpSocket: { port: "http" } });
    expect(c.resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi" } });
    expect(c.securityContext).toMatchObject({ allowPrivilegeEscalation: false, privileged: false, capabilities: { drop: ["ALL"] } });
    expect(c.image).toBe("docker.io/qdrant/qdrant:v1.15.5-unprivileged");
  });

  it("sets extended resources (a GPU) as limits only, and refuses a malformed name or count", () => {
    const c = toContainer({ ...base, resources: { ...base.resources, extended: { "nvidia.com/gpu": "1" } } }, "gpu");
    expect(c.resources).toEqual({ requests: { cpu: "100m", memory: "128Mi" }, limits: { memory: "256Mi", "nvidia.com/gpu": "1" } });
    expect(() => toContainer({ ...base, resources: { ...base.resources, extended: { gpu: "1" } } }, "gpu")).toThrow(/"gpu" is not an extended resource name/);
    expect(() => toContainer({ ...base, resources: { ...base.resources, extended: { "nvidia.com/gpu": "0.5" } } }, "gpu")).toThrow(/must be a whole number ≥ 1, got "0\.5"/);
  });

  it("refuses a probe on a port the container does not have", () => {
    expect(() => toContainer({ ...base, readiness: { action: { http: { path: "/", port: "metrics" } } } }, "app")).toThrow(/probe uses port "metrics"/);
    expect(() => toContainer({ ...base, liveness: { action: { tcp: { port: "grpc" } } } }, "app")).toThrow(/only has http/);
  });

  it("refuses malformed quantities and a memory limit below the request", () => {
    expect(() => toContainer({ ...base, resources: { cpu: "lots", memory: "1Gi", memoryLimit: "1Gi" } }, "app")).toThrow(/CPU request "lots"/);
    expect(() => toContainer({ ...base, resources: { cpu: "1", memory: "1GB", memoryLimit: "2Gi" } }, "app")).toThrow(/memory request "1GB"/);
    expect(() => toContainer({ ...base, resources: { cpu: "1", memory: "2Gi", memoryLimit: "1Gi" } }, "app")).toThrow(/below the request/);
  });

  it("refuses duplicate or over-long port names", () => {
    expect(() => toContainer({ ...base, ports: [{ name: "http", containerPort: 1 }, { name: "http", containerPort: 2 }] }, "app")).toThrow(/used twice/);
    expect(() => toContainer({ ...base, ports: [{ name: "a-very-long-port-name", containerPort: 1 }] }, "app")).toThrow(/longer than 15/);
  });

  it("runs as non-root when the image allows it", () => {
    expect(toContainer({ ...base, image: IMAGES.kubectl }, "x").securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 65534 });
    expect((toContainer({ ...base, image: ROOT_IMAGE }, "x").securityContext as any)?.runAsNonRoot).toBeUndefined();
  });

  it("runs as the image's own group where it differs from its user, unless told otherwise", () => {
    expect(toContainer({ ...base, image: IMAGES.spilo }, "x").securityContext).toMatchObject({ runAsUser: 101, runAsGroup: 103 });
    expect(toContainer({ ...base, image: IMAGES.spilo, security: { runAsGroup: 7 } }, "x").securityContext).toMatchObject({ runAsGroup: 7 });
    // Another user than the image's: its group is that user's, not the image user's group.
    expect(toContainer({ ...base, image: IMAGES.spilo, security: { runAsUser: 2000 } }, "x").securityContext).toMatchObject({ runAsUser: 2000, runAsGroup: 2000 });
  });

  it("Qdrant runs its -unprivileged image as uid/gid 1000, never as root", () => {
    expect(IMAGES.qdrant.tag).toMatch(/^v\d+\.\d+\.\d+-unprivileged$/);
    expect(toContainer(base, "x").securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 });
  });

  it("passes secrets by reference, never by value", () => {
    const c = toContainer({ ...base, env: { KEY: { secret: { secretName: "s", key: "k" } }, PLAIN: "v" } }, "app");
    expect(c.env).toEqual([
      { name: "KEY", valueFrom: { secretKeyRef: { name: "s", key: "k" } } },
      { name: "PLAIN", value: "v" },
    ]);
  });
});

describe("image catalog", () => {
  it("accepts version tags and refuses floating ones", () => {
    for (const t of ["v1.15.5", "1.34.1", "4.0-p3", "7.4.5-alpine", "RELEASE.2025-04-22T22-12-26Z", "0.12.3"]) expect(isPinnedTag(t)).toBe(true);
    for (const t of ["latest", "stable", "main", "1", "v2", ""]) expect(isPinnedTag(t)).toBe(false);
    expect(() => imageRef({ repository: "x/y", tag: "latest", seenIn: "", runsAsNonRoot: false })).toThrow(/not pinned/);
  });
  it("every catalog entry is pinned and says where its tag was seen", () => {
    for (const [name, img] of Object.entries(IMAGES)) {
      expect([name, isPinnedTag(img.tag)]).toEqual([name, true]);
      expect(img.seenIn.length).toBeGreaterThan(10);
    }
  });
});
