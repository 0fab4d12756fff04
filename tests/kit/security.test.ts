// The safe defaults every pod and container gets (components/kit/security.ts).
import { ImageRef, containerSecurityContext, podSecurityContext } from "../../components/kit";

const image = (o: Partial<ImageRef>): ImageRef => ({ repository: "example/app", tag: "1.0.0", seenIn: "test", runsAsNonRoot: false, ...o });

describe("a container's security context", () => {
  it("never escalates, is never privileged, and drops every capability", () => {
    const c = containerSecurityContext(image({ runsAsNonRoot: true, uid: 1000 }), undefined);
    expect(c.allowPrivilegeEscalation).toBe(false);
    expect(c.privileged).toBe(false);
    expect(c.capabilities).toEqual({ drop: ["ALL"] });
  });

  it("adds back only the capabilities asked for, after dropping all", () => {
    const c = containerSecurityContext(image({}), { addCapabilities: ["CHOWN", "SETUID"] });
    expect(c.capabilities).toEqual({ drop: ["ALL"], add: ["CHOWN", "SETUID"] });
  });

  it("runs as non-root when the image or the spec gives a non-zero UID, and does not claim it for root", () => {
    expect(containerSecurityContext(image({ runsAsNonRoot: true, uid: 1000 }), undefined)).toMatchObject({ runAsNonRoot: true, runAsUser: 1000, runAsGroup: 1000 });
    expect(containerSecurityContext(image({}), { runAsUser: 999 })).toMatchObject({ runAsNonRoot: true, runAsUser: 999, runAsGroup: 999 });
    const root = containerSecurityContext(image({ uid: 0 }), undefined);
    expect(root.runAsNonRoot).toBeUndefined();
    expect(root.runAsUser).toBe(0);
    expect(containerSecurityContext(image({}), undefined).runAsNonRoot).toBeUndefined();
  });

  it("takes the image's group unless the spec picks the user", () => {
    expect(containerSecurityContext(image({ runsAsNonRoot: true, uid: 1000, gid: 2000 }), undefined).runAsGroup).toBe(2000);
    expect(containerSecurityContext(image({ runsAsNonRoot: true, uid: 1000, gid: 2000 }), { runAsUser: 70 }).runAsGroup).toBe(70);
    expect(containerSecurityContext(image({ runsAsNonRoot: true, uid: 1000, gid: 2000 }), { runAsUser: 70, runAsGroup: 80 }).runAsGroup).toBe(80);
  });

  it("keeps the root filesystem writable unless the spec makes it read-only", () => {
    expect(containerSecurityContext(image({}), undefined).readOnlyRootFilesystem).toBe(false);
    expect(containerSecurityContext(image({}), { readOnlyRootFilesystem: true }).readOnlyRootFilesystem).toBe(true);
  });
});

describe("a pod's security context", () => {
  it("uses the runtime's default seccomp profile, and no fsGroup unless given", () => {
    expect(podSecurityContext()).toEqual({ seccompProfile: { type: "RuntimeDefault" } });
  });

  it("with an fsGroup, changes volume ownership only when the root does not match (no recursive chown on every start)", () => {
    expect(podSecurityContext(1000)).toEqual({ seccompProfile: { type: "RuntimeDefault" }, fsGroup: 1000, fsGroupChangePolicy: "OnRootMismatch" });
    expect(podSecurityContext(0)).toMatchObject({ fsGroup: 0 });
  });
});
