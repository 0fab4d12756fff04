/**
 * Unit and invariant tests: `npm test` (after tsc). Tests that start processes — the tools' command
 * lines, shell scripts run for real, shellcheck — are named *.tool.test.ts and run apart
 * (jest.tools.config.js, `npm run test:tools`). Integration tests (real PostgreSQL/Patroni/etcd) run
 * from tests/integration/run.sh.
 */
const base = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/tests/integration/"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } } }] },
  globalSetup: "<rootDir>/tests/global-setup.ts",
  globalTeardown: "<rootDir>/tests/global-teardown.js",
  testTimeout: 30000,
};

module.exports = { ...base, testPathIgnorePatterns: [...base.testPathIgnorePatterns, "\\.tool\\.test\\.ts$"] };
// Every test, unit and tool: what jest.tools.config.js and the mutation run's config start from
// (not enumerable, so jest does not read it as an option).
Object.defineProperty(module.exports, "all", { value: base });
