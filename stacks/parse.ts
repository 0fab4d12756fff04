// Config values → the typed model, with defaults. Field-level problems (types, formats, unknown
// keys) are recorded here; rules that relate fields to each other live in validate.ts.
import { isIP } from "node:net";
import { NODE_ROLES, NodeRole, ResourceSpec, parseBytes, parseMillicores } from "../components/kit";
import { Fields } from "./fields";
import { parseIngress } from "./ingress";
import { Problems } from "./problems";
import { ClusterConfig, NodeConfig, PROJECT, PostgresSettings, QdrantSettings, StackConfig, WorkloadSettings, Workloads } from "./model";
import { DEFAULT_DCS, DEFAULT_DISCOVERY_POLL_SECONDS, DEFAULT_PATRONI_TIMING, PatroniDcs, PatroniTiming, validateDcs, validatePatroniTiming } from "../components/data/postgres/patroni-config";

/** Top-level config keys (without the `homelab:` namespace). */
export const CONFIG_KEYS = ["domain", "namespace", "systemReservePercent", "cluster", "nodes", "workloads", "ingress"] as const;
/** Secret keys: set with `pulumi config set --secret`; their values never enter the model. */
export const SECRET_KEYS = ["sshPrivateKey", "kubeconfig", "cloudflareApiToken"] as const;

const DOMAIN = /^(?=.{1,253}$)([a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?\.)+[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const NODE_NAME = /^[a-z0-9]([-a-z0-9.]{0,61}[a-z0-9])?$/;

export function key(k: string): string {
  return `${PROJECT}:${k}`;
}

export function checkQuantity(f: Fields, k: string, value: string | undefined, kind: "cpu" | "bytes"): void {
  if (value === undefined) return;
  const ok = kind === "cpu" ? parseMillicores(value) !== undefined : parseBytes(value) !== undefined;
  if (!ok) {
    const eg = kind === "cpu" ? `"500m" or "2"` : `"512Mi" or "8Gi"`;
    f.problems.add(f.at(k), `"${value}" is not a valid Kubernetes ${kind === "cpu" ? "CPU" : "memory/storage"} quantity`, `use a quantity such as ${eg}`);
  }
}

function parseNode(value: unknown, i: number, problems: Problems): NodeConfig {
  const f = Fields.of(value, `${key("nodes")}[${i}]`, problems);
  f.only(["name", "roles", "k3s", "cpu", "memory", "address", "lanAddress", "externalAddress", "ssh", "taints"]);
  const name = f.need("name", "asuna");
  if (name && !NODE_NAME.test(name)) problems.add(f.at("name"), `"${name}" is not a valid node name`, "use lower-case letters, digits, '-' and '.'");
  const roles = f.strings("roles", []);
  if (roles.length === 0) problems.add(f.at("roles"), "a node needs at least one role", `set roles to a list of ${NODE_ROLES.join(", ")}`);
  for (const r of roles) {
    if (!(NODE_ROLES as readonly string[]).includes(r)) problems.add(f.at("roles"), `unknown role "${r}"`, `roles are ${NODE_ROLES.join(", ")}`);
  }
  const address = f.need("address", "100.81.76.55");
  for (const k of ["address", "lanAddress", "externalAddress"]) {
    const a = f.str(k);
    if (a && isIP(a) === 0) problems.add(f.at(k), `"${a}" is not a valid IP address`, "write an IPv4 or IPv6 address such as 100.81.76.55");
  }
  const cpu = f.need("cpu", '"4"');
  const memory = f.need("memory", "8Gi");
  checkQuantity(f, "cpu", cpu || undefined, "cpu");
  checkQuantity(f, "memory", memory || undefined, "bytes");
  const ssh = f.obj("ssh");
  ssh.only(["host", "user", "port"]);
  const validRoles = roles.filter((r): r is NodeRole => (NODE_ROLES as readonly string[]).includes(r));
  return {
    name,
    roles: validRoles,
    k3s: f.oneOf("k3s", ["server", "agent"] as const, "agent"),
    cpu,
    memory,
    address,
    lanAddress: f.str("lanAddress"),
    externalAddress: f.str("externalAddress"),
    ssh: { host: ssh.str("host", address), user: ssh.str("user", "root"), port: ssh.int("port", 22, 1, 65535) },
    taints: f.strings("taints"),
    gpu: validRoles.includes("gpu"),
  };
}

function parseCluster(value: unknown, problems: Problems): ClusterConfig {
  const f = Fields.of(value, key("cluster"), problems);
  f.only(["mode", "version", "flannelIface", "etcdSnapshots", "uninstall"]);
  const snaps = f.obj("etcdSnapshots");
  snaps.only(["schedule", "retention"]);
  return {
    mode: f.oneOf("mode", ["k3s", "existing"] as const, "k3s"),
    version: f.str("version"),
    flannelIface: f.str("flannelIface"),
    etcdSnapshots: { schedule: snaps.str("schedule", "0 */6 * * *"), retention: snaps.int("retention", 12, 1, 1000) },
    uninstall: f.strings("uninstall"),
  };
}

export interface WorkloadDefaults {
  readonly enabled: boolean;
  readonly replicas: number;
  readonly resources: ResourceSpec;
  readonly storage?: string;
}

/** The settings every workload shares; `extra` lists the workload's own keys. */
export function parseWorkload(parent: Fields, name: string, d: WorkloadDefaults, extra: readonly string[] = []): { f: Fields; s: WorkloadSettings } {
  const f = parent.obj(name);
  f.only(["enabled", "replicas", "node", "resources", "storage", "migrateFrom", ...extra]);
  const r = f.obj("resources");
  r.only(["cpu", "memory", "memoryLimit", "cpuLimit"]);
  const resources: ResourceSpec = {
    cpu: r.str("cpu", d.resources.cpu),
    memory: r.str("memory", d.resources.memory),
    memoryLimit: r.str("memoryLimit", d.resources.memoryLimit),
    cpuLimit: r.str("cpuLimit", d.resources.cpuLimit as string),
  };
  checkQuantity(r, "cpu", resources.cpu, "cpu");
  checkQuantity(r, "memory", resources.memory, "bytes");
  checkQuantity(r, "memoryLimit", resources.memoryLimit, "bytes");
  checkQuantity(r, "cpuLimit", resources.cpuLimit, "cpu");
  const mem = parseBytes(resources.memory);
  const lim = parseBytes(resources.memoryLimit);
  if (mem !== undefined && lim !== undefined && lim < mem) {
    f.problems.add(r.at("memoryLimit"), `limit ${resources.memoryLimit} is below the request ${resources.memory}`, "raise memoryLimit to at least memory");
  }
  const storage = f.str("storage", d.storage as string);
  checkQuantity(f, "storage", storage, "bytes");
  return {
    f,
    s: {
      enabled: f.bool("enabled", d.enabled),
      replicas: f.int("replicas", d.replicas, 1, 15),
      node: f.str("node"),
      resources,
      storage,
      migrateFrom: f.str("migrateFrom"),
      path: f.path,
    },
  };
}

/** The first node with a role: the default home of pinned workloads of that role. */
export function firstWithRole(nodes: readonly NodeConfig[], role: NodeRole): string | undefined {
  return nodes.find((n) => n.roles.includes(role))?.name;
}

function parseWorkloads(value: unknown, nodes: readonly NodeConfig[], problems: Problems): Workloads {
  const f = Fields.of(value, key("workloads"), problems);
  f.only(["qdrant", "postgres"]);
  const service = firstWithRole(nodes, "service") ?? "";
  const q = parseWorkload(f, "qdrant", {
    enabled: true,
    replicas: 1,
    resources: { cpu: "200m", memory: "512Mi", memoryLimit: "2Gi" },
    storage: "10Gi",
  });
  const qdrant: QdrantSettings = { ...q.s, replicas: 1, node: q.s.node ?? service, storage: q.s.storage ?? "10Gi" };
  if (q.s.replicas !== 1) problems.add(q.f.at("replicas"), "Qdrant runs as a single pinned replica here", "remove replicas (distributed Qdrant is not supported yet)");
  return { qdrant, postgres: parsePostgres(f, nodes, problems) };
}

function parseDatabases(f: Fields): string[] {
  const dbs = f.strings("databases");
  const seen = new Set<string>();
  dbs.forEach((db, i) => {
    if (!/^[a-z][a-z0-9_]{0,40}$/.test(db) || ["postgres", "template0", "template1", "standby"].includes(db)) {
      f.problems.add(`${f.at("databases")}[${i}]`, `"${db}" is not a usable database name`, "use lower-case letters, digits and _ (starting with a letter), not postgres/template0/template1/standby");
    } else if (seen.has(db)) {
      f.problems.add(`${f.at("databases")}[${i}]`, `"${db}" is listed twice`, "list each database once");
    }
    seen.add(db);
  });
  return dbs;
}

function parsePostgres(parent: Fields, nodes: readonly NodeConfig[], problems: Problems): PostgresSettings {
  const services = nodes.filter((n) => n.roles.includes("service")).length;
  const { f, s } = parseWorkload(parent, "postgres", {
    enabled: true,
    // One member per service node, up to three: HA where the hardware allows it.
    replicas: Math.max(1, Math.min(3, services)),
    resources: { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" },
    storage: "10Gi",
  }, ["version", "timing", "dcs", "pollSeconds", "databases"]);
  const t = f.obj("timing");
  t.only(["ttl", "loopWait", "retryTimeout"]);
  const timing: PatroniTiming = {
    ttl: t.int("ttl", DEFAULT_PATRONI_TIMING.ttl),
    loopWait: t.int("loopWait", DEFAULT_PATRONI_TIMING.loopWait),
    retryTimeout: t.int("retryTimeout", DEFAULT_PATRONI_TIMING.retryTimeout),
  };
  const fix = "see the message";
  for (const p of validatePatroniTiming(timing, t.path)) problems.add(p.path, p.message, fix);
  const dcsRaw = f.raw.dcs ?? { type: "kubernetes" };
  const dcsProblems = validateDcs(dcsRaw, f.at("dcs"));
  for (const p of dcsProblems) problems.add(p.path, p.message, fix);
  const version = f.str("version", "17");
  if (!/^(13|14|15|16|17)$/.test(version)) problems.add(f.at("version"), `PostgreSQL ${version} is not in the pinned Spilo image`, "use one of 13, 14, 15, 16, 17");
  return {
    ...s,
    storage: s.storage ?? "10Gi",
    version,
    timing,
    dcs: dcsProblems.length ? DEFAULT_DCS : (dcsRaw as PatroniDcs),
    pollSeconds: f.int("pollSeconds", DEFAULT_DISCOVERY_POLL_SECONDS, 1, 30),
    databases: parseDatabases(f),
  };
}

/**
 * Parses raw config (keys without the namespace, values already JSON-decoded) into the model.
 * `secretsPresent` lists the secret keys that are set; their values stay out of the model.
 */
export function parseStack(stack: string, raw: Record<string, unknown>, secretsPresent: readonly string[], problems: Problems): StackConfig {
  const top = new Fields(raw, PROJECT, problems);
  top.only([...CONFIG_KEYS, ...SECRET_KEYS]);
  const domain = top.need("domain", "homelab.example.net");
  if (domain && !DOMAIN.test(domain)) {
    problems.add(key("domain"), `"${domain}" is not a valid DNS domain name`, "use lower-case labels separated by dots, e.g. homelab.example.net");
  }
  const namespace = top.str("namespace", "homelab");
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) {
    problems.add(key("namespace"), `"${namespace}" is not a valid namespace name`, "use lower-case letters, digits and '-'");
  }
  const nodesRaw = top.list("nodes");
  if (nodesRaw.length === 0) problems.add(key("nodes"), "the stack has no nodes", "list at least one node under homelab:nodes");
  const nodes = nodesRaw.map((n, i) => parseNode(n, i, problems));
  return {
    stack,
    domain,
    namespace,
    systemReservePercent: top.int("systemReservePercent", 10, 5, 50),
    cluster: parseCluster(raw.cluster, problems),
    nodes,
    workloads: parseWorkloads(raw.workloads, nodes, problems),
    ingress: parseIngress(raw.ingress, { domain, nodes }, problems),
    secretsPresent,
  };
}
