/**
 * Pure defaults for how pod traffic travels between nodes and how Secrets are stored.
 *
 * Flannel's default backend (VXLAN) sends pod traffic between nodes unencrypted, which k3s's
 * maintainers call unsuitable across the public internet. Addresses on a private network (RFC 1918,
 * IPv6 ULA) or on a Tailscale tailnet (100.64.0.0/10, fd7a:115c:a1e0::/48 inside the ULA range) do
 * not cross the internet in clear: tailnet traffic already travels inside WireGuard, so a second
 * encryption layer would only cost CPU and MTU.
 */
import { isIP } from "net";

/** Flannel backends k3s supports (k3s `flannel-backend`). */
export const FLANNEL_BACKENDS = ["vxlan", "wireguard-native", "host-gw", "none"] as const;
export type FlannelBackend = (typeof FLANNEL_BACKENDS)[number];

/**
 * Secrets are encrypted at rest (k3s `secrets-encryption`) unless a stack says otherwise. k3s does
 * not support starting without encryption and enabling it later, so the default is on from the
 * first `pulumi up`.
 */
export const DEFAULT_SECRETS_ENCRYPTION = true;

function ipv4Number(ip: string): number {
  return ip.split(".").reduce((n, part) => n * 256 + Number(part), 0);
}

function inIpv4Block(ip: string, base: string, prefix: number): boolean {
  const size = 2 ** (32 - prefix);
  return Math.floor(ipv4Number(ip) / size) === Math.floor(ipv4Number(base) / size);
}

/** The first 16 bits of an IPv6 address (enough for the blocks below). */
function ipv6FirstHextet(ip: string): number {
  const head = ip.split("::")[0].split(":")[0];
  return head === "" ? 0 : parseInt(head, 16);
}

const PRIVATE_IPV4: readonly (readonly [string, number])[] = [
  ["10.0.0.0", 8], ["172.16.0.0", 12], ["192.168.0.0", 16], // RFC 1918
  ["100.64.0.0", 10], // shared address space: Tailscale's CGNAT range
  ["127.0.0.0", 8], ["169.254.0.0", 16], // loopback, link-local
];

/**
 * True when traffic to `ip` stays off the public internet: RFC 1918, Tailscale's 100.64.0.0/10,
 * loopback and link-local; for IPv6 the ULA block fc00::/7 (which holds Tailscale's
 * fd7a:115c:a1e0::/48), link-local fe80::/10 and ::1. Anything else, or a non-address, is public.
 */
export function isPrivateNodeAddress(ip: string): boolean {
  const family = isIP(ip);
  if (family === 4) return PRIVATE_IPV4.some(([base, prefix]) => inIpv4Block(ip, base, prefix));
  if (family === 6) {
    if (ip === "::1") return true;
    const first = ipv6FirstHextet(ip);
    return (first & 0xfe00) === 0xfc00 || (first & 0xffc0) === 0xfe80;
  }
  return false;
}

/**
 * The flannel backend a cluster gets when its args name none: `wireguard-native` (encrypted) as
 * soon as two nodes talk to each other over a public address, else `vxlan`. Nodes reach each
 * other at their `nodeIp` (k3s `node-ip`, which flannel uses as the tunnel endpoint), so one public
 * `nodeIp` in a cluster of two or more nodes is enough; a single node has no peer to talk to.
 */
export function defaultFlannelBackend(nodeIps: readonly string[]): FlannelBackend {
  const peers = new Set(nodeIps);
  if (peers.size < 2) return "vxlan";
  return [...peers].some((ip) => !isPrivateNodeAddress(ip)) ? "wireguard-native" : "vxlan";
}
