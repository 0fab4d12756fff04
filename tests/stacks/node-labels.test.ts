// Node registration labels are exactly the labels placement selects on: a role-placed pod can run
// on every node that has its role and on no other. Both sides come from the kit's nodeRoleLabels.
import { NODE_ROLES, onRole, schedulingFor } from "../../components/kit";
import { splitConfig, validateRaw } from "../../stacks";
import { clusterArgs } from "../../stacks/cluster";
import { readStackFile } from "../../tools/lib/stack-file";
import { stackNames } from "../harness";

function matches(selector: Record<string, string>, labels: Record<string, string>): boolean {
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

describe.each(stackNames())("stack %s", (stack) => {
  const { config } = validateRaw(stack, splitConfig(readStackFile(stack).config), { requireSecrets: false });
  const args = clusterArgs(config, {});
  /** The labels each node is registered with, whichever cluster mode the stack uses. */
  const registered = (name: string): Record<string, string> =>
    args.nodes ? args.nodes.find((n) => n.name === name)!.labels ?? {} : args.nodeLabels?.[name] ?? {};

  it.each(NODE_ROLES)("a pod placed on role %s can run on exactly the nodes that have the role", (role) => {
    const selector = schedulingFor(onRole(role), {}).nodeSelector ?? {};
    const selectable = config.nodes.filter((n) => matches(selector, registered(n.name))).map((n) => n.name);
    expect(selectable).toEqual(config.nodes.filter((n) => n.roles.includes(role)).map((n) => n.name));
  });

  it("every node is registered with a label for each of its roles and no other role label", () => {
    for (const n of config.nodes) {
      const roleKeys = Object.keys(registered(n.name)).filter((k) => NODE_ROLES.some((r) => k in (schedulingFor(onRole(r), {}).nodeSelector ?? {})));
      expect({ node: n.name, roles: roleKeys.length }).toEqual({ node: n.name, roles: n.roles.length });
    }
  });
});
