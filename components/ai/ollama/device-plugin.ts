// The NVIDIA device plugin: advertises each GPU node's GPUs as `nvidia.com/gpu` to the kubelet, so a
// pod can ask for one. Upstream's static manifest (deployments/static/nvidia-device-plugin.yml), with
// what k3s needs on top: `runtimeClassName: nvidia` (k3s registers the NVIDIA runtime as a RuntimeClass,
// not as containerd's default, so without it the plugin cannot see the driver), and placement on
// the gpu-role nodes only (the same role labels the cluster registers them with).
//
// k3s creates the `nvidia` RuntimeClass itself (its bundled runtimes manifest, when it finds the NVIDIA
// container runtime on a node), so this program does not: a second owner would fight over it.
//
// kube-system: the plugin mounts a host path (the kubelet's device-plugins directory), which the
// platform namespace's Pod Security (baseline) refuses. It serves nothing over the network, so its
// pods get their own default-deny ingress there.
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { appLabels, emitDefaultDeny, podSecurityContext, schedulingFor, selectorLabels, toContainer } from "../../kit";
import { KUBE_SYSTEM } from "../../ingress/spec";
import { DEVICE_PLUGINS_DIR, NVIDIA_GPU, devicePluginSpec } from "./spec";

export interface DevicePluginArgs {
  /** How many nodes have the gpu role (for the spec; the DaemonSet itself follows the labels). */
  readonly gpuNodes: number;
}

export class NvidiaDevicePlugin extends pulumi.ComponentResource {
  readonly daemonSet: k8s.apps.v1.DaemonSet;

  constructor(name: string, args: DevicePluginArgs, opts?: pulumi.ComponentResourceOptions) {
    super("homelab:ai:NvidiaDevicePlugin", name, {}, opts);
    const spec = devicePluginSpec(args);
    const id = spec.identity.name;
    const selector = selectorLabels(spec.identity);
    const labels = appLabels(spec.identity);
    const deny = emitDefaultDeny(this, KUBE_SYSTEM, { name: `${id}-deny-ingress`, podSelector: selector });
    const c = spec.containers[0];
    const container = toContainer({ ...c, mounts: [{ volume: "device-plugins", mountPath: DEVICE_PLUGINS_DIR }] }, `daemonset ${id}`);
    // One pod per gpu node: the role label as nodeSelector (no anti-affinity: a DaemonSet places one per node).
    const { nodeSelector } = schedulingFor(spec.placement, selector);
    this.daemonSet = new k8s.apps.v1.DaemonSet(id, {
      metadata: { name: id, namespace: KUBE_SYSTEM, labels },
      spec: {
        selector: { matchLabels: selector },
        updateStrategy: { type: "RollingUpdate" },
        template: {
          metadata: { labels },
          spec: {
            nodeSelector,
            // GPU nodes are often tainted so that only GPU work lands there; the plugin must still run.
            tolerations: [{ key: NVIDIA_GPU, operator: "Exists", effect: "NoSchedule" }],
            priorityClassName: "system-node-critical",
            runtimeClassName: spec.runtimeClassName,
            automountServiceAccountToken: false,
            securityContext: podSecurityContext(),
            containers: [container],
            volumes: [{ name: "device-plugins", hostPath: { path: DEVICE_PLUGINS_DIR, type: "Directory" } }],
          },
        },
      },
    }, { parent: this, dependsOn: [deny] });
    this.registerOutputs({});
  }
}
