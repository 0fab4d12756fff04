// The jest config Stryker runs: the project's own without the global setup, so a mutant whose tests
// never read a rendered stack does not wait for a render (tests/harness.ts renders on first use), and
// in band: Stryker already runs one jest per core, and a run filtered to a few tests gains nothing
// from spawning workers.
const base = require("../jest.config.js");
module.exports = { ...base, rootDir: "..", globalSetup: undefined, maxWorkers: 1 };
