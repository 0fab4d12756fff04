/**
 * Bounds of every remote step, in one place.
 *
 * A step is bounded twice: inside its script each call that can block runs under coreutils
 * `timeout` (or a deadline loop) with a message naming what hung, and the whole script runs under
 * `timeout <step bound>` (see `asRemoteCommand`). The Pulumi resource's customTimeouts add a margin
 * for the SSH connection on top; whether the command provider honours customTimeouts depends on its
 * version, the in-script bounds hold either way.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ResolvedCluster } from "./validate";

/** One `k3s kubectl` call (get/label/apply/delete) against the local API server. */
export const KUBECTL_TIMEOUT_SECONDS = 60;
/** Downloading the k3s install script. */
export const DOWNLOAD_TIMEOUT_SECONDS = 120;
/** One systemctl call that does not start k3s (enable, disable --now) or k3s-killall.sh. */
export const SYSTEMCTL_TIMEOUT_SECONDS = 60;
/** Waiting for k3s to write a secret it generates (the server token, a ServiceAccount token). */
export const SECRET_WAIT_SECONDS = 120;
/** Slack for the script's own work around its bounded calls. */
const SCRIPT_SLACK_SECONDS = 60;
/** SSH connection and upload, on top of the script's bound, for Pulumi's customTimeouts. */
const SSH_MARGIN_SECONDS = 120;

/** Upper bound, in seconds, of each remote step's script (what `timeout` around it enforces). */
export interface StepBounds {
  /** Install/upgrade/reconfigure k3s on a node (create and update of `install`). */
  readonly install: number;
  /** Stop or uninstall k3s on a removed node (delete of `install`). */
  readonly removeFromMachine: number;
  /** Wait for Ready and re-apply labels/taints (create and update of `ready`). */
  readonly ready: number;
  /** Cordon and drain a removed node (delete of `ready`). */
  readonly drain: number;
  /** Record membership (create of `membership`). */
  readonly membership: number;
  /** Delete the Node object (delete of `membership`). */
  readonly deleteNode: number;
  /** Annotate removed nodes for uninstall. */
  readonly removalRequests: number;
  /** Read the first server's secure join token. */
  readonly joinToken: number;
  /** Create the admin ServiceAccount and read its token. */
  readonly adminAccess: number;
}

/** Every step's bound, derived from the cluster's own timeouts. */
export function stepBounds(cluster: ResolvedCluster): StepBounds {
  const k = KUBECTL_TIMEOUT_SECONDS;
  return {
    install: DOWNLOAD_TIMEOUT_SECONDS + cluster.installTimeoutSeconds + cluster.gpuRuntimeWaitSeconds +
      SYSTEMCTL_TIMEOUT_SECONDS + SCRIPT_SLACK_SECONDS,
    removeFromMachine: k + cluster.installTimeoutSeconds + 2 * SYSTEMCTL_TIMEOUT_SECONDS + SCRIPT_SLACK_SECONDS,
    ready: cluster.readyTimeoutSeconds + 3 * k + SCRIPT_SLACK_SECONDS,
    drain: 2 * k + cluster.drainTimeoutSeconds + k + SCRIPT_SLACK_SECONDS,
    membership: SCRIPT_SLACK_SECONDS,
    deleteNode: k + SCRIPT_SLACK_SECONDS,
    removalRequests: 2 * k * Math.max(1, cluster.uninstallRemovedNodes.length) + SCRIPT_SLACK_SECONDS,
    joinToken: SECRET_WAIT_SECONDS + SCRIPT_SLACK_SECONDS,
    adminAccess: SECRET_WAIT_SECONDS + 3 * k + SCRIPT_SLACK_SECONDS,
  };
}

/** Pulumi customTimeouts for a command whose create (= update) and delete scripts have these bounds. */
export function commandTimeouts(createSeconds: number, deleteSeconds?: number): pulumi.CustomTimeouts {
  const minutes = (s: number) => `${Math.ceil((s + SSH_MARGIN_SECONDS) / 60)}m`;
  return {
    create: minutes(createSeconds),
    update: minutes(createSeconds),
    ...(deleteSeconds !== undefined ? { delete: minutes(deleteSeconds) } : {}),
  };
}
