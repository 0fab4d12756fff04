// Runs the policy pack's policies (policy/pack.ts) the way Pulumi does, without its server: each
// Kubernetes object becomes a resource (type, URN, props behind the SDK's own unknown-checking
// proxy), `validateResource` runs per resource and `validateStack` once over all of them.
import type { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policies } from "../../policy/pack";
import type { Manifest } from "../../policy/rules";
import { durationSeconds } from "../../policy/rules/options";
import type { RecordedResource } from "../../tools/lib/mock-runtime";

// The SDK's proxy (internal to @pulumi/policy, so untyped): reading an unknown value through it throws.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const sdkProxy: { unknownCheckingProxy<T>(o: T): T; unknownStringValue: string } = require("@pulumi/policy/proxy");
export const UNKNOWN_STRING: string = sdkProxy.unknownStringValue;

export interface Reported {
  readonly policy: string;
  readonly message: string;
  readonly urn?: string;
}

/** The type a Kubernetes object registers under, e.g. kubernetes:apps/v1:StatefulSet. */
export function typeOf(m: Manifest): string {
  const [group, version] = String(m.apiVersion).includes("/") ? String(m.apiVersion).split("/") : ["core", m.apiVersion];
  return `kubernetes:${group}/${version}:${m.kind}`;
}

export function urnOf(m: Manifest): string {
  return `urn:pulumi:test::homelab::${typeOf(m)}::${m.metadata?.namespace ?? ""}-${m.metadata?.name}`;
}

/** The options a resource was registered with, as a pack sees them (PolicyResourceOptions). */
export type OptionsOf = (m: Manifest) => { protect: boolean; createSeconds: number };

const NO_OPTIONS: OptionsOf = () => ({ protect: false, createSeconds: 0 });

/** The options each object of a stack's render was registered with (resources.json), by kind, namespace and name. */
export function optionsFrom(resources: readonly RecordedResource[]): OptionsOf {
  const key = (m: Manifest) => `${m.kind} ${m.metadata?.namespace ?? ""}/${m.metadata?.name}`;
  const byId = new Map(resources.filter((r) => r.inputs?.kind).map((r) => [key(r.inputs), r.options]));
  return (m) => {
    const o = byId.get(key(m));
    return { protect: o?.protect === true, createSeconds: durationSeconds(o?.customTimeouts?.create) ?? 0 };
  };
}

/** Resources as a pack sees them: the SDK's proxy around a copy of each object (so a test's edits stay its own). */
export function asResources(ms: readonly Manifest[], optionsOf: OptionsOf = NO_OPTIONS): Pick<PolicyResource, "type" | "props" | "urn" | "name" | "opts">[] {
  return ms.map((m) => {
    const o = optionsOf(m);
    const opts = { protect: o.protect, ignoreChanges: [], aliases: [], additionalSecretOutputs: [], customTimeouts: { createSeconds: o.createSeconds, updateSeconds: o.createSeconds, deleteSeconds: 0 } };
    return { type: typeOf(m), props: sdkProxy.unknownCheckingProxy(JSON.parse(JSON.stringify(m))), urn: urnOf(m), name: `${m.metadata?.namespace ?? ""}-${m.metadata?.name}`, opts };
  });
}

/** Every violation the pack's policies (or only `only`) report on these objects. */
export async function runPack(ms: readonly Manifest[], only?: string, optionsOf: OptionsOf = NO_OPTIONS): Promise<Reported[]> {
  const out: Reported[] = [];
  const resources = asResources(ms, optionsOf);
  for (const p of policies().filter((x) => !only || x.name === only)) {
    const report = (message: string, urn?: string) => out.push({ policy: p.name, message, urn });
    const rp = p as ResourceValidationPolicy;
    if (rp.validateResource) {
      for (const r of resources) {
        const args = { ...r, stackTags: new Map(), isType: () => false, asType: () => undefined, getConfig: () => ({}) as any, notApplicable: (): never => { throw new Error("not applicable"); } };
        for (const v of [rp.validateResource].flat()) await v(args, ((message: string) => report(message, r.urn)) as ReportViolation);
      }
    }
    const sp = p as StackValidationPolicy;
    if (sp.validateStack) {
      const args = { resources: resources as PolicyResource[], stackTags: new Map(), getConfig: () => ({}) as any, notApplicable: (): never => { throw new Error("not applicable"); } };
      await sp.validateStack(args, report as ReportViolation);
    }
  }
  return out;
}
