// Mutation testing (`npm run mutate`): how well the suite catches small bugs in components/ and stacks/.
// Not part of CI: a full run takes far longer than the suite (see README, "Mutation testing").
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  packageManager: "npm",
  testRunner: "jest",
  // Not jest's --findRelatedTests: it follows imports only inside `roots` (tests/ and the mutated file's
  // folder), so a kit file reached through stacks/ or another component looked untested (settings.ts's
  // mutants ran no test at all). The per-test coverage picks each mutant's tests, and
  // stryker/jest-runner.js loads only their files.
  jest: { projectType: "custom", configFile: "stryker/jest.config.js", enableFindRelatedTests: false },
  checkers: ["typescript"],
  tsconfigFile: "stryker/tsconfig.json",
  // Mutants the type checker rejects could never ship: they are excluded from the score.
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  mutate: ["components/**/*.ts", "stacks/**/*.ts"],
  // Only the tests that ran a mutant's code are run against it.
  coverageAnalysis: "perTest",
  // Results of earlier runs are kept in the repository, so the next run mutates only what changed.
  incremental: true,
  incrementalFile: "stryker/incremental.json",
  reporters: ["json", "clear-text", "progress"],
  jsonReporter: { fileName: "reports/mutation/mutation.json" },
  clearTextReporter: { allowColor: false, logTests: false, reportMutants: false, reportScoreTable: true },
  // Static mutants (module-level constants) would each run the whole suite: left out, and counted in the report as ignored.
  ignoreStatic: true,
  concurrency: 2,
  timeoutMS: 60000,
  // The first full run renders every stack in several test files; on a busy 2-core machine it takes minutes.
  dryRunTimeoutMinutes: 30,
  tempDirName: ".stryker-tmp",
  cleanTempDir: "always",
};
