// `homelab:workloads.postgres`: PostgreSQL HA's settings (Patroni timing and DCS, app databases),
// defaults and docs.
import { z } from "zod";
import { intBetween, isAppDatabaseName, says, shown } from "../../kit/formats";
import { StackView, storageSetting, workloadSettings } from "../../kit/settings";
import { postgresBackupSettings } from "../backup/settings";
import { DEFAULT_DISCOVERY_POLL_SECONDS, DEFAULT_PATRONI_TIMING, patroniDcsSchema, validatePatroniTiming } from "./patroni-config";

/** Majors the pinned Spilo image carries. */
export const POSTGRES_VERSIONS = ["13", "14", "15", "16", "17"] as const;
/** Names PostgreSQL or Spilo already use. */
const RESERVED_DATABASES = ["postgres", "template0", "template1", "standby"];

const seconds = (what: string, d: number) => z.int().default(d).describe(`${what}, seconds (default ${d})`);

const timing = z
  .strictObject({
    ttl: seconds("Patroni ttl: lifetime of the leader lock", DEFAULT_PATRONI_TIMING.ttl),
    loopWait: seconds("Patroni loop_wait", DEFAULT_PATRONI_TIMING.loopWait),
    retryTimeout: seconds("Patroni retry_timeout", DEFAULT_PATRONI_TIMING.retryTimeout),
  })
  .superRefine((t, ctx) => {
    for (const p of validatePatroniTiming(t, "")) {
      ctx.addIssue({ code: "custom", path: p.path ? p.path.replace(/^\./, "").split(".") : [], message: says(p.message, p.fix) });
    }
  })
  .prefault({})
  .describe("Patroni leader-election timing (must satisfy loopWait + 2*retryTimeout <= ttl)");

const database = z.string().refine((db) => isAppDatabaseName(db) && !RESERVED_DATABASES.includes(db), {
  error: (iss) => says(`${shown(iss.input)} is not a usable database name`, "use lower-case letters, digits and _ (starting with a letter), not postgres/template0/template1/standby"),
});

export const postgresSettings = workloadSettings(
  { cpu: "250m", memory: "512Mi", memoryLimit: "1Gi" },
  {
    storage: storageSetting("10Gi"),
    version: z
      .union([z.string(), z.number()])
      .transform(String)
      .pipe(z.enum(POSTGRES_VERSIONS, { error: (iss) => says(`PostgreSQL ${String(iss.input)} is not in the pinned Spilo image`, `use one of ${POSTGRES_VERSIONS.join(", ")}`) }))
      .prefault("17")
      .describe("PostgreSQL major version (default 17)"),
    timing,
    dcs: patroniDcsSchema.default({ type: "kubernetes" }).describe('where Patroni keeps its leader lock: {type: kubernetes} (default) or {type: etcd3, hosts: ["host:2379"]}; the etcd v2 API is refused'),
    pollSeconds: intBetween(1, 30).default(DEFAULT_DISCOVERY_POLL_SECONDS).describe(`discovery sidecar poll interval, seconds (default ${DEFAULT_DISCOVERY_POLL_SECONDS})`),
    databases: z
      .array(database)
      .default([])
      .superRefine((dbs, ctx) => {
        dbs.forEach((db, i) => {
          if (dbs.indexOf(db) < i) ctx.addIssue({ code: "custom", path: [i], message: says(`"${db}" is listed twice`, "list each database once") });
        });
      })
      .describe("application databases, each with an owner of the same name and a connection Secret postgres-<name> (user, database, host, port, password); default none"),
    backup: postgresBackupSettings,
  },
)
  .prefault({})
  .describe("PostgreSQL HA: Patroni (Spilo) members, one per service node");

export type PostgresSettings = ReturnType<typeof resolvePostgres>;

export function resolvePostgres(s: z.output<typeof postgresSettings>, view: StackView) {
  const services = view.nodes.filter((n) => n.roles.includes("service")).length;
  // One member per service node, up to three: HA where the hardware allows it.
  return { ...s, replicas: s.replicas ?? Math.max(1, Math.min(3, services)) };
}
