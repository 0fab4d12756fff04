/**
 * Pure Patroni configuration for the PatroniPostgres component: typed timing and DCS settings, their
 * validation, the pg_hba rules we own, and the Patroni configuration object itself.
 *
 * No Pulumi imports: the same object goes into Spilo's SPILO_CONFIGURATION (Kubernetes component) and
 * into the real Patroni members of tests/integration (which add only loopback bits: names, data dirs,
 * listen addresses, passwords).
 */

import { z } from "zod";
import { cidrProblem, hostPort, isBasicAuthUser, isPgName, says, shown } from "../../kit/formats";
import { Problem, parseSettings } from "../../kit/problems";

/** One problem found in config: the config path it concerns, what is wrong and what to do about it. */
export type ConfigProblem = Problem;

/** Patroni's leader-election timing, in whole seconds (Patroni: ttl, loop_wait, retry_timeout). */
export interface PatroniTiming {
  /** Lifetime of the leader lock: a dead leader is replaced only after it expires. */
  ttl: number;
  /** Seconds between two runs of Patroni's HA loop (the leader renews its lock once per loop). */
  loopWait: number;
  /** How long DCS and PostgreSQL operations are retried before Patroni gives up (and a leader demotes). */
  retryTimeout: number;
}

/**
 * The smallest values Patroni accepts. Since Patroni 3.2 (the pinned Spilo image ships a newer one) a
 * smaller value, or a breach of `loop_wait + 2*retry_timeout <= ttl`, is not refused but silently
 * adjusted with a warning in Patroni's log — the cluster would then run with other timing than the
 * config says. We refuse such values instead, so config and reality never differ.
 */
export const PATRONI_TIMING_MINIMUMS: Readonly<PatroniTiming> = { ttl: 20, loopWait: 1, retryTimeout: 3 };

/**
 * Default timing: ttl 20, loop_wait 2, retry_timeout 9.
 *
 * Why (measure, not guess; see tests/integration):
 * - A hard crash of the leader is noticed only when its lock expires: between ttl - loop_wait and ttl
 *   after its last renewal (etcd3 wakes the replicas at once; with the Kubernetes DCS a replica notices
 *   on its next loop, up to loop_wait later). Then promotion (~1 s), then the discovery sidecar's next
 *   poll (<= 2 s) moves the EndpointSlice. End to end: about ttl + 1..3 s.
 * - A 10 s end-to-end target would need ttl <= ~7, but Patroni >= 3.2 raises any ttl below 20 to 20
 *   (see PATRONI_TIMING_MINIMUMS): the floor of an unplanned failover with the Spilo image is ~20 s plus
 *   promotion and the sidecar poll. Planned switchovers and pod deletions are fast anyway, because a
 *   stopping Patroni releases its lock instead of letting it expire.
 * - ttl 20 is also the least we would want over Tailscale: a leader on one node renews its lock in the
 *   Kubernetes API on the other; a shorter ttl turns every WireGuard hiccup into a failover.
 * - loop_wait 2 keeps the lock fresh (expiry at 18–20 s after a crash, not 10–20 s, so failover time is
 *   predictable) and keeps replicas' detection delay under the Kubernetes DCS small; at 3 members that
 *   is ~1.5 small API writes per second, negligible for k3s.
 * - retry_timeout 9 is the largest the rule allows (2 + 2*9 = 20): the leader rides out 9 s of DCS or
 *   network trouble before it demotes itself.
 */
export const DEFAULT_PATRONI_TIMING: Readonly<PatroniTiming> = { ttl: 20, loopWait: 2, retryTimeout: 9 };

/** Default poll interval of the discovery sidecar, in seconds (its POLL_INTERVAL). */
export const DEFAULT_DISCOVERY_POLL_SECONDS = 2;

/** Validates Patroni timing; returns every problem found (empty when valid). */
export function validatePatroniTiming(t: PatroniTiming, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (t === null || typeof t !== "object") {
    return [{ path, message: "must be an object {ttl, loopWait, retryTimeout} of whole seconds", fix: "write e.g. timing: {ttl: 20, loopWait: 2, retryTimeout: 9}" }];
  }
  const fields: Array<[keyof PatroniTiming, string]> = [
    ["ttl", "ttl"],
    ["loopWait", "loop_wait"],
    ["retryTimeout", "retry_timeout"],
  ];
  let allIntegers = true;
  for (const [key, patroniName] of fields) {
    const value: unknown = (t as unknown as Record<string, unknown>)[key];
    const min = PATRONI_TIMING_MINIMUMS[key];
    if (typeof value !== "number" || !Number.isInteger(value)) {
      allIntegers = false;
      problems.push({
        path: `${path}.${key}`,
        message: `must be a whole number of seconds (Patroni's ${patroniName}), got ${JSON.stringify(value)}`,
        fix: `set ${key} to a whole number of seconds`,
      });
    } else if (value < min) {
      problems.push({
        path: `${path}.${key}`,
        message:
          `${patroniName}=${value} is below Patroni's minimum of ${min}; Patroni >= 3.2 would silently run ` +
          `with ${min} instead`,
        fix: `set ${key} to ${min} or more`,
      });
    }
  }
  if (allIntegers) {
    const { ttl, loopWait, retryTimeout } = t;
    if (loopWait + 2 * retryTimeout > ttl) {
      const maxRetry = Math.floor((ttl - loopWait) / 2);
      problems.push({
        path,
        message:
          `Patroni requires loop_wait + 2*retry_timeout <= ttl, but ${loopWait} + 2*${retryTimeout} = ` +
          `${loopWait + 2 * retryTimeout} > ${ttl} (a leader that loses the DCS must demote before its lock ` +
          `expires)`,
        fix: `raise ttl to ${loopWait + 2 * retryTimeout}` + (maxRetry >= PATRONI_TIMING_MINIMUMS.retryTimeout ? ` or lower retryTimeout to ${maxRetry}` : ""),
      });
    }
  }
  return problems;
}

/**
 * Time from a hard crash of the leader to the discovery sidecar pointing the EndpointSlice at the new
 * leader, as a window [min, max] in seconds. min: the lock was about to expire and the sidecar polls at
 * once. max: a lock renewed just before the crash (ttl), a replica noticing one loop late (loop_wait),
 * the promoting cycle itself, and a full poll interval. The promoting cycle is bounded by retry_timeout,
 * the time Patroni lets its DCS and PostgreSQL operations retry: on a quiet machine it takes well under
 * a second, but one CI run on a busy machine took 7 s from the lock's expiry to promotion (27.1 s in
 * all), past the fixed 3 s this window allowed before.
 */
export function failoverWindowSeconds(
  t: PatroniTiming,
  pollSeconds: number = DEFAULT_DISCOVERY_POLL_SECONDS,
): { min: number; max: number } {
  return {
    min: t.ttl - t.loopWait,
    max: t.ttl + t.loopWait + t.retryTimeout + pollSeconds,
  };
}

// ---------------------------------------------------------------------------------------------------
// DCS

const DCS_SHAPE = 'must be {type: "kubernetes"} or {type: "etcd3", hosts: ["host:2379", ...]}';
const ETCD_V2 = /^(etcd|etcd-?v?2|v2)$/i;

const extraKey = (message: string, fix: string) => (iss: { code: string }) => (iss.code === "unrecognized_keys" ? says(message, fix) : undefined);

/**
 * Where Patroni keeps its leader lock: the Kubernetes API (default) or an etcd cluster through its v3
 * API. Anything naming etcd's v2 API is refused with the fix: etcd 3.4 serves v2 only when started with
 * --enable-v2 and etcd 3.6 removed it.
 */
export const patroniDcsSchema = z.discriminatedUnion(
  "type",
  [
    z.strictObject(
      { type: z.literal("kubernetes") },
      { error: extraKey("is not a setting of the kubernetes DCS (it uses the cluster's own API)", 'remove it, or use type "etcd3" for an etcd cluster') },
    ),
    z
      .strictObject(
        {
          type: z.literal("etcd3"),
          hosts: z
            .array(z.string({ error: (iss) => says(`must be a "host:port" string, got ${shown(iss.input)}`, `write e.g. "etcd-0.etcd:2379"`) }).pipe(hostPort), {
              error: () => says('must list the etcd members as "host:port"', 'e.g. hosts: ["etcd-0:2379"]'),
            })
            .min(1, { error: () => says('must list the etcd members as "host:port"', 'e.g. hosts: ["etcd-0:2379"]') }),
        },
        { error: extraKey("is not a setting of the etcd3 DCS; only hosts is", "remove it") },
      )
      .superRefine((d, ctx) => {
        d.hosts.forEach((h, i) => {
          if (d.hosts.indexOf(h) < i) ctx.addIssue({ code: "custom", path: ["hosts", i], message: says(`"${h}" is listed twice`, "list each etcd member once") });
        });
      }),
  ],
  {
    error: (iss) => {
      const type = (iss.input as { type?: unknown } | null | undefined)?.type;
      if (iss.code === "invalid_union" && typeof type === "string" && ETCD_V2.test(type.trim())) {
        return says(
          `"${type}" selects the etcd v2 API, which Patroni must not use: etcd 3.4 serves v2 only when started with --enable-v2 and etcd 3.6 removed it. Patroni must use the etcd v3 API (its "etcd3:" section)`,
          'write {type: "etcd3", hosts: ["etcd-0:2379", ...]} instead',
        );
      }
      if (iss.code === "invalid_union") return says(`unsupported DCS ${type === undefined ? "undefined" : JSON.stringify(type)}: ${DCS_SHAPE}`, 'use type "kubernetes" (default) or "etcd3"');
      return says(DCS_SHAPE, 'write e.g. {type: "kubernetes"}');
    },
  },
);

export type PatroniDcs = z.output<typeof patroniDcsSchema>;

export const DEFAULT_DCS: PatroniDcs = { type: "kubernetes" };

/** Validates the DCS choice; returns every problem found (empty when valid). */
export function validateDcs(dcs: unknown, path: string): ConfigProblem[] {
  return parseSettings(patroniDcsSchema, dcs, path).problems;
}

/** The DCS section of Patroni's configuration for a (valid) DCS choice. */
export function dcsSection(dcs: PatroniDcs): Record<string, unknown> {
  if (dcs.type === "etcd3") return { etcd3: { hosts: [...dcs.hosts] } };
  // Leader lock and config in ConfigMaps, not in the deprecated Endpoints API; clients find the primary
  // through the postgres-primary EndpointSlice that the discovery sidecar maintains.
  return { kubernetes: { use_endpoints: false } };
}

// ---------------------------------------------------------------------------------------------------
// pg_hba

export interface PgHbaArgs {
  /** Networks allowed to open ordinary connections (k3s' default pod network 10.42.0.0/16). */
  clientCidrs?: string[];
  /** Networks where the members live, allowed to replicate (defaults to clientCidrs). */
  replicationCidrs?: string[];
  /** The replication role (Spilo's default PGUSER_STANDBY is "standby"). */
  replicationUser?: string;
  /** Unix-socket connections inside the database container: peer (default) or trust. */
  localMethod?: "peer" | "trust";
}

export const DEFAULT_CLIENT_CIDRS: readonly string[] = ["10.42.0.0/16"];
export const DEFAULT_REPLICATION_USER = "standby";


function validatePgHba(args: PgHbaArgs | undefined, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!args) return problems;
  for (const key of ["clientCidrs", "replicationCidrs"] as const) {
    const list = args[key];
    if (list === undefined) continue;
    if (!Array.isArray(list) || list.length === 0) {
      problems.push({ path: `${path}.${key}`, message: "must be a non-empty list of CIDRs", fix: 'e.g. ["10.42.0.0/16"]' });
      continue;
    }
    list.forEach((c, i) => {
      const bad = typeof c !== "string" ? `${shown(c)} is not a CIDR such as 10.42.0.0/16` : cidrProblem(c);
      if (bad) {
        problems.push({ path: `${path}.${key}[${i}]`, message: bad, fix: "write a range such as 10.42.0.0/16" });
      } else if (c.endsWith("/0")) {
        problems.push({ path: `${path}.${key}[${i}]`, message: `${c} opens the database to every address`, fix: "name the pod network instead" });
      }
    });
  }
  if (args.replicationUser !== undefined && !(typeof args.replicationUser === "string" && isPgName(args.replicationUser))) {
    problems.push({ path: `${path}.replicationUser`, message: "must be a lower-case PostgreSQL role name", fix: "use lower-case letters, digits and _" });
  }
  if (args.localMethod !== undefined && args.localMethod !== "peer" && args.localMethod !== "trust") {
    problems.push({ path: `${path}.localMethod`, message: 'must be "peer" or "trust"', fix: "choose one" });
  }
  return problems;
}

/**
 * The complete pg_hba.conf we own, first match wins: local socket, the replication user over the
 * local socket, loopback, replication from the member network, clients from their networks — all
 * with SCRAM passwords — then an explicit reject.
 *
 * `local all all` does not cover replication connections (the database `all` never matches
 * `replication`), and Spilo has Patroni open its replication connections to its own server over the
 * socket (use_unix_socket_repl). The replication user is no OS user, so peer could never match it:
 * it authenticates with its SCRAM password (trust only when localMethod is trust).
 */
export function pgHbaRules(args: PgHbaArgs = {}): string[] {
  const clients = args.clientCidrs ?? [...DEFAULT_CLIENT_CIDRS];
  const replication = args.replicationCidrs ?? clients;
  const user = args.replicationUser ?? DEFAULT_REPLICATION_USER;
  const local = args.localMethod ?? "peer";
  return [
    `local all all ${local}`,
    `local replication ${user} ${local === "trust" ? "trust" : "scram-sha-256"}`,
    "host all all 127.0.0.1/32 scram-sha-256",
    "host all all ::1/128 scram-sha-256",
    ...replication.map((c) => `host replication ${user} ${c} scram-sha-256`),
    ...clients.map((c) => `host all all ${c} scram-sha-256`),
    "host all all 0.0.0.0/0 reject",
    "host all all ::/0 reject",
    "host replication all 0.0.0.0/0 reject",
    "host replication all ::/0 reject",
  ];
}

// ---------------------------------------------------------------------------------------------------
// The configuration object

export type PgParameterValue = string | number | boolean;

export interface PatroniConfigArgs {
  /** Number of PostgreSQL members (StatefulSet replicas). */
  members: number;
  timing?: PatroniTiming;
  dcs?: PatroniDcs;
  /**
   * Commit only when a standby has the WAL too. Default: true when members >= 2 — with asynchronous
   * replication a failover was measured to lose the last acknowledged write in 2 of 8 runs.
   */
  synchronousMode?: boolean;
  /** Refuse writes when no synchronous standby is up (default false: stay writable on one node). */
  synchronousModeStrict?: boolean;
  /**
   * Keep the primary running while the DCS (the Kubernetes API) is unreachable, as long as it can reach
   * every member's REST API (default true: a k3s restart must not demote a healthy primary). Needs the
   * members to reach each other on Patroni's port 8008.
   */
  failsafeMode?: boolean;
  /** PostgreSQL parameters, merged over ours. */
  parameters?: Record<string, PgParameterValue>;
  pgHba?: PgHbaArgs;
  /**
   * Basic-auth credentials for Patroni's REST API. Patroni then refuses unauthenticated requests to
   * its unsafe endpoints (POST/PUT/PATCH/DELETE: switchover, restart, reinitialize, config); GET
   * endpoints such as /primary, /readiness and /liveness stay open, which the probes and the
   * discovery sidecar rely on. Patroni sends the same credentials to its peers (e.g. failsafe mode's
   * POST /failsafe). Default: none (the component always sets them).
   */
  restApi?: RestApiCredentials;
}

/** The REST API's basic-auth user (patronictl in the pod reads it from Patroni's own config). */
export const RESTAPI_USER = "patroni";

export interface RestApiCredentials {
  username: string;
  password: string;
}

export const DEFAULT_PG_PARAMETERS: Readonly<Record<string, PgParameterValue>> = {
  password_encryption: "scram-sha-256",
  max_connections: 100,
};

/** The Patroni configuration produced by patroniConfig (a plain, JSON/YAML-serialisable object). */
export interface PatroniConfig {
  bootstrap: {
    dcs: {
      ttl: number;
      loop_wait: number;
      retry_timeout: number;
      maximum_lag_on_failover: number;
      synchronous_mode: boolean;
      synchronous_mode_strict: boolean;
      synchronous_node_count: number;
      failsafe_mode: boolean;
      postgresql: {
        use_pg_rewind: boolean;
        use_slots: boolean;
        parameters: Record<string, PgParameterValue>;
      };
    };
  };
  postgresql: { pg_hba: string[] };
  restapi?: { authentication: RestApiCredentials };
  kubernetes?: { use_endpoints: boolean };
  etcd3?: { hosts: string[] };
}

/** Parameters Patroni sets itself (from listen, scope or synchronous mode): setting them would be ignored or fight Patroni. */
const PATRONI_OWNED_PARAMETERS = [
  "listen_addresses",
  "port",
  "cluster_name",
  "hot_standby",
  "synchronous_standby_names",
  "hba_file",
  "primary_conninfo",
];

/** Validates everything patroniConfig takes; returns every problem found (empty when valid). */
export function validatePatroniArgs(args: PatroniConfigArgs, path: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  if (!Number.isInteger(args.members) || args.members < 1) {
    problems.push({ path: `${path}.members`, message: `must be a whole number >= 1, got ${JSON.stringify(args.members)}`, fix: "use 1 or more" });
  }
  if (args.timing !== undefined) problems.push(...validatePatroniTiming(args.timing, `${path}.timing`));
  if (args.dcs !== undefined) problems.push(...validateDcs(args.dcs, `${path}.dcs`));
  problems.push(...validatePgHba(args.pgHba, `${path}.pgHba`));
  if (args.restApi !== undefined) {
    const { username, password } = args.restApi;
    // Basic auth joins them with ':'; an empty password would be accepted by anyone who guesses none.
    if (typeof username !== "string" || !isBasicAuthUser(username)) {
      problems.push({ path: `${path}.restApi.username`, message: "must be 1-64 letters, digits, '_', '.' or '-'", fix: 'use e.g. "patroni"' });
    }
    if (typeof password !== "string" || password.length < 16) {
      problems.push({ path: `${path}.restApi.password`, message: "must be a generated password of at least 16 characters", fix: "generate it with @pulumi/random" });
    }
  }
  const sync = args.synchronousMode ?? args.members >= 2;
  if (args.synchronousModeStrict && Number.isInteger(args.members) && args.members < 2) {
    problems.push({
      path: `${path}.synchronousModeStrict`,
      message: "with a single member strict synchronous mode blocks every write forever",
      fix: "set it false or add members",
    });
  }
  if (args.synchronousModeStrict && args.synchronousMode === false) {
    problems.push({ path: `${path}.synchronousModeStrict`, message: "needs synchronousMode: true", fix: "set synchronousMode: true" });
  }
  for (const [name, value] of Object.entries(args.parameters ?? {})) {
    const p = `${path}.parameters.${name}`;
    if (!["string", "number", "boolean"].includes(typeof value)) {
      problems.push({ path: p, message: "must be a string, number or boolean", fix: "write a scalar value" });
    } else if (PATRONI_OWNED_PARAMETERS.includes(name.toLowerCase())) {
      problems.push({ path: p, message: "is managed by Patroni", fix: "remove it" });
    } else if (sync && name.toLowerCase() === "synchronous_commit" && ["off", "local", "false", "0"].includes(String(value).toLowerCase())) {
      problems.push({
        path: p,
        message: `synchronous_commit=${value} acknowledges commits before the standby has them, so a failover can lose them`,
        fix: "remove it or turn synchronousMode off knowingly",
      });
    }
  }
  return problems;
}

/**
 * The Patroni configuration for the cluster: dynamic settings under bootstrap.dcs (timing, synchronous
 * mode, PostgreSQL parameters), our pg_hba rules, and the DCS section. Throws, listing every problem,
 * when args are invalid — stacks/ validates first to report problems nicely.
 */
export function patroniConfig(args: PatroniConfigArgs): PatroniConfig {
  const problems = validatePatroniArgs(args, "patroni");
  if (problems.length > 0) {
    throw new Error(`invalid Patroni configuration:\n${problems.map((p) => `  ${p.path}: ${p.message}`).join("\n")}`);
  }
  const timing = args.timing ?? DEFAULT_PATRONI_TIMING;
  const dcs = args.dcs ?? DEFAULT_DCS;
  const synchronous = args.synchronousMode ?? args.members >= 2;
  return {
    bootstrap: {
      dcs: {
        ttl: timing.ttl,
        loop_wait: timing.loopWait,
        retry_timeout: timing.retryTimeout,
        maximum_lag_on_failover: 1048576,
        synchronous_mode: synchronous,
        synchronous_mode_strict: synchronous && (args.synchronousModeStrict ?? false),
        synchronous_node_count: 1,
        failsafe_mode: args.failsafeMode ?? true,
        postgresql: {
          use_pg_rewind: true,
          use_slots: true,
          parameters: { ...DEFAULT_PG_PARAMETERS, ...(args.parameters ?? {}) },
        },
      },
    },
    postgresql: { pg_hba: pgHbaRules(args.pgHba) },
    ...(args.restApi ? { restapi: { authentication: { username: args.restApi.username, password: args.restApi.password } } } : {}),
    ...(dcsSection(dcs) as Pick<PatroniConfig, "kubernetes" | "etcd3">),
  };
}
