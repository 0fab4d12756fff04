// Validates objects against a schema model chosen per object; shared by the built-in and the custom
// resource schema tests.
import type { Manifest } from "../../tools/lib/manifests";

export type Model = new (data: unknown) => { validate(): void };

/** Validates each object that `modelFor` knows; returns the errors and how many objects were checked. */
export function validateWith(objects: readonly { stack: string; m: Manifest }[], modelFor: (m: Manifest) => Model | undefined): { errors: string[]; checked: number } {
  const errors: string[] = [];
  let checked = 0;
  for (const { stack, m } of objects) {
    const M = modelFor(m);
    if (!M) continue;
    try {
      new M(m).validate();
      checked++;
    } catch (e) {
      errors.push(`${stack} ${m.kind} ${m.metadata?.name}: ${(e as Error).message}`);
    }
  }
  return { errors, checked };
}
