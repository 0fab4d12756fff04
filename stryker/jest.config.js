// The jest config Stryker runs: every test (unit and tool, jest.config.js `all`) without the global
// setup (nor its teardown), so a mutant whose tests never read a rendered stack does not wait for a render
// (tests/harness.ts renders on first use), and in band: Stryker already runs one jest per core, and a
// run filtered to a few tests gains nothing from spawning workers.
const { all } = require("../jest.config.js");
module.exports = { ...all, rootDir: "..", globalSetup: undefined, globalTeardown: undefined, maxWorkers: 1 };
