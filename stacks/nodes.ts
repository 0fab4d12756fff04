// `homelab:nodes`: the machines of the stack — what each can run (roles), how big it is, how the
// program reaches it. Stack-wide: placement, capacity and the cluster all read them.
import { z } from "zod";
import { NODE_ROLES } from "../components/kit";
import { bytesQuantity, cpuQuantity, host, ipAddress, nodeName, port, says, taint, unixUser } from "../components/kit/formats";

const role = z.enum(NODE_ROLES, { error: (iss) => says(`unknown role ${JSON.stringify(iss.input)}`, `roles are ${NODE_ROLES.join(", ")}`) });

export const nodeSettings = z
  .strictObject({
    name: nodeName.describe("the Kubernetes node name (k3s node-name; in existing-cluster mode, the node's name in the cluster)"),
    roles: z.array(role).min(1, { error: () => says("a node needs at least one role", `set roles to a list of ${NODE_ROLES.join(", ")}`) }).describe(`what may run there: ${NODE_ROLES.join(", ")} (gpu: an NVIDIA GPU)`),
    k3s: z.enum(["server", "agent"]).default("agent").describe("k3s role (default agent); servers must be an odd number"),
    cpu: cpuQuantity.describe('CPU capacity, a Kubernetes quantity ("4")'),
    memory: bytesQuantity.describe('memory capacity ("8Gi")'),
    address: ipAddress.describe("the address cluster traffic uses (k3s node-ip), e.g. the Tailscale address"),
    lanAddress: ipAddress.optional().describe("the node's LAN address, if any (API certificate, trusted proxies)"),
    externalAddress: ipAddress.optional().describe("a public address, if any (k3s node-external-ip)"),
    ssh: z
      .strictObject({
        host: host.optional().describe("default: the node's address"),
        user: unixUser.default("root").describe('default "root"; a sudo-capable user works too'),
        port: port.default(22).describe("default 22"),
      })
      .prefault({})
      .describe("how the program reaches the node (k3s mode)"),
    taints: z.array(taint).default([]).describe('extra taints, "key=value:Effect"'),
  })
  .describe("one machine of the stack");

const text = (v: unknown) => (typeof v === "string" && v !== "" ? v : undefined);

/**
 * Every node needs its own name and addresses. Runs on what was written even when a node has
 * other mistakes (`when`), so one pass reports them all.
 */
export const nodesSettings = z
  .array(nodeSettings)
  .min(1, { error: () => says("the stack has no nodes", "list at least one node under homelab:nodes") })
  .check(
    z.superRefine(
      (nodes: unknown[], ctx) => {
        const names = new Map<string, number>();
        const addresses = new Map<string, string>();
        nodes.forEach((raw, i) => {
          const n = (raw ?? {}) as Record<string, unknown>;
          const name = text(n.name);
          if (name !== undefined && names.has(name)) {
            ctx.addIssue({ code: "custom", path: [i, "name"], message: says(`node name "${name}" is already used by homelab:nodes[${names.get(name)}]`, "give every node a unique name") });
          } else if (name !== undefined) names.set(name, i);
          const own = new Set<string>();
          for (const field of ["address", "lanAddress", "externalAddress"]) {
            const a = text(n[field]);
            if (a === undefined || own.has(a)) continue;
            own.add(a);
            const holder = addresses.get(a);
            if (holder) ctx.addIssue({ code: "custom", path: [i, field], message: says(`address ${a} is already used by ${holder}`, "every node needs its own addresses") });
            else addresses.set(a, `homelab:nodes[${i}] (${name ?? "?"})`);
          }
        });
      },
      { when: (payload) => Array.isArray(payload.value) },
    ),
  )
  .describe("the machines of the stack");

/** A node with the defaults that depend on its other fields. */
export type StackNode = ReturnType<typeof resolveNode>;

export function resolveNode(n: z.output<typeof nodeSettings>) {
  return { ...n, ssh: { ...n.ssh, host: n.ssh.host ?? n.address }, gpu: n.roles.includes("gpu") };
}
