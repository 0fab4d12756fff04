// stryker/jest-runner.js: which test files a mutant's run loads, in which order, and when it stops.
// Stryker names a mutant's tests as an alternation of escaped full names; jest-circus matches it
// case-insensitively anywhere in a name.
const { filesFor, failed } = require("../../stryker/jest-runner.js") as {
  filesFor: (tests: { path: string }[], pattern: string, index: Record<string, { names: string[]; ms: number }>) => { path: string }[];
  failed: (result: { numFailingTests: number; testExecError?: unknown }) => boolean;
};

const index = {
  "/t/slow.test.ts": { names: ["ports each Service port targets its container port", "ports refuses a port no container has"], ms: 900 },
  "/t/fast.test.ts": { names: ["placement pins a volume to its node", "ports refuses a port no container has, again"], ms: 40 },
  "/t/empty.test.ts": { names: [], ms: 1 },
};
const tests = ["/t/new.test.ts", "/t/slow.test.ts", "/t/fast.test.ts", "/t/empty.test.ts"].map((path) => ({ path }));
const paths = (pattern: string) => filesFor(tests, pattern, index).map((t) => t.path);

describe("the test files a mutant's run loads", () => {
  it("keeps a file with a test the pattern names, drops files with none", () => {
    expect(paths("(ports each Service port targets its container port)")).toEqual(["/t/slow.test.ts", "/t/new.test.ts"]);
  });

  it("runs the fastest matching file first, files the dry run did not record (added since) last", () => {
    expect(paths("(ports refuses a port no container has)")).toEqual(["/t/fast.test.ts", "/t/slow.test.ts", "/t/new.test.ts"]);
  });

  it("keeps every file one of the alternatives names", () => {
    expect(paths("(ports each Service port targets)|(placement pins a volume to its node)")).toEqual(["/t/fast.test.ts", "/t/slow.test.ts", "/t/new.test.ts"]);
  });

  it("matches as jest-circus does: anywhere in the name, ignoring case", () => {
    expect(paths("(PINS A VOLUME)")).toEqual(["/t/fast.test.ts", "/t/new.test.ts"]);
  });

  it("drops a recorded file with no tests", () => {
    expect(paths("(nothing of this name)")).toEqual(["/t/new.test.ts"]);
  });

  it("stops after a file with a failing test or one that could not run, not after a passing one", () => {
    expect(failed({ numFailingTests: 1 })).toBe(true);
    expect(failed({ numFailingTests: 0, testExecError: { message: "Cannot find module" } })).toBe(true);
    expect(failed({ numFailingTests: 0 })).toBe(false);
    expect(failed({ numFailingTests: 0, testExecError: null })).toBe(false);
  });
});
