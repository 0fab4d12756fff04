// The offline tools validate a stack file, then run the program, which validates it again: the second
// pass reuses the first result. The reuse must never hand back a result for other inputs.
import { ConfigError, validateConfig } from "../../stacks";
import { readStackFile } from "../../tools/lib/stack-file";

const sf = readStackFile("homelab");
const validate = (config: Record<string, string>) => validateConfig(sf.stack, config, sf.secretKeys, { requireSecrets: false });

describe("validateConfig run twice on the same stack", () => {
  it("returns the same config, and a warning list of its own each time", () => {
    const a = validate(sf.config);
    const b = validate({ ...sf.config });
    expect(b.config).toBe(a.config);
    a.warnings.push("added by a caller");
    expect(b.warnings).not.toContain("added by a caller");
    expect(validate(sf.config).warnings).not.toContain("added by a caller");
  });

  it("validates a changed config again, not the one before", () => {
    const before = validate(sf.config);
    const changed = { ...sf.config, "homelab:domain": JSON.stringify("other.example.net") };
    const after = validate(changed);
    expect(after.config.domain).toBe("other.example.net");
    expect(before.config.domain).not.toBe("other.example.net");
    expect(validate(sf.config).config.domain).toBe(before.config.domain);
  });

  it("reports a broken config every time it is asked, even right after a valid one", () => {
    const broken = { ...sf.config, "homelab:domain": JSON.stringify("Not A Domain") };
    validate(sf.config);
    expect(() => validate(broken)).toThrow(ConfigError);
    expect(() => validate(broken)).toThrow(/domain/);
  });
});
