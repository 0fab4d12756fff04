/** Unit and invariant tests. Integration tests (real PostgreSQL/Patroni/etcd) run from tests/integration/run.sh. */
module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/tests"],
  testMatch: ["**/*.test.ts"],
  testPathIgnorePatterns: ["/node_modules/", "/tests/integration/"],
  transform: { "^.+\\.ts$": ["@swc/jest", { jsc: { target: "es2022", parser: { syntax: "typescript" } } }] },
  globalSetup: "<rootDir>/tests/global-setup.ts",
  testTimeout: 30000,
};
