// Rules that relate the applications to the services they need: a database they take must be
// created by PostgreSQL, and named where PostgreSQL's settings list the application databases.
import type { Problems } from "../components/kit/problems";
import type { StackConfig } from "./config";
import { key } from "./schema";

/** Each app, the database it needs. */
const APP_DATABASES = [
  { app: "familyAssistant", database: "family_assistant" },
  { app: "n8n", database: "n8n" },
] as const;

export function validateApps(cfg: StackConfig, problems: Problems): void {
  for (const { app, database } of APP_DATABASES) {
    if (!cfg.workloads[app].enabled) continue;
    const path = `${key("workloads")}.${app}.enabled`;
    if (!cfg.workloads.postgres.enabled) {
      problems.add(path, `${app} needs PostgreSQL, and workloads.postgres is disabled`, `enable ${key("workloads")}.postgres, or set ${path}: false`);
    } else if (!cfg.workloads.postgres.databases.includes(database)) {
      problems.add(path, `${app} needs the database "${database}", which ${key("workloads")}.postgres.databases does not list`, `add ${database} to ${key("workloads")}.postgres.databases`);
    }
  }
}
