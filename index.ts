// The homelab platform: load and validate this stack's config (every problem reported before
// anything is created), then build the platform from it.
import * as pulumi from "@pulumi/pulumi";
import { HomelabPlatform, loadStack, previousVolumeHomes, previousVolumeTemplates, volumeTemplatesOf } from "./stacks";

export = async () => {
  const stack = loadStack({
    // A preview (and the offline render) may run without the secret config values, e.g. on a pull
    // request; `pulumi up` may not.
    requireSecrets: !pulumi.runtime.isDryRun(),
    previousVolumeHomes: await previousVolumeHomes(),
    previousVolumeTemplates: await previousVolumeTemplates(),
  });
  const platform = new HomelabPlatform("homelab", stack);
  return {
    namespace: platform.outputs.namespace,
    kubeconfig: platform.kubeconfig,
    qdrantUrl: platform.outputs.qdrant?.url,
    postgresPrimary: platform.outputs.postgresPrimary,
    databases: platform.outputs.databases,
    dashboardUrl: platform.outputs.dashboardUrl,
    dashboardPassword: platform.dashboardPassword,
    redisUrl: platform.outputs.redis?.url,
    n8nUrl: platform.outputs.n8nUrl,
    familyAssistantUrl: platform.outputs.familyAssistantUrl,
    grafanaUrl: platform.outputs.grafanaUrl,
    grafanaPassword: platform.grafanaPassword,
    volumeHomes: stack.volumeHomes,
    // Read back by the next run (previousVolumeTemplates): a change of a StatefulSet's volume templates is refused.
    volumeTemplates: volumeTemplatesOf(stack.planned.map((w) => w.spec)),
    nodes: stack.schedule.nodes.map((n) => ({ node: n.node, pods: n.pods })),
  };
};
