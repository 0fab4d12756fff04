// The system reserve at its boundary: when the percent share equals the k3s floor exactly, the share
// is the reason given ("10%"), as the docs say the reserve is the share unless the floor is larger.
import { systemReserve } from "../../stacks";

const Gi = 2 ** 30;

describe("a share equal to the k3s floor is reported as the share", () => {
  it("a server with 5 CPUs and 15Gi at 10 %: 500m and 1.5Gi, exactly the floors, reported as 10%", () => {
    expect(systemReserve({ cpuMillis: 5000, memoryBytes: 15 * Gi }, "server", 10)).toEqual({ cpuMillis: 500, memoryBytes: 1610612736, cpuReason: "10%", memoryReason: "10%" });
  });

  it("an agent with 2.5 CPUs and 5Gi at 10 %: 250m and 512Mi, exactly the floors, reported as 10%", () => {
    expect(systemReserve({ cpuMillis: 2500, memoryBytes: 5 * Gi }, "agent", 10)).toEqual({ cpuMillis: 250, memoryBytes: 536870912, cpuReason: "10%", memoryReason: "10%" });
  });

  it("one millicore and one byte less and the floor is the reason", () => {
    expect(systemReserve({ cpuMillis: 4999, memoryBytes: 15 * Gi - 1 }, "server", 10)).toEqual({
      cpuMillis: 500,
      memoryBytes: 1610612736,
      cpuReason: "the k3s server floor",
      memoryReason: "the k3s server floor",
    });
  });
});
