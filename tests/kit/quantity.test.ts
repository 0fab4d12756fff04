// Kubernetes quantities as the API server reads them, and as the render prints them back.
import { formatBytes, formatMillicores, parseBytes, parseMillicores } from "../../components/kit";

const Mi = 2 ** 20;
const Gi = 2 ** 30;

describe("memory and storage quantities", () => {
  it("reads binary and decimal suffixes and plain bytes", () => {
    expect(parseBytes("512Mi")).toBe(512 * Mi);
    expect(parseBytes("1.5Gi")).toBe(1.5 * Gi);
    expect(parseBytes("1G")).toBe(1e9);
    expect(parseBytes("2k")).toBe(2000);
    expect(parseBytes("1073741824")).toBe(Gi);
  });

  it("refuses a CPU quantity (m is milli, not mega) and anything malformed", () => {
    expect(parseBytes("500m")).toBeUndefined();
    expect(parseBytes("1GB")).toBeUndefined();
    expect(parseBytes("")).toBeUndefined();
    expect(parseBytes("-1Gi")).toBeUndefined();
  });

  it("prints whole mebibytes below a gibibyte and gibibytes (two decimals at most, no trailing zeros) from one", () => {
    expect(formatBytes(512 * Mi)).toBe("512Mi");
    expect(formatBytes(Gi - Mi)).toBe("1023Mi");
    expect(formatBytes(Gi)).toBe("1Gi");
    expect(formatBytes(10 * Gi)).toBe("10Gi");
    expect(formatBytes(1.5 * Gi)).toBe("1.5Gi");
    expect(formatBytes(2.25 * Gi)).toBe("2.25Gi");
    expect(formatBytes(0)).toBe("0Mi");
  });
});

describe("CPU quantities", () => {
  it("reads millicores and cores", () => {
    expect(parseMillicores("250m")).toBe(250);
    expect(parseMillicores("2")).toBe(2000);
    expect(parseMillicores("0.5")).toBe(500);
    expect(parseMillicores(3)).toBe(3000);
  });

  it("refuses a memory suffix on a CPU quantity, and anything malformed", () => {
    expect(parseMillicores("1Gi")).toBeUndefined();
    expect(parseMillicores("2k")).toBeUndefined();
    expect(parseMillicores("one")).toBeUndefined();
  });

  it("prints whole cores as cores and the rest as whole millicores", () => {
    expect(formatMillicores(2000)).toBe("2");
    expect(formatMillicores(0)).toBe("0");
    expect(formatMillicores(1500)).toBe("1500m");
    expect(formatMillicores(250.4)).toBe("250m");
  });
});
