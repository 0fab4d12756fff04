// Runs the policy pack's policies (policy/pack.ts) the way Pulumi does, without its server: each
// Kubernetes object becomes a resource (type, URN, props behind the SDK's own unknown-checking
// proxy), `validateResource` runs per resource and `validateStack` once over all of them.
import type { PolicyResource, ReportViolation, ResourceValidationPolicy, StackValidationPolicy } from "@pulumi/policy";
import { policies } from "../../policy/pack";
import type { Manifest } from "../../policy/rules";

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

/** Resources as a pack sees them: the SDK's proxy around a copy of each object (so a test's edits stay its own). */
export function asResources(ms: readonly Manifest[]): Pick<PolicyResource, "type" | "props" | "urn" | "name">[] {
  return ms.map((m) => ({ type: typeOf(m), props: sdkProxy.unknownCheckingProxy(JSON.parse(JSON.stringify(m))), urn: urnOf(m), name: `${m.metadata?.namespace ?? ""}-${m.metadata?.name}` }));
}

/** Every violation the pack's policies (or only `only`) report on these objects. */
export async function runPack(ms: readonly Manifest[], only?: string): Promise<Reported[]> {
  const out: Reported[] = [];
  const resources = asResources(ms);
  for (const p of policies().filter((x) => !only || x.name === only)) {
    const report = (message: string, urn?: string) => out.push({ policy: p.name, message, urn });
    const rp = p as ResourceValidationPolicy;
    if (rp.validateResource) {
      for (const r of resources) {
        const args = { ...r, opts: {} as any, stackTags: new Map(), isType: () => false, asType: () => undefined, getConfig: () => ({}) as any, notApplicable: (): never => { throw new Error("not applicable"); } };
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
