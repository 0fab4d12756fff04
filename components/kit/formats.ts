// Every format a setting or a component argument can have, in one place: the schema library's
// built-ins where it has them (IP, CIDR, e-mail, hostname), our own where it does not (Kubernetes
// quantities, labels, taints, cron, k3s versions). Settings schemas use the zod schemas; component
// guards use the `is…` predicates, which are the same schemas.
import { z } from "zod";
import { parseBytes, parseMillicores } from "./quantity";

/** Separates a problem from its fix inside a schema's error message (the stack loader splits them). */
export const FIX_MARK = "\nfix: ";

/** An error message with its fix, for schemas' `error` options and `ctx.addIssue`. */
export function says(message: string, fix: string): string {
  return `${message}${FIX_MARK}${fix}`;
}

/** How a value reads in a message: strings quoted, objects and lists by kind. */
export function shown(v: unknown): string {
  if (Array.isArray(v)) return "a list";
  if (v === null) return "null";
  if (typeof v === "object") return "an object";
  return JSON.stringify(v);
}

const str = (v: unknown) => (typeof v === "string" ? v : String(v));

// --- Kubernetes names ---------------------------------------------------------------------------

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/;
const DNS_1035_LABEL = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const LABEL_NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$/;
const LABEL_VALUE = /^([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?$/;

/** RFC 1123 label: lower-case letters, digits and '-', at most 63 characters (namespaces, k3s node names). */
export const isDnsLabel = (s: string): boolean => DNS_LABEL.test(s);
/** RFC 1035 label: as a DNS label but starting with a letter (Service names, host labels). */
export const isDns1035Label = (s: string): boolean => DNS_1035_LABEL.test(s);
/** RFC 1123 subdomain: dot-separated labels, at most 253 characters (Kubernetes object names). */
export const isDnsSubdomain = (s: string): boolean => s.length <= 253 && s.split(".").every(isDnsLabel);

/** Kubernetes qualified name: optional `prefix/` (a DNS subdomain) and a name of up to 63 characters. */
export function isLabelKey(key: string): boolean {
  const slash = key.lastIndexOf("/");
  if (slash >= 0 && !isDnsSubdomain(key.slice(0, slash))) return false;
  return LABEL_NAME.test(key.slice(slash + 1));
}

export const isLabelValue = (value: string): boolean => LABEL_VALUE.test(value);

export const TAINT_EFFECTS = ["NoSchedule", "PreferNoSchedule", "NoExecute"] as const;

/** A taint `key[=value]:Effect` (k3s `node-taint`, `kubectl taint`), split; undefined when malformed. */
export function parseTaint(taint: string): { key: string; value: string; effect: (typeof TAINT_EFFECTS)[number] } | undefined {
  const colon = taint.lastIndexOf(":");
  if (colon < 0) return undefined;
  const effect = taint.slice(colon + 1) as (typeof TAINT_EFFECTS)[number];
  const kv = taint.slice(0, colon);
  const eq = kv.indexOf("=");
  const key = eq >= 0 ? kv.slice(0, eq) : kv;
  const value = eq >= 0 ? kv.slice(eq + 1) : "";
  return TAINT_EFFECTS.includes(effect) && isLabelKey(key) && isLabelValue(value) ? { key, value, effect } : undefined;
}

export const isTaint = (taint: string): boolean => parseTaint(taint) !== undefined;

export const dnsLabel = z.string().refine(isDnsLabel, {
  error: (iss) => says(`${shown(iss.input)} is not a valid name`, "use lower-case letters, digits and '-' (at most 63 characters)"),
});

/**
 * The first label of a routed host (<subdomain>.<domain>): routes name their Kubernetes objects after it,
 * so RFC 1035. A regex, not a refine, so the JSON schema carries the pattern to editors.
 */
export const subdomainLabel = z.string().regex(DNS_1035_LABEL, {
  error: (iss) => says(`${shown(iss.input)} is not a valid subdomain`, "use lower-case letters, digits and '-', starting with a letter (at most 63 characters)"),
});

export const nodeName = z.string().refine(isDnsSubdomain, {
  error: (iss) => says(`${shown(iss.input)} is not a valid node name`, "use lower-case letters, digits, '-' and '.'"),
});

export const taint = z.string().refine(isTaint, {
  error: (iss) =>
    says(`${shown(iss.input)} is not a taint`, `write key[=value]:Effect with Effect one of ${TAINT_EFFECTS.join(", ")}, e.g. nvidia.com/gpu=true:NoSchedule`),
});

// --- Network ------------------------------------------------------------------------------------

export const ipAddress = z.union([z.ipv4(), z.ipv6()], {
  error: (iss) => says(`${shown(iss.input)} is not a valid IP address`, "write an IPv4 or IPv6 address such as 100.81.76.55"),
});

const ipv4 = z.ipv4();
const ipv6 = z.ipv6();
export const isIpAddress = (s: string): boolean => ipv4.safeParse(s).success || ipv6.safeParse(s).success;
export const ipFamily = (s: string): 4 | 6 | undefined => (ipv4.safeParse(s).success ? 4 : ipv6.safeParse(s).success ? 6 : undefined);

/** Why `cidr` is not a CIDR (`a.b.c.d/n` or an IPv6 prefix), or undefined when it is one. */
export function cidrProblem(cidr: string): string | undefined {
  const [address, bits, ...rest] = cidr.split("/");
  const family = ipFamily(address ?? "");
  if (rest.length > 0 || family === undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) {
    return `${shown(cidr)} is not a CIDR such as 192.168.8.0/24 or 100.64.0.0/10`;
  }
  const max = family === 4 ? 32 : 128;
  if (Number(bits) > max) return `${shown(cidr)}: an IPv${family} prefix is at most /${max}`;
  return undefined;
}

export const cidr = z.string().superRefine((v, ctx) => {
  const p = cidrProblem(v);
  if (p) ctx.addIssue({ code: "custom", message: says(p, "write an address range such as 192.168.8.0/24 or 100.64.0.0/10") });
});

const hostname = z.hostname();

/** A DNS name with at least two labels, lower case, ending in a letter-led top-level label. */
export function isDomainName(v: string): boolean {
  const labels = v.split(".");
  return hostname.safeParse(v).success && v === v.toLowerCase() && labels.length >= 2 && /^[a-z]/.test(labels[labels.length - 1]) && labels.every(isDnsLabel);
}

export const domainName = z.string().refine(isDomainName, {
  error: (iss) => says(`${shown(iss.input)} is not a valid DNS domain name`, "use lower-case labels separated by dots, e.g. homelab.example.net"),
});

/** A host name or an IP address (SSH targets). */
export const host = z.union([z.ipv4(), z.ipv6(), z.hostname()], {
  error: (iss) => says(`${shown(iss.input)} is not a host name or IP address`, "write e.g. asuna.tailnet.ts.net or 100.81.76.55"),
});

export const email = z.email({ error: (iss) => says(`${shown(iss.input)} is not an e-mail address`, "set the address Let's Encrypt may write to, e.g. you@yourdomain.net") });

export const port = z.int().min(1).max(65535);

// --- Quantities ---------------------------------------------------------------------------------

function quantity(kind: "cpu" | "bytes") {
  const parse = kind === "cpu" ? parseMillicores : parseBytes;
  const what = kind === "cpu" ? "CPU" : "memory/storage";
  const eg = kind === "cpu" ? `"500m" or "2"` : `"512Mi" or "8Gi"`;
  // YAML reads `cpu: 4` as a number; the Kubernetes API takes it as the quantity "4".
  return z
    .union([z.string(), z.number()], { error: (iss) => says(`must be a quantity, got ${shown(iss.input)}`, `use a quantity such as ${eg}`) })
    // Read by the generated config reference.
    .meta({ "x-kind": `${kind === "cpu" ? "CPU" : "memory"} quantity` })
    .transform(str)
    .superRefine((v, ctx) => {
      const n = parse(v);
      if (n === undefined) ctx.addIssue({ code: "custom", message: says(`${shown(v)} is not a valid Kubernetes ${what} quantity`, `use a quantity such as ${eg}`) });
      else if (n <= 0) ctx.addIssue({ code: "custom", message: says(`${shown(v)} is not a positive ${what} quantity`, `use a quantity above zero such as ${eg}`) });
    });
}

/** A positive CPU quantity ("250m", "2"). */
export const cpuQuantity = quantity("cpu");
/** A positive memory or storage quantity ("512Mi", "8Gi"). */
export const bytesQuantity = quantity("bytes");

// --- Schedules and versions ---------------------------------------------------------------------

const CRON_PART = /^(\*|(\d+)(?:-(\d+))?)(?:\/(\d+))?$/;
const CRON_RANGES: readonly [number, number][] = [[0, 59], [0, 23], [1, 31], [1, 12], [0, 7]];

/** A five-field cron schedule ("0 *\/6 * * *"): each field a list of `*`, n or n-m, each with an optional /step. */
export function isCron(s: string): boolean {
  const fields = s.trim().split(/\s+/);
  return fields.length === 5 && fields.every((field, i) => field.split(",").every((part) => {
    const m = CRON_PART.exec(part);
    if (!m) return false;
    const [lo, hi] = CRON_RANGES[i];
    const inRange = (n: string | undefined) => n === undefined || (Number(n) >= lo && Number(n) <= hi);
    return inRange(m[2]) && inRange(m[3]) && (m[4] === undefined || Number(m[4]) > 0);
  }));
}

export const cron = z.string().refine(isCron, {
  error: (iss) => says(`${shown(iss.input)} is not a five-field cron schedule`, `write minute hour day month weekday, e.g. "0 */6 * * *" (every 6 hours)`),
});

const K3S_VERSION = /^v1\.\d+\.\d+(-rc\d+)?\+k3s\d+$/;
export const isK3sVersion = (s: string): boolean => K3S_VERSION.test(s);

export const k3sVersion = z.string().refine(isK3sVersion, {
  error: (iss) => says(`${shown(iss.input)} is not a k3s release version`, "use a pinned release such as v1.35.8+k3s1"),
});

/** A whole number in [min, max], with the range in the message. */
export function intBetween(min: number, max: number) {
  const error = (iss: { input?: unknown }) => says(`must be between ${min} and ${max}, got ${shown(iss.input)}`, `choose a whole number in that range`);
  return z.int({ error }).min(min, { error }).max(max, { error });
}

/** Why `value` is not a plain `host:port` (an etcd member as Patroni's etcd3 hosts lists it), or undefined. */
export function hostPortProblem(value: string): string | undefined {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return `"${value}" has a URL scheme; write plain "host:port" (TLS is set separately)`;
  const bracketed = /^\[([^\]]+)\]:(\d+)$/.exec(value);
  const idx = value.lastIndexOf(":");
  const [h, p] = bracketed ? [bracketed[1], bracketed[2]] : [value.slice(0, Math.max(idx, 0)), value.slice(idx + 1)];
  if (!bracketed && idx <= 0) return `"${value}" must be "host:port", e.g. "etcd-0.etcd:2379"`;
  if (bracketed ? !ipv6.safeParse(h).success : h.includes(":")) return `"${value}": write an IPv6 host in brackets, e.g. "[fd00::1]:2379"`;
  if (!bracketed && !host.safeParse(h).success) return `"${value}": "${h}" is not a valid host name or IPv4 address`;
  if (!port.safeParse(Number(p)).success || !/^\d+$/.test(p)) return `"${value}": port must be 1–65535`;
  return undefined;
}

export const hostPort = z.string().superRefine((v, ctx) => {
  const p = hostPortProblem(v);
  if (p) ctx.addIssue({ code: "custom", message: says(p, `write "host:port", e.g. "etcd-0.etcd:2379"`) });
});

const PG_NAME = /^[a-z_][a-z0-9_]{0,62}$/;
/** A lower-case PostgreSQL identifier that needs no quoting (role and database names). */
export const isPgName = (s: string): boolean => PG_NAME.test(s);

const IFACE = /^[A-Za-z0-9_.:-]{1,15}$/;
/** A Linux network interface name (at most 15 characters). */
export const isInterfaceName = (s: string): boolean => IFACE.test(s);
export const interfaceName = z.string().refine(isInterfaceName, {
  error: (iss) => says(`${shown(iss.input)} is not a network interface name`, "use the interface's name, e.g. tailscale0"),
});

const UNIX_USER = /^[a-z_][a-z0-9_.-]{0,31}$/;
/** A login name as useradd accepts it by default (SSH users). */
export const isUnixUser = (s: string): boolean => UNIX_USER.test(s);
export const unixUser = z.string().refine(isUnixUser, {
  error: (iss) => says(`${shown(iss.input)} is not a login name`, "use the user's login, lower case, e.g. root or ubuntu"),
});

/** A host name or IP address (SSH targets, API endpoints). */
export const isHost = (s: string): boolean => host.safeParse(s).success;
/** A name for a TLS certificate: an IP address, a host name, or a `*.` wildcard of one. */
export const isSubjectAltName = (s: string): boolean => isHost(s.startsWith("*.") ? s.slice(2) : s);

// k3s's own vocabulary.
const K3S_CONFIG_KEY = /^[a-z0-9][a-z0-9-]*\+?$/;
/** A key of k3s's config.yaml (a flag name without dashes; `+` appends to a list). */
export const isK3sConfigKey = (s: string): boolean => K3S_CONFIG_KEY.test(s);
const K3S_COMPONENT = /^[a-z0-9-]+$/;
/** A packaged k3s component (`--disable traefik`, `servicelb`, …). */
export const isK3sComponentName = (s: string): boolean => K3S_COMPONENT.test(s);

// S3-compatible object storage (etcd snapshots, later backups).
const S3_BUCKET = /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/;
const S3_REGION = /^[a-z0-9-]+$/;
const S3_FOLDER = /^[A-Za-z0-9._/-]+$/;
/** `host[:port]` without a scheme, as k3s's etcd-s3-endpoint takes it. */
export const isS3Endpoint = (s: string): boolean => {
  const m = /^([^:/]+)(?::(\d+))?$/.exec(s);
  return m !== null && isHost(m[1]) && (m[2] === undefined || port.safeParse(Number(m[2])).success);
};
export const isS3Bucket = (s: string): boolean => S3_BUCKET.test(s);
export const isS3Region = (s: string): boolean => S3_REGION.test(s);
export const isS3Folder = (s: string): boolean => S3_FOLDER.test(s);

const APP_DATABASE = /^[a-z][a-z0-9_]{0,40}$/;
/** An application database (and owner) name: a lower-case identifier starting with a letter. */
export const isAppDatabaseName = (s: string): boolean => APP_DATABASE.test(s);
const BASIC_AUTH_USER = /^[A-Za-z0-9._-]{1,64}$/;
/** A user name for HTTP basic auth (no ':' and nothing a header would mangle). */
export const isBasicAuthUser = (s: string): boolean => BASIC_AUTH_USER.test(s);
const SHA256_HEX = /^[0-9a-f]{64}$/;
export const isSha256Hex = (s: string): boolean => SHA256_HEX.test(s);

// Ollama (the AI stack).
const OLLAMA_MODEL = /^([a-z0-9][a-z0-9.-]*\/){0,2}[a-z0-9][a-z0-9._-]*:[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;
/**
 * An Ollama model reference with an explicit tag: `[host/][namespace/]name:tag`, e.g. `llama3.1:8b`,
 * `nomic-embed-text:v1.5`. `:latest` (or no tag, which means latest) moves under you: refused.
 */
export const isOllamaModel = (s: string): boolean => OLLAMA_MODEL.test(s) && !s.endsWith(":latest");
export const ollamaModel = z.string().refine(isOllamaModel, {
  error: (iss) => says(`${shown(iss.input)} is not an Ollama model with a pinned tag`, 'write name:tag as the Ollama library lists it, lower case, e.g. "llama3.1:8b" or "nomic-embed-text:v1.5" (not :latest)'),
});

const GO_DURATION = /^(-1|0|\d+|(\d+(\.\d+)?(ms|s|m|h))+)$/;
/** A keep-alive as Ollama reads OLLAMA_KEEP_ALIVE: a Go duration ("5m", "1h30m"), seconds ("300"), 0 (unload at once) or -1 (never). */
export const isKeepAlive = (s: string): boolean => GO_DURATION.test(s);
export const keepAlive = z
  .union([z.string(), z.number()])
  .transform(str)
  .refine(isKeepAlive, { error: (iss) => says(`${shown(iss.input)} is not a keep-alive duration`, 'write a duration such as "5m" or "24h", a number of seconds, 0 (unload at once) or -1 (keep loaded)') });

const IMAGE_REPOSITORY = /^([a-z0-9.-]+(:\d+)?\/)?[a-z0-9]+([._-][a-z0-9]+)*(\/[a-z0-9]+([._-][a-z0-9]+)*)*$/;
/** An image repository without tag or digest: `[registry[:port]/]path`, e.g. ghcr.io/you/mem0-server. */
export const isImageRepository = (s: string): boolean => IMAGE_REPOSITORY.test(s);
const TIMESTAMP = /^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])[T ]([01]\d|2[0-3]):[0-5]\d:[0-5]\d(\.\d+)?(Z|[+-]([01]\d|2[0-3]):[0-5]\d)$/;
/** An ISO 8601 timestamp with its offset, e.g. "2026-12-01T10:00:00+00:00" (a recovery target time). */
export const isTimestamp = (s: string): boolean => TIMESTAMP.test(s) && !Number.isNaN(Date.parse(s.replace(" ", "T")));
// --- Prometheus durations (observability) ----------------------------------------------------------

const PROM_DURATION = /^([0-9]+(ms|s|m|h|d|w|y))+$/;
export const isPromDuration = (s: string): boolean => PROM_DURATION.test(s) && !/^0+(ms|s|m|h|d|w|y)$/.test(s);
export const promDuration = z.string().refine(isPromDuration, {
  error: (iss) => says(`${shown(iss.input)} is not a duration`, "write a number and a unit, e.g. 30s, 5m, 12h, 15d"),
});
