// The policy pack: `pulumi preview --policy-pack policy` (or `up`) from the repository root runs it
// next to the program. Constructing the PolicyPack starts the server Pulumi talks to, so everything
// testable lives in ./pack.ts and ./rules.
import { PolicyPack } from "@pulumi/policy";
import { PACK_NAME, policies } from "./pack";

new PolicyPack(PACK_NAME, {
  description: "The homelab platform's invariants (policy/rules), the same functions the test suite runs on every offline render",
  enforcementLevel: "mandatory",
  policies: policies(),
});
