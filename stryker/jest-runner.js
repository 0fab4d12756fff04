// The jest test runner of the mutation run: jest's own, running a mutant's test files fastest first and
// stopping at the first file that fails.
//
// Stryker runs a mutant's tests by name (`testNamePattern`, from the dry run's per-test coverage), not
// by file, so jest would still load every test file — with its imports, ~25 s for the 87 files here —
// to run none of its tests. The dry run (a run of every test, no pattern) records each file's test
// names and duration; a mutant's run then keeps the files with a name the pattern matches, the same
// match jest-circus makes (`new RegExp(pattern, "i")` on the full name); a file the record does not
// know is kept, last.
//
// One failing test kills a mutant, and Stryker asks for no more (its `disableBail` is off): jest has no
// bail for a programmatic run, so the files run one at a time, fastest first, until one fails. A
// surviving mutant still runs every file.
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

/**
 * The test files that can run a test of `pattern`, fastest first: those with a matching name, then
 * those not recorded. `index`: test file → { names, ms }.
 */
function filesFor(tests, pattern, index) {
  const re = new RegExp(pattern, "i");
  const known = (t) => index[t.path] !== undefined;
  const matching = tests.filter((t) => known(t) && index[t.path].names.some((n) => re.test(n)));
  matching.sort((a, b) => index[a.path].ms - index[b.path].ms);
  return [...matching, ...tests.filter((t) => !known(t))];
}

const failed = (result) => result.numFailingTests > 0 || result.testExecError != null;

class MutantFilesRunner extends TestRunner {
  async runTests(tests, watcher, options) {
    const pattern = this._globalConfig.testNamePattern;
    if (pattern) {
      const index = readIndex();
      if (!index) return super.runTests(tests, watcher, options);
      let stop = false;
      const off = [
        this.on("test-file-success", ([, result]) => void (stop ||= failed(result))),
        this.on("test-file-failure", () => void (stop = true)),
      ];
      try {
        for (const test of filesFor(tests, pattern, index)) {
          if (stop || watcher.isInterrupted()) break;
          await super.runTests([test], watcher, options);
        }
      } finally {
        off.forEach((f) => f());
      }
      return;
    }
    // Only the dry run records: a full run under Stryker with no mutant active.
    if (process.env.STRYKER_MUTATOR_WORKER === undefined || process.env.__STRYKER_ACTIVE_MUTANT__ !== undefined) {
      return super.runTests(tests, watcher, options);
    }
    const index = {};
    const off = this.on("test-file-success", ([test, result]) => {
      index[test.path] = { names: result.testResults.map((r) => r.fullName), ms: result.perfStats.runtime };
    });
    try {
      await super.runTests(tests, watcher, options);
    } finally {
      off();
    }
    const tmp = `${INDEX}.${process.pid}`;
    fs.writeFileSync(tmp, JSON.stringify(index));
    fs.renameSync(tmp, INDEX);
  }
}

module.exports = MutantFilesRunner;
module.exports.filesFor = filesFor;
module.exports.failed = failed;
