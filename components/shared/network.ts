/**
 * Address ranges shared by the network policies: what "the internet" means for egress rules.
 */

/** Private and special-purpose IPv4 ranges: never the internet. */
export const PRIVATE_IPV4_RANGES = [
  "10.0.0.0/8",
  "172.16.0.0/12",
  "192.168.0.0/16",
  "100.64.0.0/10",
  "169.254.0.0/16",
];
/** Private and link-local IPv6 ranges. */
export const PRIVATE_IPV6_RANGES = ["fc00::/7", "fe80::/10"];

/** A NetworkPolicy peer for the IPv4 internet, excluding private ranges and `extra`. */
export function internetIpv4(extra: readonly string[] = []): { ipBlock: { cidr: string; except: string[] } } {
  return { ipBlock: { cidr: "0.0.0.0/0", except: [...new Set([...PRIVATE_IPV4_RANGES, ...extra])] } };
}

/** A NetworkPolicy peer for the IPv6 internet, excluding private ranges and `extra`. */
export function internetIpv6(extra: readonly string[] = []): { ipBlock: { cidr: string; except: string[] } } {
  return { ipBlock: { cidr: "::/0", except: [...new Set([...PRIVATE_IPV6_RANGES, ...extra])] } };
}
