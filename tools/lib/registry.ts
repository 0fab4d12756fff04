// Does an image tag exist? Asks the image's registry (Docker Registry HTTP API v2) for the tag's
// manifest, with the anonymous bearer-token handshake Docker Hub, GHCR and Quay use for public images.

export interface ImageName {
  /** Registry host as written in the reference ("docker.io", "ghcr.io", "quay.io"). */
  readonly host: string;
  /** Repository path on that registry ("qdrant/qdrant", "library/redis"). */
  readonly repository: string;
  readonly tag: string;
}

export type TagStatus = { readonly status: "exists" } | { readonly status: "missing" } | { readonly status: "unknown"; readonly reason: string };

/** Splits "docker.io/qdrant/qdrant:v1.15.5" (digest, if any, ignored). Docker Hub's official images live under library/. */
export function parseImage(ref: string): ImageName {
  const noDigest = ref.split("@")[0];
  const colon = noDigest.lastIndexOf(":");
  const slash = noDigest.lastIndexOf("/");
  if (colon <= slash) throw new Error(`image ${ref} has no tag`);
  const name = noDigest.slice(0, colon);
  const tag = noDigest.slice(colon + 1);
  const first = name.split("/")[0];
  const hasHost = name.includes("/") && (first.includes(".") || first.includes(":") || first === "localhost");
  const host = hasHost ? first : "docker.io";
  let repository = hasHost ? name.slice(first.length + 1) : name;
  if (host === "docker.io" && !repository.includes("/")) repository = `library/${repository}`;
  return { host, repository, tag };
}

/** Where a registry host's API lives. */
export function defaultBase(host: string): string {
  return host === "docker.io" ? "https://registry-1.docker.io" : `https://${host}`;
}

const ACCEPT = [
  "application/vnd.oci.image.index.v1+json",
  "application/vnd.docker.distribution.manifest.list.v2+json",
  "application/vnd.oci.image.manifest.v1+json",
  "application/vnd.docker.distribution.manifest.v2+json",
].join(", ");

function bearerChallenge(header: string | null): { realm: string; params: Record<string, string> } | undefined {
  if (!header || !/^Bearer\s/i.test(header)) return undefined;
  const params: Record<string, string> = {};
  for (const m of header.slice(7).matchAll(/(\w+)="([^"]*)"/g)) params[m[1]] = m[2];
  const { realm, ...rest } = params;
  return realm ? { realm, params: rest } : undefined;
}

/** Asks the registry whether `image`'s tag exists. Never throws: network trouble is "unknown". */
export async function tagStatus(image: ImageName, base = defaultBase(image.host), timeoutMs = 15000): Promise<TagStatus> {
  const url = `${base}/v2/${image.repository}/manifests/${encodeURIComponent(image.tag)}`;
  const head = (auth?: string) =>
    fetch(url, { method: "HEAD", headers: { Accept: ACCEPT, ...(auth ? { Authorization: auth } : {}) }, signal: AbortSignal.timeout(timeoutMs) });
  try {
    let res = await head();
    if (res.status === 401) {
      const challenge = bearerChallenge(res.headers.get("www-authenticate"));
      if (!challenge) return { status: "unknown", reason: `${image.host} asked for credentials this check does not have` };
      const q = new URLSearchParams({ ...challenge.params, scope: challenge.params.scope ?? `repository:${image.repository}:pull` });
      const tok = await fetch(`${challenge.realm}?${q}`, { signal: AbortSignal.timeout(timeoutMs) });
      if (!tok.ok) return { status: "unknown", reason: `token request to ${challenge.realm} answered ${tok.status}` };
      const body = (await tok.json()) as { token?: string; access_token?: string };
      const token = body.token ?? body.access_token;
      if (!token) return { status: "unknown", reason: `${challenge.realm} returned no token` };
      res = await head(`Bearer ${token}`);
    }
    if (res.status === 200) return { status: "exists" };
    // Registries answer 404 for a missing tag, and 401/403 for a repository that does not exist.
    if (res.status === 404) return { status: "missing" };
    return { status: "unknown", reason: `${image.host} answered ${res.status}` };
  } catch (e) {
    return { status: "unknown", reason: errorText(e) };
  }
}

/**
 * An error with its causes: fetch reports every network failure as "fetch failed" and keeps what
 * happened (ENOTFOUND, ECONNREFUSED, a certificate problem) in `cause`.
 */
export function errorText(e: unknown): string {
  const parts: string[] = [];
  for (let x: unknown = e, depth = 0; x !== undefined && x !== null && depth < 5; depth++) {
    const err = x as { message?: string; code?: string; cause?: unknown };
    const text = err.message ?? String(x);
    const withCode = err.code && !text.includes(err.code) ? `${err.code}: ${text}` : text;
    if (withCode && !parts.includes(withCode)) parts.push(withCode);
    x = err.cause;
  }
  return parts.join(": ");
}
