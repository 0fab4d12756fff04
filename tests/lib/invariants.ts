// The invariants every rendered stack must hold. The rules live in policy/rules (one implementation,
// shared with the policy pack and `npm run diff`); this module keeps the tests' import path.
import { invariantTable } from "../../policy/rules";
export * from "../../policy/rules/workloads";
export * from "../../policy/rules/routes";
export * from "../../policy/rules/options";
export { allowsEqualTheWiring, everyPodDeniesIngressByDefault } from "../../policy/rules/network";

/** Description → check, for every rule (tests/invariants.test.ts runs each over every stack). */
export const ALL_INVARIANTS = invariantTable();
