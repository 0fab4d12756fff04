// sortedYaml's promises to the charts and diffs that read it: keys sorted at every level, no line
// folded however long, and an object shared by two keys written out twice (no &anchor/*alias).
import { sortedYaml } from "../../components/kit";

describe("sortedYaml", () => {
  it("sorts keys at every level, never folds a long line, and writes a shared object out in full each time", () => {
    const shared = { port: 80 };
    const long = "a".repeat(40) + " " + "b".repeat(40) + " " + "c".repeat(40);
    expect(sortedYaml({ zeta: long, alpha: { two: shared, one: shared } })).toBe(
      [
        "alpha:",
        "  one:",
        "    port: 80",
        "  two:",
        "    port: 80",
        `zeta: ${"a".repeat(40)} ${"b".repeat(40)} ${"c".repeat(40)}`,
        "",
      ].join("\n"),
    );
  });
});
