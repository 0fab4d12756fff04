// The SDK's own cost of exactly the resources a render registers, for the benchmark's (c): every
// resource recorded by an untimed `render --dump` (REPLAY_RESOURCES, its resources.json) is created
// again through the SDK class of its type (so each declares the same output properties the program's
// did), with the same name, inputs, provider and options, under the same mock runtime and with no
// program around it. What a render costs beyond this is the program's own work.
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import * as command from "@pulumi/command";
import * as random from "@pulumi/random";

interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, any>;
  provider?: string;
  custom: boolean;
  options?: { protect?: boolean; retainOnDelete?: boolean; customTimeouts?: pulumi.CustomTimeouts };
}

type ResourceClass = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

class Component extends pulumi.ComponentResource {
  constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.registerOutputs({});
  }
}

/** The SDK class whose type token is `type` ("kubernetes:apps/v1:Deployment" → k8s.apps.v1.Deployment), if the SDK has one. */
function classOf(type: string): ResourceClass | undefined {
  const [pkg, mod, kind] = type.split(":");
  let found: any;
  if (pkg === "kubernetes") {
    const [group, version] = mod.split("/");
    found = (k8s as any)[group === "core" ? "core" : group.split(".")[0]]?.[version]?.[kind];
  } else if (pkg === "command") found = (command as any)[mod]?.[kind];
  else if (pkg === "random") found = (random as any)[kind];
  return found?.__pulumiType === type ? found : undefined;
}

const recorded = JSON.parse(fs.readFileSync(process.env.REPLAY_RESOURCES ?? "", "utf8")) as Recorded[];
const providers = new Map<string, pulumi.ProviderResource>();
for (const r of recorded) {
  const opts: pulumi.CustomResourceOptions = { ...r.options };
  // The recorded reference is "<urn>::<id>"; the provider's name ends its URN.
  const provider = r.provider ? providers.get(r.provider.split("::")[3] ?? "") : undefined;
  if (r.type === "pulumi:providers:kubernetes") providers.set(r.name, new k8s.Provider(r.name, r.inputs, opts));
  else if (r.type === "pulumi:pulumi:StackReference") new pulumi.StackReference(r.name, { name: r.inputs.name });
  else if (!r.custom) new Component(r.type, r.name, opts);
  else {
    const Class = classOf(r.type);
    if (Class) new Class(r.name, r.inputs, { ...opts, provider });
    else new k8s.apiextensions.CustomResource(r.name, r.inputs as k8s.apiextensions.CustomResourceArgs, { ...opts, provider });
  }
}
