// The jest test runner of the mutation run: jest's own, minus the test files that hold none of a
// mutant's tests.
//
// Stryker runs a mutant's tests by name (`testNamePattern`, from the dry run's per-test coverage), not
// by file, so jest would still load every test file — with its imports, ~25 s for the 87 files here —
// to run none of its tests. The dry run (a run of every test, no pattern) records each file's test
// names; a mutant's run then keeps the files with a name the pattern matches, the same match jest-circus
// makes (`new RegExp(pattern, "i")` on the full name). Which tests run is unchanged; a file the record
// does not know is kept.
const fs = require("node:fs");
const path = require("node:path");
const TestRunner = require("jest-runner").default;

// In the sandbox Stryker copies the project to (stryker/ there), removed with it.
const INDEX = path.join(__dirname, ".test-names.json");

function readIndex() {
  try {
    return JSON.parse(fs.readFileSync(INDEX, "utf8"));
  } catch {
    return undefined;
  }
}

/** The test files that can run a test of `pattern`: those with a matching name, and those not recorded. */
function filesFor(tests, pattern, index) {
  const re = new RegExp(pattern, "i");
  return tests.filter((t) => {
    const names = index[t.path];
    return names === undefined || names.some((n) => re.test(n));
  });
}

class MutantFilesRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    const pattern = this._globalConfig.testNamePattern;
    if (pattern) {
      const index = readIndex();
      return super.runTests(index ? filesFor(tests, pattern, index) : tests, watcher, options);
    }
    // Only the dry run records: a full run under Stryker with no mutant active.
    if (process.env.STRYKER_MUTATOR_WORKER === undefined || process.env.__STRYKER_ACTIVE_MUTANT__ !== undefined) {
      return super.runTests(tests, watcher, options);
    }
    const names = {};
    const off = this.on("test-file-success", ([test, result]) => {
      names[test.path] = result.testResults.map((r) => r.fullName);
    });
    try {
      await super.runTests(tests, watcher, options);
    } finally {
      off();
    }
    const tmp = `${INDEX}.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(names));
    fs.renameSync(tmp, INDEX);
  }
}

module.exports = MutantFilesRunner;
module.exports.filesFor = filesFor;
