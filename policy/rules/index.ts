// The one list of rules every stack must hold. Three users read it, so a rule changed here changes
// all of them:
// - the invariant tests (tests/invariants.test.ts over every rendered stack, tests/invariants-self.test.ts
//   on broken copies of a render);
// - the policy pack (policy/pack.ts: a `validateResource` policy per resource rule, a `validateStack`
//   policy per stack rule, all mandatory) on a user's real `pulumi preview --policy-pack policy`;
// - `npm run diff`, which reports the violations a change adds or resolves.
// RULES judge the objects; OPTION_RULES judge how they are registered (protect, custom timeouts).
// Rules are generic: they read kinds, labels, selectors, ports and the kit's annotations, never a
// service's name, so a service added later is checked the moment it renders.
import type { Manifest } from "./manifest";
import { allowsEqualTheWiring, everyPodDeniesIngressByDefault } from "./network";
import { awaitedLongEnough, statefulDataProtected } from "./options";
import type { Registered } from "./options";
import { backendProblems, headerProblems, tlsProblems } from "./routes";
import {
  containersAreComplete,
  cronJobsAreSafe,
  everyMetricsEndpointIsScrapedOnce,
  noInlinedSecrets,
  nothingSkipsAwait,
  patroniSelectsOnlyItsOwn,
  pdbsLetOnePodGo,
  pdbsSelectPods,
  podsUseRuntimeDefaultSeccomp,
  rbacGrantsNoWildcards,
  referencesResolve,
  runtimeSelectorsCanMatch,
  selectorsMatchTemplates,
  servicesSelectPodsAndPorts,
  statefulWorkloadsStayWithTheirVolumes,
} from "./workloads";

export type { Manifest } from "./manifest";
export { id } from "./manifest";
export type { Registered } from "./options";
export { registeredOf } from "./options";

/** A rule: every problem it finds, as a message naming the object first ("Kind namespace/name …") where there is one. */
export type Check = (ms: readonly Manifest[]) => string[];

export interface Rule {
  /** The policy's name in the pack: kebab-case, unique. */
  readonly name: string;
  /** What holds, in one sentence (the invariant test's title and the policy's description). */
  readonly description: string;
  /**
   * "resource": judged on each object alone, so `check([m])` for every `m` finds exactly what
   * `check(all)` finds (a `validateResource` policy, reported before the object is sent);
   * "stack": needs the other objects (a `validateStack` policy).
   */
  readonly scope: "resource" | "stack";
  readonly check: Check;
  /** Set when the rule only means something on an offline render (why the pack leaves it out). */
  readonly renderOnly?: string;
}

export const RULES: readonly Rule[] = [
  { name: "workload-selector-matches-template", scope: "resource", check: selectorsMatchTemplates, description: "every workload's selector matches its pod template" },
  { name: "service-selects-pods-and-ports", scope: "stack", check: servicesSelectPodsAndPorts, description: "every Service selects at least one workload, and each of its ports targets the container port of the same name" },
  { name: "runtime-selector-can-match", scope: "stack", check: runtimeSelectorsCanMatch, description: "every Service on run-time labels has enough replicas behind it for a pod to carry them" },
  { name: "patroni-selects-only-its-own", scope: "stack", check: patroniSelectsOnlyItsOwn, description: "Patroni's label selector matches its members and none of the program's ConfigMaps" },
  { name: "containers-complete", scope: "resource", check: containersAreComplete, description: "every container has probes, CPU/memory requests, a memory limit, a pinned image and no privilege escalation" },
  { name: "pdb-selects-pods", scope: "stack", check: pdbsSelectPods, description: "every PodDisruptionBudget selects pods of a workload" },
  { name: "pdb-lets-one-pod-go", scope: "resource", check: pdbsLetOnePodGo, description: "every PodDisruptionBudget lets one pod go" },
  { name: "pod-seccomp-runtime-default", scope: "resource", check: podsUseRuntimeDefaultSeccomp, description: "every pod runs under the RuntimeDefault seccomp profile" },
  { name: "local-volumes-stay-and-are-retained", scope: "resource", check: statefulWorkloadsStayWithTheirVolumes, description: "stateful workloads with local volumes stay on their node and keep their volumes (on delete and on scale-down)" },
  { name: "no-skip-await", scope: "resource", check: nothingSkipsAwait, description: "nothing skips Pulumi's readiness await (a CrashLoopBackOff must fail the deploy)" },
  {
    name: "no-inlined-secrets",
    scope: "stack",
    check: noInlinedSecrets,
    description: "generated secrets are never written into a pod spec or rendered in clear",
    renderOnly: "it recognises generated secrets by the mock runtime's values and checks the render's redaction; a real preview has neither (Pulumi unwraps secrets before a policy sees them)",
  },
  { name: "default-deny-ingress", scope: "stack", check: everyPodDeniesIngressByDefault, description: "every pod is isolated by a default-deny ingress policy, and no policy restricts egress" },
  { name: "allows-equal-the-wiring", scope: "stack", check: allowsEqualTheWiring, description: "the network allows are exactly the connections, routes and peer rules: none missing, none more" },
  { name: "cronjobs-safe", scope: "resource", check: cronJobsAreSafe, description: "every CronJob forbids overlapping runs, bounds and keeps them, runs non-root with pinned images, and passes its backup label on" },
  { name: "rbac-no-wildcards", scope: "resource", check: rbacGrantsNoWildcards, description: "no Role or ClusterRole grants a wildcard" },
  { name: "references-resolve", scope: "stack", check: referencesResolve, description: "every Secret, ConfigMap, Service, port and $(VAR) a pod references by name exists in the same render" },
  { name: "metrics-scraped-once", scope: "stack", check: everyMetricsEndpointIsScrapedOnce, description: "every workload with a metrics endpoint has exactly one monitor, on ports its pods have" },
  { name: "routes-have-security-headers", scope: "stack", check: headerProblems, description: "every route carries the security-headers Middleware (HSTS for a year at least), unless it opted out with a reason" },
  { name: "routes-https-with-certificate", scope: "stack", check: tlsProblems, description: "every route is HTTPS-only with a Certificate for its hosts from an issuer that exists" },
  { name: "routes-point-at-service-ports", scope: "stack", check: backendProblems, description: "every route points at a Service and port that exist (or Traefik's own API)" },
];

/** A rule on the options objects are registered with (protect, custom timeouts) rather than on the objects alone. */
export interface OptionsRule extends Omit<Rule, "check" | "renderOnly"> {
  readonly checkRegistered: (rs: readonly Registered[]) => string[];
}

export const OPTION_RULES: readonly OptionsRule[] = [
  { name: "stateful-data-protected", scope: "stack", checkRegistered: statefulDataProtected, description: "StatefulSets with volumes, and the namespace holding their claims, are protected: a config change cannot delete them" },
  { name: "awaited-long-enough", scope: "resource", checkRegistered: awaitedLongEnough, description: "every StatefulSet is awaited long enough for a cold start of its members, and every Job has a deadline the await outlasts" },
];

/** The rules keyed by their description: the invariant tests' table. */
export function invariantTable(): Record<string, Check> {
  return Object.fromEntries(RULES.map((r) => [r.description, r.check]));
}

/** Every violation of every rule, as "<rule name>: <message>" (what `npm run diff` compares). */
export function violations(ms: readonly Manifest[], rules: readonly Rule[] = RULES): string[] {
  return rules.flatMap((r) => r.check(ms).map((m) => `${r.name}: ${m}`));
}

/** The same for the options rules, on objects with the options they were registered with. */
export function optionViolations(rs: readonly Registered[], rules: readonly OptionsRule[] = OPTION_RULES): string[] {
  return rules.flatMap((r) => r.checkRegistered(rs).map((m) => `${r.name}: ${m}`));
}
