// A local-path volume lives on one node. Moving its workload to another node would start it on an
// empty volume, so a change of node against what was last deployed is a config error unless the
// user opts in (after copying the data) with `migrateFrom: <old node>`.
import * as pulumi from "@pulumi/pulumi";
import { Problems } from "../components/kit/problems";
import { VolumeTemplates, parseVolumeTemplates } from "./immutable-fields";

export interface HomeChange {
  /** Workload name → the node it is pinned to now. */
  readonly current: Readonly<Record<string, string>>;
  /** Workload name → the node recorded at the last deployment (the stack's `volumeHomes` output). */
  readonly previous: Readonly<Record<string, string>> | undefined;
  /** Workload name → the config path of its settings. */
  readonly paths: Readonly<Record<string, string>>;
  /** Workload name → the node the user declared a migration from. */
  readonly migrateFrom: Readonly<Record<string, string | undefined>>;
}

export function checkVolumeHomes(c: HomeChange, problems: Problems, warnings: string[]): void {
  for (const [workload, node] of Object.entries(c.current)) {
    const before = c.previous?.[workload];
    const path = c.paths[workload];
    const from = c.migrateFrom[workload];
    if (before && before !== node && from !== before) {
      problems.add(
        `${path}.node`,
        `${workload}'s volume lives on ${before} (where it was last deployed); moving it to ${node} would start it on an empty volume`,
        `set ${path}.node back to ${before}, or copy the data to ${node} first and then set ${path}.migrateFrom: ${before}`,
      );
    } else if (from !== undefined && c.previous === undefined) {
      // An offline render (or a first deployment) has no last deployment to compare with.
      warnings.push(`${path}.migrateFrom: ${from} cannot be checked here: the last deployment's volume homes are not visible (an offline render, or no deployment yet); pulumi preview and pulumi up check it against the stack`);
    } else if (from !== undefined && (before === undefined || before === node)) {
      warnings.push(`${path}.migrateFrom: ${from} has no effect (${workload} is already deployed on ${node}); remove it`);
    }
  }
}

/**
 * The `volumeHomes` output of this stack's last deployment, read through a reference to the stack
 * itself; undefined before the first deployment.
 */
export async function previousVolumeHomes(): Promise<Record<string, string> | undefined> {
  const name = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  try {
    const details = await new pulumi.StackReference(name).getOutputDetails("volumeHomes");
    const value = details.value ?? details.secretValue;
    return value && typeof value === "object" ? (value as Record<string, string>) : undefined;
  } catch (e) {
    // A backend that cannot answer must not block the deploy; say plainly that the check did not run.
    pulumi.log.warn(`could not read ${name}'s last volumeHomes output (${(e as Error).message}): the check that stateful workloads stay on their volume's node was skipped`);
    return undefined;
  }
}

/**
 * The `volumeTemplates` output of this stack's last deployment (StatefulSet → volume templates), read
 * through its own reference to the stack; undefined before the first deployment, or when the backend
 * cannot answer (with a warning: the immutable-template check is then skipped, and the StatefulSets'
 * protection still stops a replace).
 */
export async function previousVolumeTemplates(): Promise<VolumeTemplates | undefined> {
  const name = `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`;
  try {
    const details = await new pulumi.StackReference("self-volume-templates", { name }).getOutputDetails("volumeTemplates");
    return parseVolumeTemplates(details.value ?? details.secretValue);
  } catch (e) {
    pulumi.log.warn(`could not read ${name}'s last volumeTemplates output (${(e as Error).message}): the check that StatefulSet volume templates do not change was skipped`);
    return undefined;
  }
}
