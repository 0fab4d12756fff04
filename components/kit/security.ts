// Safe defaults for every pod and container: no privilege escalation, every capability dropped,
// the runtime's default seccomp profile, and non-root wherever the image allows it.
import * as k8s from "@pulumi/kubernetes";
import type { ImageRef } from "./images";

export interface SecuritySpec {
  readonly runAsUser?: number;
  readonly runAsGroup?: number;
  readonly readOnlyRootFilesystem?: boolean;
  /** Capabilities to add back after dropping ALL (e.g. CHOWN for an entrypoint that fixes ownership). */
  readonly addCapabilities?: readonly string[];
}

export function containerSecurityContext(
  image: ImageRef,
  s: SecuritySpec | undefined,
): k8s.types.input.core.v1.SecurityContext {
  const uid = s?.runAsUser ?? image.uid;
  const nonRoot = image.runsAsNonRoot || (uid !== undefined && uid !== 0);
  return {
    allowPrivilegeEscalation: false,
    privileged: false,
    capabilities: { drop: ["ALL"], ...(s?.addCapabilities?.length ? { add: [...s.addCapabilities] } : {}) },
    readOnlyRootFilesystem: s?.readOnlyRootFilesystem ?? false,
    runAsNonRoot: nonRoot ? true : undefined,
    runAsUser: uid,
    runAsGroup: s?.runAsGroup ?? (s?.runAsUser === undefined ? image.gid : undefined) ?? uid,
  };
}

export function podSecurityContext(fsGroup?: number): k8s.types.input.core.v1.PodSecurityContext {
  return {
    seccompProfile: { type: "RuntimeDefault" },
    ...(fsGroup !== undefined ? { fsGroup, fsGroupChangePolicy: "OnRootMismatch" } : {}),
  };
}
