// The SDK's own cost of exactly the resources a render registers, for the benchmark's (c): every
// resource recorded by an untimed `render --dump` (REPLAY_RESOURCES, its resources.json) is registered
// again with the same type, name, inputs, provider and options, under the same mock runtime, with no
// program around it. What a render costs beyond this is the program's own work.
import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";

interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, unknown>;
  provider?: string;
  custom: boolean;
  options?: { protect?: boolean; retainOnDelete?: boolean; customTimeouts?: pulumi.CustomTimeouts };
}

// The SDK's classes are abstract; these add nothing to them.
class Provider extends pulumi.ProviderResource {}
class Custom extends pulumi.CustomResource {}
class Component extends pulumi.ComponentResource {
  constructor(type: string, name: string, opts: pulumi.ComponentResourceOptions) {
    super(type, name, {}, opts);
    this.registerOutputs({});
  }
}

const recorded = JSON.parse(fs.readFileSync(process.env.REPLAY_RESOURCES ?? "", "utf8")) as Recorded[];
const providers = new Map<string, pulumi.ProviderResource>();
for (const r of recorded) {
  const opts: pulumi.CustomResourceOptions = { ...r.options };
  if (r.type.startsWith("pulumi:providers:")) {
    providers.set(r.name, new Provider(r.type.slice("pulumi:providers:".length), r.name, r.inputs, opts));
  } else if (r.custom) {
    // The recorded reference is "<urn>::<id>"; the provider's name ends its URN.
    const provider = r.provider ? providers.get(r.provider.split("::")[3] ?? "") : undefined;
    new Custom(r.type, r.name, r.inputs, { ...opts, provider });
  } else {
    new Component(r.type, r.name, opts);
  }
}
