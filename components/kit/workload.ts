// The workload builder: one spec in, the workload, its Services and its PodDisruptionBudget out.
// Selectors, Service ports and PDBs are derived from the spec, so a Service that selects nothing or
// targets a port no container has cannot be written.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppIdentity, appLabels, assertDnsLabel, selectorLabels } from "./labels";
import { ContainerSpec, InitContainerSpec, PortSpec, SecretKeyRef, toContainer, toInitContainer } from "./container";
import { Placement, placementSpread, schedulingFor } from "./placement";
import { podSecurityContext } from "./security";
import { parseBytes } from "./quantity";
import { Connection, allowConnections, workloadConsumer } from "./connections";
import { PEER_PORTS_ANNOTATION, emitAllow, emitCidrAllow, policyName } from "./network";
import { awaitTimeouts, rolloutTimeoutMinutes } from "./timeouts";
import { METRICS_PORT_ANNOTATION, emitScrape } from "./monitoring";

export const LOCAL_PATH = "local-path";

export type PodVolume =
  | { readonly name: string; readonly configMap: { readonly name: string; readonly defaultMode?: number } }
  | { readonly name: string; readonly secret: { readonly secretName: string; readonly defaultMode?: number } }
  | { readonly name: string; readonly emptyDir: { readonly sizeLimit?: string; readonly medium?: "Memory" } };

/** A per-replica persistent volume (StatefulSet volumeClaimTemplates). */
export interface VolumeClaim {
  readonly name: string;
  /** e.g. "10Gi". */
  readonly size: string;
  /** Default "local-path" (k3s): the volume lives on one node, so the workload must be pinned. */
  readonly storageClass?: string;
}

export interface ServiceExposure {
  /** Names of container ports to expose; each must exist on one of the pod's containers. */
  readonly ports: readonly string[];
  /** Default: the workload's name. */
  readonly name?: string;
  /** Labels the application itself puts on its pods at run time, added to the selector. */
  readonly runtimeLabels?: RuntimeLabels;
  /**
   * Service port numbers that differ from the container port, by port name (e.g. {http: 8000} in
   * front of a container's 8001). The target is still the named container port. Default: the
   * container port.
   */
  readonly servicePorts?: Readonly<Record<string, number>>;
  /**
   * Makes this a NodePort Service: the node port of each named port (30000–32767), e.g. for access
   * over a tailnet without the ingress. Derived from the same workload as every Service, so its
   * selector cannot drift. Needs `nodePortFrom`.
   */
  readonly nodePorts?: Readonly<Record<string, number>>;
  /**
   * Client CIDRs that may reach the node ports: the kit emits their allow (the namespace denies
   * ingress by default). The Service keeps client addresses (externalTrafficPolicy Local), so only
   * nodes running a pod answer on the node port.
   */
  readonly nodePortFrom?: readonly string[];
}

/** The lowest and highest node port Kubernetes allocates by default (kube-apiserver --service-node-port-range). */
export const NODE_PORT_RANGE = { min: 30000, max: 32767 } as const;
/** On a NodePort Service: the client CIDRs allowed to reach it, comma-separated (its allow is checked against this). */
export const NODE_PORT_FROM_ANNOTATION = "homelab.pesulabs.net/node-port-from";

/**
 * Labels an application sets on its own pods at run time (e.g. Patroni's `spilo-role`), which no
 * template shows. Recorded in annotations, so checks know these keys are not in the template and
 * how many replicas it takes before any pod can carry them.
 */
export interface RuntimeLabels {
  readonly labels: Readonly<Record<string, string>>;
  /**
   * The fewest replicas at which some pod carries these labels, e.g. 2 for Patroni's role=replica
   * (one member is always the primary). With fewer the Service could never have an endpoint, so the
   * kit refuses it.
   */
  readonly minReplicas: number;
}

/** Annotation listing selector keys that the application sets on its pods at run time. */
export const RUNTIME_SELECTOR_ANNOTATION = "homelab.pesulabs.net/runtime-selector-keys";
/** Annotation with RuntimeLabels.minReplicas: fewer replicas and the Service can never match. */
export const RUNTIME_SELECTOR_MIN_REPLICAS_ANNOTATION = "homelab.pesulabs.net/runtime-selector-min-replicas";

export interface WorkloadSpec {
  readonly identity: AppIdentity;
  readonly kind: "Deployment" | "StatefulSet";
  readonly replicas: number;
  readonly placement: Placement;
  readonly containers: readonly ContainerSpec[];
  readonly initContainers?: readonly InitContainerSpec[];
  readonly volumes?: readonly PodVolume[];
  /** StatefulSet only. */
  readonly volumeClaims?: readonly VolumeClaim[];
  /** A ClusterIP Service named after the workload. StatefulSets always also get `<name>-headless`. */
  readonly service?: ServiceExposure;
  /** More ClusterIP Services over the same pods, each with its own name (required). */
  readonly extraServices?: readonly (ServiceExposure & { readonly name: string })[];
  readonly serviceAccountName?: string;
  /**
   * Extra labels on the pod template only, never in the selector (selectors are immutable): for an
   * application that finds its own pods by a label of its own (Patroni's KUBERNETES_LABELS).
   */
  readonly podLabels?: Readonly<Record<string, string>>;
  /** Group that owns mounted volumes. */
  readonly fsGroup?: number;
  /** e.g. "nvidia" for GPU pods on k3s. */
  readonly runtimeClassName?: string;
  /** Default 30. */
  readonly terminationGracePeriodSeconds?: number;
  /**
   * StatefulSet only: `Parallel` starts (and stops) every pod at once, for members that must all be up
   * before any becomes ready (e.g. a distributed MinIO waiting for its quorum). Default OrderedReady.
   */
  readonly podManagementPolicy?: "OrderedReady" | "Parallel";
  /**
   * Container port names the replicas reach each other on (e.g. replication and the consensus API);
   * each gets an allow from the workload's pods to themselves. Default none.
   */
  readonly peerPorts?: readonly string[];
  /**
   * Where the pods serve Prometheus metrics, if they do: the kit scrapes every workload that declares
   * one (observability). Default none.
   */
  readonly metrics?: MetricsEndpoint;
}

/** A workload's Prometheus metrics endpoint. */
export interface MetricsEndpoint {
  /** Name of a container port of the pod (checked like a Service port). */
  readonly port: string;
  /** Default "/metrics". */
  readonly path?: string;
  /** A bearer token the endpoint requires (e.g. Qdrant's API key), from a Secret. */
  readonly bearerToken?: SecretKeyRef;
  /** More endpoints on the same pods (e.g. an exporter sidecar), scraped by the same monitor. Default none. */
  readonly also?: readonly Omit<MetricsEndpoint, "also">[];
}

/** Every endpoint a metrics declaration names, the main one first. */
export function metricsEndpoints(m: MetricsEndpoint): Omit<MetricsEndpoint, "also">[] {
  const { also, ...main } = m;
  return [main, ...(also ?? [])];
}

/** Label on every backup CronJob, valued with what it backs up (e.g. "postgres-dump"): freshness checks and alerts select on it. */
export const BACKUP_LABEL = "homelab.pesulabs.net/backup";

export interface WorkloadArgs {
  /** Plain text: network allows compare namespaces. */
  readonly namespace: string;
  /** Extra pod annotations, e.g. a checksum of mounted config so pods roll when it changes. */
  readonly podAnnotations?: Record<string, pulumi.Input<string>>;
  /** What the pods need to exist first (Secrets, ConfigMaps, RBAC), so they never start half-configured. */
  readonly dependsOn?: pulumi.Resource[];
  /** What the pods connect to: each connection becomes exactly one allow (pods → provider, on its port). Default none. */
  readonly connections?: readonly Connection[];
}

export interface EmittedWorkload {
  readonly workload: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet;
  readonly service?: k8s.core.v1.Service;
  readonly headless?: k8s.core.v1.Service;
  readonly pdb: k8s.policy.v1.PodDisruptionBudget;
  readonly selector: Record<string, string>;
  /** Name of the ClusterIP Service, when exposed. */
  readonly serviceName?: string;
  readonly extraServices: k8s.core.v1.Service[];
  /** The allows generated for the workload's connections, peer ports and metrics endpoint. */
  readonly policies: k8s.networking.v1.NetworkPolicy[];
  /** The PodMonitor, when the spec declares a metrics endpoint. */
  readonly monitor?: k8s.apiextensions.CustomResource;
}

/** Every container port of the pod, by name. */
export function podPorts(spec: WorkloadSpec): Map<string, PortSpec> {
  const ports = new Map<string, PortSpec>();
  for (const c of spec.containers) for (const p of c.ports) ports.set(p.name, p);
  return ports;
}

/** Throws when the spec breaks a rule the kit guarantees. Pure: validation calls it before any resource exists. */
export function checkWorkloadSpec(spec: WorkloadSpec): void {
  const where = `workload ${spec.identity.name}`;
  assertDnsLabel(spec.identity.name, "workload name");
  if (spec.containers.length === 0) throw new Error(`${where}: has no containers`);
  if (!Number.isInteger(spec.replicas) || spec.replicas < 1) throw new Error(`${where}: replicas must be a whole number ≥ 1, got ${spec.replicas}`);
  const names = new Set<string>();
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    if (names.has(c.name)) throw new Error(`${where}: container name "${c.name}" is used twice`);
    names.add(c.name);
  }
  const ports = podPorts(spec);
  for (const svc of [...(spec.service ? [spec.service] : []), ...(spec.extraServices ?? [])]) {
    for (const p of svc.ports) {
      if (!ports.has(p)) {
        throw new Error(`${where}: the Service exposes port "${p}" but no container has it (ports: ${[...ports.keys()].join(", ") || "none"})`);
      }
    }
    const svcName = svc.name ?? spec.identity.name;
    for (const [p, n] of Object.entries(svc.servicePorts ?? {})) {
      if (!svc.ports.includes(p)) throw new Error(`${where}: Service ${svcName} sets a port number for "${p}", which it does not expose (ports: ${svc.ports.join(", ")})`);
      if (!Number.isInteger(n) || n < 1 || n > 65535) throw new Error(`${where}: Service ${svcName} port ${p} number ${n} is not a port (1–65535)`);
    }
    const nodePorts = Object.entries(svc.nodePorts ?? {});
    for (const [p, n] of nodePorts) {
      if (!svc.ports.includes(p)) throw new Error(`${where}: Service ${svcName} sets a node port for "${p}", which it does not expose (ports: ${svc.ports.join(", ")})`);
      if (!Number.isInteger(n) || n < NODE_PORT_RANGE.min || n > NODE_PORT_RANGE.max) {
        throw new Error(`${where}: Service ${svcName} node port ${n} is outside ${NODE_PORT_RANGE.min}–${NODE_PORT_RANGE.max}`);
      }
    }
    if (nodePorts.length > 0 && !(svc.nodePortFrom?.length)) throw new Error(`${where}: Service ${svcName} has node ports but no nodePortFrom (who may reach them)`);
    if (nodePorts.length === 0 && svc.nodePortFrom?.length) throw new Error(`${where}: Service ${svcName} sets nodePortFrom without node ports`);
    const runtime = svc.runtimeLabels;
    if (runtime && spec.replicas < runtime.minReplicas) {
      const shown = Object.entries(runtime.labels).map(([k, v]) => `${k}=${v}`).join(", ");
      throw new Error(
        `${where}: the Service ${svc.name ?? spec.identity.name} selects ${shown}, which no pod carries with fewer than ` +
          `${runtime.minReplicas} replicas, and there are ${spec.replicas}: it could never have an endpoint. Leave it out at this size`,
      );
    }
  }
  for (const key of Object.keys(spec.podLabels ?? {})) {
    if (key in selectorLabels(spec.identity)) throw new Error(`${where}: pod label "${key}" would override a selector label`);
  }
  const volumeNames = new Set([...(spec.volumes ?? []), ...(spec.volumeClaims ?? [])].map((v) => v.name));
  for (const c of [...(spec.initContainers ?? []), ...spec.containers]) {
    for (const m of c.mounts ?? []) {
      if (!volumeNames.has(m.volume)) throw new Error(`${where}: container ${c.name} mounts volume "${m.volume}" that the pod does not declare`);
    }
  }
  for (const p of spec.peerPorts ?? []) {
    if (!ports.has(p)) throw new Error(`${where}: peer port "${p}" is not a container port (ports: ${[...ports.keys()].join(", ") || "none"})`);
  }
  for (const m of spec.metrics ? metricsEndpoints(spec.metrics) : []) {
    if (!ports.has(m.port)) {
      throw new Error(`${where}: metrics port "${m.port}" is not a container port (ports: ${[...ports.keys()].join(", ") || "none"})`);
    }
  }
  if (spec.podManagementPolicy !== undefined && spec.kind !== "StatefulSet") throw new Error(`${where}: podManagementPolicy is for StatefulSets only`);
  if (spec.placement.kind === "nodes" && spec.placement.nodes.length === 0) throw new Error(`${where}: spread over no nodes`);
  if (spec.volumeClaims?.length) {
    if (spec.kind !== "StatefulSet") throw new Error(`${where}: per-replica volumes need a StatefulSet`);
    for (const v of spec.volumeClaims) {
      if (parseBytes(v.size) === undefined) throw new Error(`${where}: volume ${v.name} size "${v.size}" is not a Kubernetes quantity`);
    }
    const localPath = spec.volumeClaims.some((v) => (v.storageClass ?? LOCAL_PATH) === LOCAL_PATH);
    // A local-path volume lives on one node. Either every pod is pinned to that node, or each replica
    // owns a node (required anti-affinity), or the pods spread evenly over named nodes; in the last two
    // the volume's node affinity keeps each pod where its volume is.
    if (localPath && spec.placement.kind !== "pinned" && !["required", "even"].includes(placementSpread(spec.placement))) {
      throw new Error(`${where}: has local-path volumes, so it must be pinned to a node, spread with required anti-affinity or spread evenly over named nodes`);
    }
  }
}

function podVolume(v: PodVolume): k8s.types.input.core.v1.Volume {
  if ("configMap" in v) return { name: v.name, configMap: { name: v.configMap.name, defaultMode: v.configMap.defaultMode } };
  if ("secret" in v) return { name: v.name, secret: { secretName: v.secret.secretName, defaultMode: v.secret.defaultMode } };
  return { name: v.name, emptyDir: { sizeLimit: v.emptyDir.sizeLimit, medium: v.emptyDir.medium } };
}

/** Creates the workload, its Service(s) and PDB as children of `parent`. */
export function emitWorkload(parent: pulumi.Resource, spec: WorkloadSpec, args: WorkloadArgs): EmittedWorkload {
  checkWorkloadSpec(spec);
  const name = spec.identity.name;
  const where = `workload ${name}`;
  const selector = selectorLabels(spec.identity);
  const labels = appLabels(spec.identity);
  const opts: pulumi.CustomResourceOptions = { parent };
  // A cold start (image pull, slow startup probe, members in sequence) may outlast the provider's 10 minutes.
  const customTimeouts = awaitTimeouts(rolloutTimeoutMinutes(spec));
  const meta = (n: string) => ({ name: n, namespace: args.namespace, labels });
  const ports = podPorts(spec);
  const consumed = allowConnections(parent, workloadConsumer(spec.identity, args.namespace), args.connections ?? []);
  const peerPorts = [...new Set(spec.peerPorts ?? [])].sort();
  const policies = [...consumed.policies];
  if (peerPorts.length > 0) {
    const pods = { namespace: args.namespace, podSelector: selector };
    policies.push(emitAllow(parent, {
      name: `${name}-peers`,
      reason: "peer",
      from: pods,
      to: pods,
      ports: peerPorts.map((p) => ({ port: ports.get(p)!.containerPort, protocol: ports.get(p)!.protocol })),
      identity: spec.identity,
    }));
  }
  // Pods start only once their allows exist, so a first connection (or a member's first replication) is not dropped.
  const podDeps = [...(args.dependsOn ?? []), ...policies];
  // Scraping by construction: the declared metrics endpoint gets its monitor and Prometheus's allow.
  let monitor: k8s.apiextensions.CustomResource | undefined;
  if (spec.metrics) {
    const scrape = emitScrape(parent, {
      name,
      namespace: args.namespace,
      podSelector: selector,
      endpoints: metricsEndpoints(spec.metrics),
      containerPorts: metricsEndpoints(spec.metrics).map((m) => ports.get(m.port)!.containerPort),
      identity: spec.identity,
    });
    monitor = scrape.monitor;
    policies.push(scrape.policy);
  }
  const annotated = {
    ...(peerPorts.length > 0 ? { [PEER_PORTS_ANNOTATION]: peerPorts.join(",") } : {}),
    ...(spec.metrics ? { [METRICS_PORT_ANNOTATION]: metricsEndpoints(spec.metrics).map((m) => m.port).join(",") } : {}),
  };
  const workloadAnnotations = Object.keys(annotated).length > 0 ? annotated : undefined;
  const podAnnotations = { ...(args.podAnnotations ?? {}), ...consumed.annotations };

  const template: k8s.types.input.core.v1.PodTemplateSpec = {
    metadata: { labels: { ...labels, ...(spec.podLabels ?? {}) }, annotations: Object.keys(podAnnotations).length ? podAnnotations : undefined },
    spec: {
      ...schedulingFor(spec.placement, selector),
      serviceAccountName: spec.serviceAccountName,
      automountServiceAccountToken: spec.serviceAccountName !== undefined,
      securityContext: podSecurityContext(spec.fsGroup),
      runtimeClassName: spec.runtimeClassName,
      terminationGracePeriodSeconds: spec.terminationGracePeriodSeconds ?? 30,
      initContainers: spec.initContainers?.map((c) => toInitContainer(c, `${where} init container ${c.name}`)),
      containers: spec.containers.map((c) => toContainer(c, `${where} container ${c.name}`)),
      volumes: spec.volumes?.map(podVolume),
    },
  };

  const servicePorts = (names: readonly string[], svc?: ServiceExposure) =>
    names.map((p) => {
      const port = ports.get(p)!;
      const nodePort = svc?.nodePorts?.[p];
      return { name: p, port: svc?.servicePorts?.[p] ?? port.containerPort, targetPort: p, protocol: port.protocol ?? "TCP", ...(nodePort !== undefined ? { nodePort } : {}) };
    });

  let headless: k8s.core.v1.Service | undefined;
  let workload: k8s.apps.v1.Deployment | k8s.apps.v1.StatefulSet;
  if (spec.kind === "StatefulSet") {
    const headlessName = `${name}-headless`;
    // The governing Service gives each member a stable DNS name; members must find each other
    // before they are ready, hence publishNotReadyAddresses.
    headless = new k8s.core.v1.Service(`${name}-headless`, {
      metadata: meta(headlessName),
      spec: { clusterIP: "None", publishNotReadyAddresses: true, selector, ports: servicePorts([...ports.keys()]) },
    }, opts);
    workload = new k8s.apps.v1.StatefulSet(name, {
      metadata: { ...meta(name), annotations: workloadAnnotations },
      spec: {
        serviceName: headlessName,
        replicas: spec.replicas,
        selector: { matchLabels: selector },
        podManagementPolicy: spec.podManagementPolicy ?? "OrderedReady",
        updateStrategy: { type: "RollingUpdate" },
        // Never delete data with the workload or on scale-down: volumes outlive pods.
        persistentVolumeClaimRetentionPolicy: { whenDeleted: "Retain", whenScaled: "Retain" },
        template,
        volumeClaimTemplates: spec.volumeClaims?.map((v) => ({
          metadata: { name: v.name, labels: selector },
          spec: { accessModes: ["ReadWriteOnce"], storageClassName: v.storageClass ?? LOCAL_PATH, resources: { requests: { storage: v.size } } },
        })),
      },
      // Protected when it holds volumes: a delete or a replace (e.g. a changed volume template) fails
      // instead of taking the pods' data with it.
    }, { parent, dependsOn: [headless, ...podDeps], customTimeouts, protect: (spec.volumeClaims?.length ?? 0) > 0 });
  } else {
    workload = new k8s.apps.v1.Deployment(name, {
      metadata: { ...meta(name), annotations: workloadAnnotations },
      spec: {
        replicas: spec.replicas,
        selector: { matchLabels: selector },
        strategy: { type: "RollingUpdate", rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } },
        template,
      },
    }, { parent, dependsOn: podDeps, customTimeouts });
  }

  const clusterService = (svc: ServiceExposure, svcName: string) => {
    const runtime = svc.runtimeLabels?.labels ?? {};
    const nodePort = Object.keys(svc.nodePorts ?? {}).length > 0;
    const annotations = {
      ...(Object.keys(runtime).length
        ? {
            [RUNTIME_SELECTOR_ANNOTATION]: Object.keys(runtime).sort().join(","),
            [RUNTIME_SELECTOR_MIN_REPLICAS_ANNOTATION]: String(svc.runtimeLabels!.minReplicas),
          }
        : {}),
      ...(nodePort ? { [NODE_PORT_FROM_ANNOTATION]: [...svc.nodePortFrom!].join(",") } : {}),
    };
    if (nodePort) {
      // The namespace denies ingress by default: the node port's clients need their own allow.
      policies.push(emitCidrAllow(parent, {
        name: policyName(svcName, "node-port"),
        to: { namespace: args.namespace, podSelector: selector },
        cidrs: svc.nodePortFrom!,
        ports: Object.keys(svc.nodePorts!).sort().map((p) => ({ port: ports.get(p)!.containerPort, protocol: ports.get(p)!.protocol })),
        identity: spec.identity,
      }));
    }
    return new k8s.core.v1.Service(svcName, {
      metadata: { ...meta(svcName), annotations: Object.keys(annotations).length ? annotations : undefined },
      spec: nodePort
        ? { type: "NodePort", externalTrafficPolicy: "Local", selector: { ...selector, ...runtime }, ports: servicePorts(svc.ports, svc) }
        : { type: "ClusterIP", selector: { ...selector, ...runtime }, ports: servicePorts(svc.ports, svc) },
    }, opts);
  };
  const serviceName = spec.service ? (spec.service.name ?? name) : undefined;
  const service = spec.service && serviceName ? clusterService(spec.service, serviceName) : undefined;
  const extraServices = (spec.extraServices ?? []).map((svc) => clusterService(svc, svc.name));

  // maxUnavailable 1 (not minAvailable) so a single-replica workload can still be drained.
  const pdb = new k8s.policy.v1.PodDisruptionBudget(name, {
    metadata: meta(name),
    spec: { maxUnavailable: 1, selector: { matchLabels: selector } },
  }, opts);

  return { workload, service, headless, pdb, selector, serviceName, extraServices, policies, monitor };
}
