// What every rule reads: one Kubernetes object as plain JSON (apiVersion, kind, metadata, spec…),
// whether it comes from an offline render (tools/lib/manifests.ts) or from a real preview (the
// policy pack's resources). The same shape as tools/lib/manifests.ts's Manifest, declared here so
// the policy pack loads without the render tooling.
export type Manifest = Record<string, any>;

/** "Kind namespace/name": how every rule names an object, and how the pack finds the object a message is about. */
export function id(m: Manifest): string {
  return `${m.kind} ${m.metadata?.namespace ?? ""}/${m.metadata?.name}`;
}
