// Default-deny networking rules: they live in policy/rules/network.ts (shared with the policy pack
// and `npm run diff`); this module keeps the tests' import path.
export * from "../../policy/rules/network";
