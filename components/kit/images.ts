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
  ollama: {
    // 0.32.7 and 0.32.8 were released but their image pushes failed upstream: pin a tag the registry
    // actually lists. Runs as root (models under /root/.ollama); the CUDA libraries are in the image,
    // the driver comes from the node through the nvidia runtime.
    repository: "docker.io/ollama/ollama",
    tag: "0.32.13",
    seenIn: "Renovate PR AndreiGavriliu/homelab#7176 (2026-08-14) bumping ollama/ollama 0.32.10 → 0.32.13 (Renovate proposes only tags the registry lists); ollama/ollama releases",
    runsAsNonRoot: false,
  },
  nvidiaDevicePlugin: {
    // Distroless with a busybox layout (/bin/sh), entrypoint nvidia-device-plugin; runs as root to
    // create its socket in the kubelet's device-plugins directory. Digest: the multi-arch index.
    repository: "nvcr.io/nvidia/k8s-device-plugin",
    tag: "v0.20.0",
    digest: "sha256:a61ba9fd8efb82f3a79f877f7580e02c1e8e7593f62473644bc9c79e315c3312",
    seenIn: "NVIDIA/k8s-device-plugin releases v0.20.0; the tag's index digest as pulled on public clusters (kubectl describe Image ID) and in a GPU-operator mirror list",
    runsAsNonRoot: false,
  },
  rclone: {
    // The S3 leg of every backup job: upload, retention (--min-age), listing for the freshness check,
    // download for verify and restore. Alpine-based (busybox gives sh, date, sort, gzip); it runs as
    // root by default, so the jobs set a non-root uid and point HOME and the config at /tmp.
    repository: "docker.io/rclone/rclone",
    tag: "1.75.1",
    seenIn: "docker.io rclone/rclone:1.75.1 in public Dockerfiles and compose files (one pinning @sha256:45401ad7410db1d67ffdb58e19059ad20b0d8e0285a60e38bbec55cc1019c7a5); 1.75.0, 1.74.4 also referenced",
    runsAsNonRoot: false,
    provides: ["sh", "rclone", "date", "sleep", "cat", "printf", "sort", "tail", "head", "gzip", "wc", "find", "mkdir"],
  },
  postgresClient: {
    // pg_dump/pg_restore/psql for the logical dumps, their verification and restore. The newest major
    // the platform runs (17): pg_dump reads older servers, never newer ones. Alpine's postgres user is 70:70.
    repository: "docker.io/library/postgres",
    tag: "17.6-alpine",
    seenIn: "docker.io postgres:17.6-alpine in public CI scripts and compose files (one pinning @sha256:ef257d85f76e48da1c64832459b59fcaba1a4dac97bf5d7450c77753542eee94)",
    runsAsNonRoot: true,
    uid: 70,
    gid: 70,
    provides: ["sh", "pg_dump", "pg_dumpall", "pg_restore", "psql", "createdb", "gzip", "grep", "sha256sum", "date", "cat", "printf", "sort", "tail", "wc", "mkdir", "rm"],
  },
  minio: {
    // MinIO server, from Pigsty's maintained fork "Silo" (github.com/pgsty/silo; renamed from
    // pgsty/minio in Aug 2026): same MINIO_* variables, `server` arguments, /minio/* routes and disk
    // format. docker.io minio/minio was deleted in Sept 2026 and upstream stopped publishing community
    // images in Oct 2025 (README: MinIO, "Which image and how to swap it"). Its entrypoint prefixes the
    // binary, so the pod passes only arguments (`server …`): the frozen quay.io/minio/minio builds
    // take the same arguments. ubi-micro based; runs as root unless told otherwise (the pod sets 1000).
    repository: "docker.io/pgsty/silo",
    tag: "RELEASE.2026-09-16T00-00-00Z",
    digest: "sha256:635197cb9f36d01bee221d34d1c7d7960f6a95c48b0b6c01d99cd13bdae51a46",
    seenIn: "pgsty/silo releases (RELEASE.2026-09-16T00-00-00Z); the tag with this digest pinned in several public repositories' compose files and tests (read, not pulled: no registry is reachable here)",
    runsAsNonRoot: false,
  },
  mc: {
    // The MinIO client from the same fork (github.com/pgsty/mc): ubi-micro with /usr/bin/mc, so the
    // bucket Job's script has sh and coreutils but no grep/sed/jq (the script uses sh builtins only).
    repository: "docker.io/pgsty/mc",
    tag: "RELEASE.2026-09-16T00-00-00Z",
    digest: "sha256:cfc83108c3abb371f8fb84d99c1fdc88f8c237e022409b0081fb7c0a3be634dd",
    seenIn: "pgsty/mc releases (RELEASE.2026-09-16T00-00-00Z); the tag with this digest pinned in several public repositories (read, not pulled)",
    runsAsNonRoot: false,
    provides: ["sh", "mc", "sleep", "cat", "printf"],
  },
  redis: {
    // The official image (Bitnami's versioned images moved to the unmaintained bitnamilegacy in 2025).
    // Alpine variant: user redis, uid/gid 999; the entrypoint only chowns when started as root.
    repository: "docker.io/library/redis",
    tag: "8.2.2-alpine",
    seenIn: "docker.io library/redis:8.2.2-alpine in public compose files, Helm values and image scan reports (public.ecr.aws/docker/library/redis:8.2.2-alpine mirrors it); also 8.2.2-alpine3.22",
    runsAsNonRoot: true,
    uid: 999,
    gid: 999,
  },
  redisExporter: {
    // Scratch image with one static binary; its Dockerfile runs it as USER 59000:59000.
    repository: "docker.io/oliver006/redis_exporter",
    tag: "v1.77.0",
    seenIn: "oliver006/redis_exporter:v1.77.0 in public Nomad jobs and monitoring docs (v1.74.0, v1.75.0, v1.78.0 also referenced)",
    runsAsNonRoot: true,
    uid: 59000,
    gid: 59000,
  },
  n8n: {
    // n8n 2.x: USER node (uid 1000), data in /home/node/.n8n. Same version as n8nRunners, always.
    repository: "docker.n8n.io/n8nio/n8n",
    tag: "2.38.5",
    seenIn: "n8nio/n8n:2.38.5 in a public deployment note (the upstream stable tag resolved to it when checked); n8n-hosting compose files use docker.n8n.io/n8nio/n8n:${N8N_VERSION}",
    runsAsNonRoot: true,
    uid: 1000,
    gid: 1000,
  },
  n8nRunners: {
    // External task runners (task-runner-launcher + JS/Python runners), released with n8n under the same version.
    repository: "docker.io/n8nio/runners",
    tag: "2.38.5",
    seenIn: "n8nio/runners:<n8n version> in n8n-io/n8n-hosting compose files (n8nio/runners:2.38.7, 2.31.5, 2.17.7 seen in public configs; 2.38.5 follows the same release)",
    runsAsNonRoot: true,
    uid: 1000,
    gid: 1000,
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
