// The jest config Stryker runs: every test (unit and tool, jest.config.js `all`) without the global
// setup (nor its teardown), so a mutant whose tests never read a rendered stack does not wait for a render
// (tests/harness.ts renders on first use), and in band: Stryker already runs one jest per core, and a
// run filtered to a few tests gains nothing from spawning workers.
const { all } = require("../jest.config.js");
// Left out: tests of the tooling that need a git checkout or the real node_modules layout, which
// Stryker's sandbox copy is not (they test no code under components/ or stacks/).
const needsCheckout = ["tests/tools/backend.test.ts", "tests/tools/diff-cli.tool.test.ts", "tests/tools/pulumi-runtime.tool.test.ts", "tests/policy/pack-server.tool.test.ts"];
module.exports = {
  ...all,
  rootDir: "..",
  globalSetup: undefined,
  globalTeardown: undefined,
  maxWorkers: 1,
  // Loads only the test files that hold one of a mutant's tests.
  runner: "<rootDir>/stryker/jest-runner.js",
  testPathIgnorePatterns: [...all.testPathIgnorePatterns, ...needsCheckout.map((f) => `<rootDir>/${f}`)],
};
