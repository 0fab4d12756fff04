// The homelab platform: load and validate this stack's config (every problem reported before
// anything is created), then build the platform from it.
import * as pulumi from "@pulumi/pulumi";
import { HomelabPlatform, loadStack } from "./stacks";

// A preview (and the offline render) may run without the secret config values, e.g. on a pull
// request; `pulumi up` may not.
const stack = loadStack({ requireSecrets: !pulumi.runtime.isDryRun() });
const platform = new HomelabPlatform("homelab", stack);

export const namespace = platform.outputs.namespace;
export const qdrantUrl = platform.outputs.qdrant?.url;
export const volumeHomes = platform.outputs.volumeHomes;
export const nodes = stack.schedule.nodes.map((n) => ({ node: n.node, pods: n.pods }));
