// stryker/jest-runner.js: which test files a mutant's run loads. Stryker names a mutant's tests as an
// alternation of escaped full names; jest-circus matches it case-insensitively anywhere in a name.
const { filesFor } = require("../../stryker/jest-runner.js") as {
  filesFor: (tests: { path: string }[], pattern: string, index: Record<string, string[]>) => { path: string }[];
};

const index = {
  "/t/a.test.ts": ["ports each Service port targets its container port", "ports refuses a port no container has"],
  "/t/b.test.ts": ["placement pins a volume to its node"],
  "/t/c.test.ts": [],
};
const tests = ["/t/a.test.ts", "/t/b.test.ts", "/t/c.test.ts", "/t/new.test.ts"].map((path) => ({ path }));
const paths = (pattern: string) => filesFor(tests, pattern, index).map((t) => t.path);

describe("the test files a mutant's run loads", () => {
  it("keeps a file with a test the pattern names, drops files with none", () => {
    expect(paths("(ports refuses a port no container has)")).toEqual(["/t/a.test.ts", "/t/new.test.ts"]);
  });

  it("keeps every file one of the alternatives names", () => {
    expect(paths("(ports refuses a port no container has)|(placement pins a volume to its node)")).toEqual(["/t/a.test.ts", "/t/b.test.ts", "/t/new.test.ts"]);
  });

  it("matches as jest-circus does: anywhere in the name, ignoring case", () => {
    expect(paths("(PINS A VOLUME)")).toEqual(["/t/b.test.ts", "/t/new.test.ts"]);
  });

  it("keeps a file the dry run did not record (added since), and drops one with no tests", () => {
    expect(paths("(nothing of this name)")).toEqual(["/t/new.test.ts"]);
  });
});
