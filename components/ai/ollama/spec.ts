// Ollama and the NVIDIA device plugin as pure specs: the components emit them, and validation counts
// their footprint before anything is deployed.
import { createHash } from "node:crypto";
import { IMAGES, ResourceSpec, WorkloadSpec, onRole, pinned } from "../../kit";
import type { OllamaMode } from "./settings";
import { ollamaRole } from "./settings";

export const OLLAMA_PORT = 11434;
/** k3s creates this RuntimeClass when it finds the NVIDIA container runtime on a node. */
export const NVIDIA_RUNTIME_CLASS = "nvidia";
/** The extended resource the device plugin advertises. */
export const NVIDIA_GPU = "nvidia.com/gpu";
/** Where Ollama keeps its models (the image's default OLLAMA_MODELS lives under it). */
export const OLLAMA_HOME = "/root/.ollama";

export interface OllamaSpecArgs {
  /** Workload and Service name. Default "ollama". */
  readonly name?: string;
  readonly mode: OllamaMode;
  /** The node holding the models volume (a gpu node in gpu mode, a compute node in cpu mode). */
  readonly node: string;
  /** GPUs per pod in gpu mode. */
  readonly gpus: number;
  readonly storage: string;
  readonly resources: ResourceSpec;
  readonly keepAlive: string;
  readonly numParallel: number;
  readonly maxLoadedModels: number;
}

export function ollamaSpec(a: OllamaSpecArgs): WorkloadSpec {
  const gpu = a.mode === "gpu";
  const version = { http: { path: "/api/version", port: "http" } };
  return {
    identity: { name: a.name ?? "ollama", component: "llm" },
    kind: "StatefulSet",
    replicas: 1,
    placement: pinned(a.node, ollamaRole(a.mode)),
    // The NVIDIA runtime mounts the driver and the GPU devices into the container; without it the
    // pod would start on the CPU even with a GPU allocated.
    runtimeClassName: gpu ? NVIDIA_RUNTIME_CLASS : undefined,
    volumeClaims: [{ name: "models", size: a.storage }],
    service: { ports: ["http"] },
    containers: [
      {
        name: "ollama",
        image: IMAGES.ollama,
        ports: [{ name: "http", containerPort: OLLAMA_PORT }],
        env: {
          OLLAMA_HOST: `0.0.0.0:${OLLAMA_PORT}`,
          OLLAMA_KEEP_ALIVE: a.keepAlive,
          OLLAMA_NUM_PARALLEL: String(a.numParallel),
          OLLAMA_MAX_LOADED_MODELS: String(a.maxLoadedModels),
        },
        mounts: [{ volume: "models", mountPath: OLLAMA_HOME }],
        resources: gpu ? { ...a.resources, extended: { [NVIDIA_GPU]: String(a.gpus) } } : a.resources,
        readiness: { action: version, periodSeconds: 10 },
        liveness: { action: version, periodSeconds: 20, failureThreshold: 6, timeoutSeconds: 5 },
        // The API answers before any model is loaded, but a first start (GPU discovery, a large
        // models volume on a slow disk) may take minutes: up to 10 before liveness takes over.
        startup: { action: version, periodSeconds: 10, failureThreshold: 60 },
      },
    ],
  };
}

/** The pull Job's name: changes with the model list (order and duplicates aside), and only with it. */
export function pullJobName(models: readonly string[], name = "ollama"): string {
  const list = [...new Set(models)].sort().join("\n");
  return `${name}-pull-${createHash("sha256").update(list).digest("hex").slice(0, 10)}`;
}

export interface DevicePluginSpecArgs {
  /** How many nodes have the gpu role: one pod each. */
  readonly gpuNodes: number;
}

/** Where the kubelet expects device plugins' sockets; the plugin registers nvidia-gpu.sock here. */
export const DEVICE_PLUGINS_DIR = "/var/lib/kubelet/device-plugins";
export const DEVICE_PLUGIN_SOCKET = `${DEVICE_PLUGINS_DIR}/nvidia-gpu.sock`;

/**
 * The device plugin's pod, one per gpu node. Emitted as a DaemonSet (components/ai/ollama/device-plugin.ts);
 * as a spec with one replica per gpu node and required anti-affinity it is counted on exactly those
 * nodes by the capacity check.
 */
export function devicePluginSpec(a: DevicePluginSpecArgs): WorkloadSpec {
  // The image has a busybox shell (/bin/sh); the socket exists once the plugin has registered with the kubelet.
  const socket = { exec: ["/bin/sh", "-c", `test -S ${DEVICE_PLUGIN_SOCKET}`] };
  return {
    identity: { name: "nvidia-device-plugin", component: "gpu" },
    kind: "Deployment",
    replicas: Math.max(1, a.gpuNodes),
    placement: onRole("gpu", "required"),
    runtimeClassName: NVIDIA_RUNTIME_CLASS,
    containers: [
      {
        name: "nvidia-device-plugin",
        image: IMAGES.nvidiaDevicePlugin,
        ports: [],
        // Keep running (and not ready) on a node whose GPU cannot be initialised, instead of a crash loop.
        env: { FAIL_ON_INIT_ERROR: "false" },
        // The kubelet's device-plugins directory (a hostPath) is mounted by the DaemonSet emitter:
        // the kit's pod volumes do not offer host paths to ordinary workloads.
        resources: { cpu: "10m", memory: "32Mi", memoryLimit: "128Mi" },
        readiness: { action: socket, periodSeconds: 10 },
        // The plugin re-registers when the kubelet restarts; two minutes without its socket is a hang.
        liveness: { action: socket, periodSeconds: 20, failureThreshold: 6 },
        startup: { action: socket, periodSeconds: 5, failureThreshold: 24 },
      },
    ],
  };
}
