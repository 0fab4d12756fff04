// The SDK's mock runtime, recording every resource the code under test registers (type, name,
// inputs), for unit tests of components and kit emitters.
import * as pulumi from "@pulumi/pulumi";
import { watchRegistrations } from "../../tools/lib/mock-runtime";

export interface Recorded {
  type: string;
  name: string;
  inputs: Record<string, any>;
  /** The URN of its parent ("" for none) and of every resource it depends on, as the engine receives them. */
  parent: string;
  dependencies: string[];
}

/**
 * Installs the mocks for project `homelab`, stack `stack`; returns the list it records into. A
 * resource's state is its inputs, plus what `outputs` adds for it (e.g. a generated password's result).
 */
export function recordResources(stack: string, outputs?: (r: Recorded) => Record<string, unknown> | undefined): Recorded[] {
  const recorded: Recorded[] = [];
  const requests = new Map<string, { parent: string; dependencies: string[] }>();
  pulumi.runtime.setMocks(
    {
      newResource: (a) => {
        const r = { type: a.type, name: a.name, inputs: a.inputs, ...(requests.get(`${a.type}::${a.name}`) ?? { parent: "", dependencies: [] }) };
        recorded.push(r);
        return { id: `${a.name}-id`, state: { ...a.inputs, ...outputs?.(r) } };
      },
      call: (a) => a.inputs,
    },
    "homelab",
    stack,
    false,
  );
  watchRegistrations((req) => requests.set(`${req.getType()}::${req.getName()}`, { parent: req.getParent(), dependencies: [...req.getDependenciesList()].sort() }));
  return recorded;
}

/** Waits until the mock runtime has registered `r`. */
export function registered(r: pulumi.Resource): Promise<unknown> {
  return new Promise((resolve) => r.urn.apply(resolve));
}
