// A container cannot be declared without readiness and liveness probes, CPU/memory requests and a
// memory limit: the type requires them, and toContainer() refuses a probe on a port the
// container does not have.
import * as k8s from "@pulumi/kubernetes";
import { ImageRef, imageRef } from "./images";
import { parseBytes, parseMillicores } from "./quantity";
import { SecuritySpec, containerSecurityContext } from "./security";
export type { SecuritySpec } from "./security";

export interface PortSpec {
  /** IANA-style port name (≤ 15 chars); Services and probes refer to ports by this name. */
  readonly name: string;
  readonly containerPort: number;
  /** Default TCP. */
  readonly protocol?: "TCP" | "UDP";
}

export type ProbeAction =
  | { readonly http: { readonly path: string; readonly port: string } }
  | { readonly tcp: { readonly port: string } }
  | { readonly exec: readonly string[] };

export interface ProbeSpec {
  readonly action: ProbeAction;
  /** Default 10. */
  readonly periodSeconds?: number;
  /** Default 3. */
  readonly failureThreshold?: number;
  /** Default 0: use a startup probe for slow starters instead of a long delay. */
  readonly initialDelaySeconds?: number;
  /** Default 3. */
  readonly timeoutSeconds?: number;
}

/** Requests are what the scheduler and our capacity check count; the memory limit stops one pod eating a node. */
export interface ResourceSpec {
  readonly cpu: string;
  readonly memory: string;
  readonly memoryLimit: string;
  /** Default none: CPU is compressible, a limit only throttles. */
  readonly cpuLimit?: string;
  /**
   * Extended resources a device plugin advertises, e.g. `{"nvidia.com/gpu": "1"}`. Set as limits only
   * (Kubernetes then requests the same amount; extended resources cannot be overcommitted). Default none.
   */
  readonly extended?: Readonly<Record<string, string>>;
}

export interface SecretKeyRef {
  readonly secretName: string;
  readonly key: string;
}

/** A plain value, a key of a Secret, or a field of the pod (e.g. "status.podIP"). */
export type EnvValue = string | { readonly secret: SecretKeyRef } | { readonly fieldPath: string };

export interface MountSpec {
  readonly volume: string;
  readonly mountPath: string;
  readonly readOnly?: boolean;
  readonly subPath?: string;
}

interface ContainerBase {
  readonly name: string;
  readonly image: ImageRef;
  readonly command?: readonly string[];
  readonly args?: readonly string[];
  readonly env?: Readonly<Record<string, EnvValue>>;
  readonly mounts?: readonly MountSpec[];
  readonly resources: ResourceSpec;
  readonly security?: SecuritySpec;
}

export interface ContainerSpec extends ContainerBase {
  readonly ports: readonly PortSpec[];
  readonly readiness: ProbeSpec;
  readonly liveness: ProbeSpec;
  /** For slow starters: liveness is held off until this succeeds. */
  readonly startup?: ProbeSpec;
}

/** Init containers run to completion, so they carry resources but no probes. */
export type InitContainerSpec = ContainerBase;

export function validateResources(r: ResourceSpec, where: string): void {
  const cpu = parseMillicores(r.cpu);
  const mem = parseBytes(r.memory);
  const lim = parseBytes(r.memoryLimit);
  if (cpu === undefined) throw new Error(`${where}: CPU request "${r.cpu}" is not a Kubernetes quantity (e.g. 250m, 1)`);
  if (mem === undefined) throw new Error(`${where}: memory request "${r.memory}" is not a Kubernetes quantity (e.g. 512Mi, 2Gi)`);
  if (lim === undefined) throw new Error(`${where}: memory limit "${r.memoryLimit}" is not a Kubernetes quantity (e.g. 1Gi)`);
  if (lim < mem) throw new Error(`${where}: memory limit ${r.memoryLimit} is below the request ${r.memory}`);
  if (r.cpuLimit !== undefined && parseMillicores(r.cpuLimit) === undefined) {
    throw new Error(`${where}: CPU limit "${r.cpuLimit}" is not a Kubernetes quantity`);
  }
  for (const [name, count] of Object.entries(r.extended ?? {})) {
    // Extended resources are whole units of a vendor-domain name (kubernetes.io/ is reserved).
    if (!/^[a-z0-9.-]+\.[a-z]+\/[a-z0-9][-a-z0-9_.]*$/.test(name) || name.startsWith("kubernetes.io/")) throw new Error(`${where}: "${name}" is not an extended resource name such as nvidia.com/gpu`);
    if (!/^[1-9]\d*$/.test(count)) throw new Error(`${where}: extended resource ${name} must be a whole number ≥ 1, got "${count}"`);
  }
}

function probe(spec: ProbeSpec, ports: readonly PortSpec[], where: string): k8s.types.input.core.v1.Probe {
  const timing = {
    periodSeconds: spec.periodSeconds ?? 10,
    failureThreshold: spec.failureThreshold ?? 3,
    initialDelaySeconds: spec.initialDelaySeconds ?? 0,
    timeoutSeconds: spec.timeoutSeconds ?? 3,
  };
  const needPort = (name: string): string => {
    if (!ports.some((p) => p.name === name)) {
      throw new Error(`${where}: probe uses port "${name}" but the container only has ${ports.map((p) => p.name).join(", ") || "no ports"}`);
    }
    return name;
  };
  const a = spec.action;
  if ("http" in a) return { ...timing, httpGet: { path: a.http.path, port: needPort(a.http.port) } };
  if ("tcp" in a) return { ...timing, tcpSocket: { port: needPort(a.tcp.port) } };
  if (a.exec.length === 0) throw new Error(`${where}: exec probe has no command`);
  return { ...timing, exec: { command: [...a.exec] } };
}

function envVars(env: Readonly<Record<string, EnvValue>> | undefined): k8s.types.input.core.v1.EnvVar[] | undefined {
  if (!env) return undefined;
  // Kubernetes expands `$(VAR)` only from variables listed earlier: values that reference another
  // variable of the container come after all others (each group sorted by name).
  const refers = (n: string) => {
    const v = env[n];
    return typeof v === "string" && [...v.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)].some((m) => m[1] in env);
  };
  const names = Object.keys(env).sort();
  return [...names.filter((n) => !refers(n)), ...names.filter(refers)]
    .map((name) => {
      const v = env[name];
      if (typeof v === "string") return { name, value: v };
      if ("secret" in v) return { name, valueFrom: { secretKeyRef: { name: v.secret.secretName, key: v.secret.key } } };
      return { name, valueFrom: { fieldRef: { fieldPath: v.fieldPath } } };
    });
}

function base(c: ContainerBase, where: string): k8s.types.input.core.v1.Container {
  validateResources(c.resources, where);
  return {
    name: c.name,
    image: imageRef(c.image),
    imagePullPolicy: "IfNotPresent",
    command: c.command ? [...c.command] : undefined,
    args: c.args ? [...c.args] : undefined,
    env: envVars(c.env),
    volumeMounts: c.mounts?.map((m) => ({ name: m.volume, mountPath: m.mountPath, readOnly: m.readOnly, subPath: m.subPath })),
    resources: {
      requests: { cpu: c.resources.cpu, memory: c.resources.memory },
      limits: { memory: c.resources.memoryLimit, ...(c.resources.cpuLimit ? { cpu: c.resources.cpuLimit } : {}), ...(c.resources.extended ?? {}) },
    },
    securityContext: containerSecurityContext(c.image, c.security),
  };
}

export function toContainer(c: ContainerSpec, where: string): k8s.types.input.core.v1.Container {
  const seen = new Set<string>();
  for (const p of c.ports) {
    if (seen.has(p.name)) throw new Error(`${where}: port name "${p.name}" is used twice`);
    if (p.name.length > 15) throw new Error(`${where}: port name "${p.name}" is longer than 15 characters`);
    seen.add(p.name);
  }
  return {
    ...base(c, where),
    ports: c.ports.map((p) => ({ name: p.name, containerPort: p.containerPort, protocol: p.protocol ?? "TCP" })),
    readinessProbe: probe(c.readiness, c.ports, `${where} readiness`),
    livenessProbe: probe(c.liveness, c.ports, `${where} liveness`),
    startupProbe: c.startup ? probe(c.startup, c.ports, `${where} startup`) : undefined,
  };
}

export function toInitContainer(c: InitContainerSpec, where: string): k8s.types.input.core.v1.Container {
  return base(c, where);
}
