/** Cluster area: k3s nodes over SSH (or an existing cluster) → the k8s.Provider. */
export * from "./types";
export {
  K3sClusterArgsError, resolveCluster, MANAGED_CONFIG_KEYS, K3S_API_PORT,
  DEFAULT_SNAPSHOT_CRON, DEFAULT_SNAPSHOT_RETENTION, DEFAULT_READY_TIMEOUT_SECONDS,
  DEFAULT_DRAIN_TIMEOUT_SECONDS, DEFAULT_GPU_RUNTIME_WAIT_SECONDS, DEFAULT_INSTALLER_URL,
  DEFAULT_INSTALL_TIMEOUT_SECONDS,
} from "./validate";
export type { ResolvedCluster, ResolvedNode, ResolvedSsh, ResolvedSnapshots, ResolvedS3 } from "./validate";
export * from "./node-config";
export * from "./scripts";
export * from "./access-scripts";
export * from "./network";
export * from "./timeouts";
export * from "./kubeconfig";
export { K3sCluster } from "./k3s-cluster";
export type { K3sNodeCommands } from "./k3s-cluster";
export * from "./settings";
