import { DEFAULT_SECRETS_ENCRYPTION, defaultFlannelBackend, isPrivateNodeAddress } from "../../components/cluster/network";
import { resolveCluster } from "../../components/cluster/validate";
import { devArgs, homelabArgs, prodArgs } from "./fixtures";

describe("isPrivateNodeAddress", () => {
  test.each([
    ["10.0.0.1", true], ["10.255.255.255", true], ["172.16.0.1", true], ["172.31.255.254", true],
    ["192.168.56.10", true], ["100.64.0.1", true], ["100.81.76.55", true], ["100.127.255.254", true],
    ["127.0.0.1", true], ["169.254.1.1", true],
    ["fd7a:115c:a1e0::1", true], ["fc00::1", true], ["fe80::1", true], ["::1", true],
    // Just outside each block, and ordinary public addresses.
    ["9.255.255.255", false], ["11.0.0.1", false], ["172.15.255.255", false], ["172.32.0.1", false],
    ["192.167.1.1", false], ["192.169.1.1", false], ["100.63.255.255", false], ["100.128.0.1", false],
    ["5.78.103.224", false], ["178.156.186.10", false], ["2001:db8::1", false], ["2a01:4f8::1", false],
    ["fec0::1", false], ["not-an-ip", false],
  ])("%s → %s", (ip, expected) => {
    expect(isPrivateNodeAddress(ip)).toBe(expected);
  });
});

describe("defaultFlannelBackend", () => {
  test("wireguard-native as soon as two nodes talk over a public address", () => {
    expect(defaultFlannelBackend(["5.78.103.224", "5.161.110.205", "178.156.186.10"])).toBe("wireguard-native");
    expect(defaultFlannelBackend(["10.0.0.1", "203.0.113.7"])).toBe("wireguard-native");
    expect(defaultFlannelBackend(["100.81.76.55", "2a01:4f8::1"])).toBe("wireguard-native");
  });

  test("vxlan on a LAN, on Tailscale (already WireGuard), and for a single node", () => {
    expect(defaultFlannelBackend(["100.81.76.55", "100.86.122.109"])).toBe("vxlan");
    expect(defaultFlannelBackend(["192.168.1.10", "10.0.0.2", "fd7a:115c:a1e0::3"])).toBe("vxlan");
    expect(defaultFlannelBackend(["5.78.103.224"])).toBe("vxlan");
    expect(defaultFlannelBackend([])).toBe("vxlan");
  });

  test("the cluster uses it when its args name no backend, and an explicit backend wins", () => {
    expect(resolveCluster(prodArgs()).flannelBackend).toBe("wireguard-native");
    expect(resolveCluster(homelabArgs()).flannelBackend).toBe("vxlan");
    expect(resolveCluster({ ...prodArgs(), flannelBackend: "vxlan" }).flannelBackend).toBe("vxlan");
  });
});

describe("secrets encryption", () => {
  test("on unless the args turn it off", () => {
    expect(DEFAULT_SECRETS_ENCRYPTION).toBe(true);
    expect(resolveCluster(devArgs()).secretsEncryption).toBe(true);
    expect(resolveCluster({ ...devArgs(), secretsEncryption: false }).secretsEncryption).toBe(false);
  });

  test("bad values are refused, naming the field", () => {
    expect(() => resolveCluster({ ...devArgs(), secretsEncryption: "yes" as never })).toThrow(/secretsEncryption: yes must be true or false/);
    expect(() => resolveCluster({ ...prodArgs(), flannelBackend: "ipsec" as never })).toThrow(/flannelBackend: "ipsec" must be one of vxlan, wireguard-native, host-gw, none/);
    expect(() => resolveCluster({ ...devArgs(), installTimeoutSeconds: 0 })).toThrow(/installTimeoutSeconds: 0 must be a positive integer/);
  });
});
