// The jest config Stryker runs: the project's own without the global setup, so a mutant whose tests
// never read a rendered stack does not wait for a render (tests/harness.ts renders on first use).
const base = require("../jest.config.js");
module.exports = { ...base, rootDir: "..", globalSetup: undefined };
