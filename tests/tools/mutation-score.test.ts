import { scoresByFolder, scoreTable } from "../../tools/lib/mutation-score";

const mutants = (...statuses: string[]) => ({ mutants: statuses.map((status) => ({ status })) });

describe("mutation score per folder", () => {
  // Computed inside each test, so Stryker sees which test reaches which line (a describe body is "static").
  const rows = () => scoresByFolder({
    files: {
      "components/kit/a.ts": mutants("Killed", "Killed", "Survived", "CompileError", "NoCoverage"),
      "components/kit/b.ts": mutants("Timeout", "Killed", "Ignored"),
      "stacks/x.ts": mutants("Survived", "Survived"),
    },
  }, "/repo");

  it("counts killed and timed-out mutants as detected, leaves type errors out, and shows uncovered ones apart", () => {
    const kit = rows().find((r) => r.folder === "components/kit")!;
    expect(kit).toMatchObject({ killed: 3, timeout: 1, survived: 1, noCoverage: 1, compileError: 1, ignored: 1 });
    expect(kit.score).toBe(80); // 4 / (4 + 1)
    expect(kit.scoreWithUncovered).toBe(66.7); // 4 / (4 + 1 + 1)
  });

  it("rolls nested folders up into their top-level folder and sorts by name", () => {
    expect(rows().map((r) => r.folder)).toEqual(["components/", "components/kit", "stacks"]);
    expect(rows()[0].killed).toBe(3);
    expect(rows()[2].score).toBe(0);
  });

  it("prints one line per folder", () => {
    expect(scoreTable(rows()).split("\n")).toHaveLength(4);
    expect(scoreTable(rows())).toMatch(/components\/kit\s+80\.0%/);
  });
});
