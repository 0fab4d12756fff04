// The one image catalog. Every container image in the platform comes from here, pinned to a
// version tag (never `latest`, never a floating major), so Renovate can bump one line and a test
// refuses anything unpinned. `seenIn` records where the tag was confirmed to exist: an image tag
// that does not exist is an outage we promise to catch before deploy.

export interface ImageRef {
  readonly repository: string;
  readonly tag: string;
  /** Optional content digest; when set the reference is `repo:tag@digest`. */
  readonly digest?: string;
  /** Where this exact tag was confirmed to exist (release notes, registry listing). */
  readonly seenIn: string;
  /** Whether the image can run as a non-root user (drives the pod's runAsNonRoot default). */
  readonly runsAsNonRoot: boolean;
  /** The UID the image runs as, when non-root. */
  readonly uid?: number;
  /** The image's primary group, when it differs from the UID (default: the UID). */
  readonly gid?: number;
  /** For tool images: the commands scripts may call (a test checks every script against it). */
  readonly provides?: readonly string[];
}

export const IMAGES = {
  qdrant: {
    // The default image runs as root; each release also ships a `-unprivileged` variant that runs
    // as uid/gid 1000 (what the official chart's image.useUnprivilegedImage appends to the tag).
    // (Comments stay above `repository`: Renovate's pattern reads repository and tag together.)
    repository: "docker.io/qdrant/qdrant",
    tag: "v1.15.5-unprivileged",
    seenIn: "Qdrant GitHub releases v1.15.5; qdrant/qdrant-helm statefulset template (tag + \"-unprivileged\"); public compose files running qdrant/qdrant:v1.15.5-unprivileged as 1000:1000",
    runsAsNonRoot: true,
    uid: 1000,
    gid: 1000,
  },
  spilo: {
    // The image name carries the newest PostgreSQL major it ships; PGVERSION picks the one to run.
    repository: "ghcr.io/zalando/spilo-17",
    tag: "4.0-p3",
    seenIn: "Zalando Spilo releases (4.0-p3) and postgres-operator defaults",
    runsAsNonRoot: true,
    // Spilo's postgres user: uid 101, primary group 103 (postgres), as the postgres-operator runs it
    // non-root (its spilo_runasuser 101 / spilo_runasgroup 103 / spilo_fsgroup 103).
    uid: 101,
    gid: 103,
  },
  kubectl: {
    // Alpine + kubectl + curl + jq (alpine-docker/multi-arch-docker-images kubectl/Dockerfile): busybox
    // gives the scripts sh, timeout, date and sleep. Not alpine/k8s, which adds helm, awscli and more.
    // Its entrypoint is kubectl; every container here sets its own command. Same minor as k3s v1.35.
    repository: "docker.io/alpine/kubectl",
    tag: "1.35.3",
    seenIn: "docker.io alpine/kubectl:1.35.3 in a public Terraform wait Job running sh -c scripts; 1.34.1, 1.36.0 also referenced",
    runsAsNonRoot: true,
    uid: 65534,
    provides: ["sh", "kubectl", "curl", "jq", "timeout", "date", "sleep", "cat", "printf"],
  },
  postgresExporter: {
    // The Prometheus community's PostgreSQL exporter, a sidecar of each Patroni member (localhost).
    // Its image runs as nobody (65534). Debian's prometheus-postgres-exporter (0.11) is what the
    // integration test runs; the metric names the alerts use (pg_up) exist in both.
    repository: "quay.io/prometheuscommunity/postgres-exporter",
    tag: "v0.17.1",
    seenIn: "prometheus-community/postgres_exporter CHANGELOG (0.17.1 / 2025-02-26) and its release images on quay.io/prometheuscommunity",
    runsAsNonRoot: true,
    uid: 65534,
  },
} as const satisfies Record<string, ImageRef>;

export type ImageName = keyof typeof IMAGES;

/** A pinned tag: a version (optionally v-prefixed, with suffixes like -p3 or -alpine), or a MinIO RELEASE stamp. */
const PINNED_TAG = /^(v?\d+(\.\d+){1,3}([-.+][0-9A-Za-z.-]+)?|RELEASE\.\d{4}-\d{2}-\d{2}T\d{2}-\d{2}-\d{2}Z)$/;

export function isPinnedTag(tag: string): boolean {
  return PINNED_TAG.test(tag);
}

/** The full image reference for a container. Throws on an unpinned tag, so nothing unpinned is ever emitted. */
export function imageRef(image: ImageRef): string {
  if (!isPinnedTag(image.tag)) {
    throw new Error(`image ${image.repository}:${image.tag} is not pinned to a version tag: pin it in components/kit/images.ts`);
  }
  return image.digest ? `${image.repository}:${image.tag}@${image.digest}` : `${image.repository}:${image.tag}`;
}
