// The policy pack's policies, built from policy/rules (the same functions the invariant tests run).
// Pure: nothing here starts the pack's server (policy/index.ts does), so tests call these policies
// directly with resources shaped like the ones Pulumi hands a pack.
//
// What a pack sees (@pulumi/policy 1.21): `validateResource` gets one resource's inputs before it is
// sent to the provider; `validateStack` gets every resource's outputs at the end of a preview or an
// update. Kubernetes resources carry their object as props (apiVersion, kind, metadata, spec…), so
// the rules read them exactly as they read a render. A value a preview cannot know yet (an output of
// a resource not created yet) throws when a rule reads it; Pulumi then reports that policy as
// advisory "can't run during preview" for that run instead of guessing — `pulumi up` checks it.
import type { PolicyResource, ReportViolation, ResourceValidationArgs, ResourceValidationPolicy, StackValidationArgs, StackValidationPolicy } from "@pulumi/policy";
import { OPTION_RULES, OptionsRule, RULES, Rule, id } from "./rules";
import type { Manifest, Registered } from "./rules";

export const PACK_NAME = "homelab-invariants";

/** The resource fields the adapter reads: both PolicyResource and ResourceValidationArgs have them. */
type Subject = Pick<PolicyResource, "type" | "props" | "urn"> & Partial<Pick<PolicyResource, "opts">>;

/**
 * The Kubernetes object a resource declares, or undefined for anything else (k3s node commands,
 * random secrets, the provider, Helm releases, components). Secret values are never handed on: a
 * rule sees a Secret's key names only, as in a render's manifests.
 */
export function manifestOf(r: Pick<Subject, "type" | "props">): Manifest | undefined {
  if (!r.type.startsWith("kubernetes:") || r.type.startsWith("kubernetes:helm.sh/") || r.type === "pulumi:providers:kubernetes") return undefined;
  const m = r.props;
  if (typeof m?.kind !== "string") return undefined;
  if (m.kind !== "Secret") return m;
  const keys = (o: unknown) => (o && typeof o === "object" ? Object.fromEntries(Object.keys(o).sort().map((k) => [k, "<redacted>"])) : undefined);
  const out: Manifest = { apiVersion: m.apiVersion, kind: m.kind, metadata: m.metadata, type: m.type };
  const data = keys(m.data);
  const stringData = keys(m.stringData);
  if (data) out.data = data;
  if (stringData) out.stringData = stringData;
  return out;
}

/** The Kubernetes objects of a stack, each with the URN a violation about it is reported on. */
export function manifestsOf(resources: readonly Subject[]): { manifests: Manifest[]; urnOf: (message: string) => string | undefined } {
  const manifests: Manifest[] = [];
  const urns = new Map<string, string>();
  for (const r of resources) {
    const m = manifestOf(r);
    if (!m) continue;
    manifests.push(m);
    urns.set(id(m), r.urn);
  }
  // Rules name the object first ("StatefulSet homelab/qdrant container …"): the longest id that
  // starts the message is the object it is about. Messages about the whole stack (a missing allow)
  // stay on the stack.
  const ids = [...urns.keys()].sort((a, b) => b.length - a.length);
  const urnOf = (message: string) => {
    const hit = ids.find((i) => message === i || message.startsWith(`${i} `) || message.startsWith(`${i}:`));
    return hit === undefined ? undefined : urns.get(hit);
  };
  return { manifests, urnOf };
}

/** A Kubernetes object with its resource options, as the options rules read it (0 s: no custom timeout). */
export function registered(r: Subject): Registered | undefined {
  const manifest = manifestOf(r);
  if (!manifest) return undefined;
  return { manifest, protect: r.opts?.protect === true, createTimeoutSeconds: r.opts?.customTimeouts?.createSeconds || undefined };
}

function optionsPolicy(rule: OptionsRule): ResourceValidationPolicy | StackValidationPolicy {
  const base = { name: rule.name, description: rule.description, enforcementLevel: "mandatory" as const };
  if (rule.scope === "resource") {
    return {
      ...base,
      validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
        const r = registered(args);
        if (r) for (const message of rule.checkRegistered([r])) report(message);
      },
    };
  }
  return {
    ...base,
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const { urnOf } = manifestsOf(args.resources);
      const rs = args.resources.map(registered).filter((r): r is Registered => !!r);
      for (const message of rule.checkRegistered(rs)) report(message, urnOf(message));
    },
  };
}

function resourcePolicy(rule: Rule): ResourceValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    validateResource: (args: ResourceValidationArgs, report: ReportViolation) => {
      const m = manifestOf(args);
      if (!m) return;
      for (const message of rule.check([m])) report(message);
    },
  };
}

function stackPolicy(rule: Rule): StackValidationPolicy {
  return {
    name: rule.name,
    description: rule.description,
    enforcementLevel: "mandatory",
    validateStack: (args: StackValidationArgs, report: ReportViolation) => {
      const { manifests, urnOf } = manifestsOf(args.resources);
      for (const message of rule.check(manifests)) report(message, urnOf(message));
    },
  };
}

/** One mandatory policy per rule that means something on a real preview, then one per options rule. */
export function policies(rules: readonly Rule[] = RULES, optionRules: readonly OptionsRule[] = OPTION_RULES): (ResourceValidationPolicy | StackValidationPolicy)[] {
  return [...rules.filter((r) => !r.renderOnly).map((r) => (r.scope === "resource" ? resourcePolicy(r) : stackPolicy(r))), ...optionRules.map(optionsPolicy)];
}
