// manifests.yaml is printed by our own writer (tools/lib/block-yaml.ts): whatever it prints must read
// back as exactly the manifest, by a YAML 1.2 reader and by a YAML 1.1 one (kubectl's), for every
// stack and for strings chosen to trip a writer up.
import * as fs from "node:fs";
import * as path from "node:path";
import YAML from "yaml";
import { blockYaml } from "../../tools/lib/block-yaml";
import { isKubernetes, manifestsOf } from "../../tools/lib/manifests";
import { allStacks, renderDir } from "../harness";

const read = (text: string, version: "1.1" | "1.2") => YAML.parseAllDocuments(text, { version }).map((d) => {
  if (d.errors.length) throw new Error(d.errors.map((e) => e.message).join("; "));
  return d.toJSON();
});

/** The value as JSON keeps it (undefined dropped). */
const asJson = (v: unknown) => JSON.parse(JSON.stringify(v));

function roundTrips(value: Record<string, unknown>): void {
  const text = blockYaml(value);
  for (const version of ["1.2", "1.1"] as const) expect({ version, value: read(text, version)[0] }).toEqual({ version, value: asJson(value) });
}

/** Strings a YAML reader could take for something else, or that need quoting, folding or a block. */
const TRICKY = [
  "", " ", "on", "off", "On", "OFF", "yes", "no", "y", "N", "true", "False", "null", "Null", "~", "=", "<<",
  "0", "0755", "-1", "+1", "1_000", "1.", ".5", "1e3", "1E-3", "0x1F", "0o17", "0b101", "1:30", "190:20:30", "1:30.5",
  ".inf", "-.Inf", ".nan", "2026-01-01", "2026-1-1 12:00:00", "12:00", " lead", "trail ", "a: b", "a:", ":a", "a #b",
  "#c", "a#b", "- x", "-", "--", "--config=x", "---", "...", "?", "? x", "*a", "&a", "!t", "|", ">", "%x", "@x", "`x",
  "[a]", "{a}", "a,b", "'q'", '"d"', "it's", "<redacted>", "http://a:80/x?y=1&z", "a\nb", "a\n", "a\n\n", "a\n\n\n",
  "\n", "\na", "a\n  \nb", "a\n\tb", "\tx\ny", " x\ny", "x\n y\n", "x\r\ny", "caf\u00e9", "caf\u00e9\nbar",
  "a\u2028b", "a\u0085b", "bom\ufeff", "tab\there", "emoji \ud83d\ude00\nz", "lone \ud800", "a\u0000b", "x\n#not a comment\n",
  "key: value\n- item\n", "   \n", "a\n ",
];

describe("block-yaml: the writer of manifests.yaml", () => {
  it.each(TRICKY.map((s) => [JSON.stringify(s), s]))("reads back %s as that string, as a value, a list item and a key", (_, s) => {
    roundTrips({ v: s, list: [s, [s]], nested: { [s]: s, items: [{ [s]: s }] } });
  });

  it("prints each tricky string the same as a YAML writer would read it: an unquoted `on` would reach kubectl as false", () => {
    expect(blockYaml({ value: "off" })).toBe("value: 'off'\n");
    expect(blockYaml({ port: "5432" })).toBe("port: '5432'\n");
    expect(blockYaml({ mode: "0755" })).toBe("mode: '0755'\n");
    expect(read(blockYaml({ value: "off" }), "1.1")[0]).toEqual({ value: "off" });
  });

  it("writes maps with sorted keys, lists under their key, empty collections inline, and drops undefined", () => {
    const text = blockYaml({ b: 1, a: { w: [1, { p: "x", m: [] }], v: {} }, c: undefined, d: [[1, 2], []], e: null, f: true });
    expect(text).toBe(["a:", "  v: {}", "  w:", "    - 1", "    - m: []", "      p: x", "b: 1", "d:", "  -", "    - 1", "    - 2", "  - []", "e: null", "f: true", ""].join("\n"));
  });

  it("writes text over several lines as a literal block, keeping its final line breaks exactly", () => {
    expect(blockYaml({ s: "a\nb" })).toBe("s: |-\n  a\n  b\n");
    expect(blockYaml({ s: "a\nb\n" })).toBe("s: |\n  a\n  b\n");
    expect(blockYaml({ s: "a\n\nb\n\n" })).toBe("s: |+\n  a\n\n  b\n\n");
    expect(blockYaml({ s: "a\n  \nb" })).toBe('s: "a\\n  \\nb"\n');
  });

  it("refuses what JSON cannot hold", () => {
    expect(() => blockYaml({ n: Number.NaN })).toThrow(/NaN is not a JSON number/);
    expect(() => blockYaml({ f: () => 1 })).toThrow(/function is not JSON data/);
    expect(() => blockYaml([] as unknown as Record<string, unknown>)).toThrow(/a manifest is a map/);
  });

  it("reads back random documents built from the characters YAML treats specially (seeded, 1,500 cases)", () => {
    let seed = 20261203;
    const next = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648);
    const alphabet = ["a", "y", "o", "n", "0", "1", ".", ":", " ", "#", "-", "\n", "\t", "'", '"', "~", "{", "[", "\r", "\u00e9", "|", ">", "!", "&", "*", "%", "@", "`", ",", "?", "<", "=", "_", "x"];
    const str = () => Array.from({ length: Math.floor(next() * 8) }, () => alphabet[Math.floor(next() * alphabet.length)]).join("");
    const value = (depth: number): unknown => {
      const r = next();
      if (depth > 2 || r < 0.5) return r < 0.4 ? str() : r < 0.45 ? Math.floor(next() * 2000) - 1000 : r < 0.48 ? next() < 0.5 : null;
      if (r < 0.75) return Array.from({ length: Math.floor(next() * 3) }, () => value(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(next() * 3) }, () => [str(), value(depth + 1)]));
    };
    for (let i = 0; i < 1500; i++) roundTrips({ [str()]: value(0), k: value(0) });
  });

  it("manifests.yaml of every stack reads back, under YAML 1.2 and 1.1, as exactly the manifests the program registered", () => {
    for (const s of allStacks()) {
      const text = fs.readFileSync(path.join(renderDir(), s.stack, "manifests.yaml"), "utf8");
      const registered = asJson(manifestsOf(s.resources.filter(isKubernetes)));
      expect(registered.length).toBeGreaterThan(10);
      for (const version of ["1.2", "1.1"] as const) expect({ stack: s.stack, version, manifests: read(text, version) }).toEqual({ stack: s.stack, version, manifests: registered });
    }
  });
});
