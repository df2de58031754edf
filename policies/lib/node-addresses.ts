/**
 * The node addresses a stack declares, read from the resources a stack policy sees (outputs under
 * the real engine, where a node's addresses are known once it exists):
 * - the DNS-only node name records (components/edge/node-names.ts: `content` is the node's IPv4,
 *   the comment starts with "enclii-infra: node address");
 * - hcloud servers' `ipv4Address`, `ipv6Address` and `ipv6Network` (@pulumi/hcloud Server outputs);
 * - Robot servers' `serverIp` and `serverIpv6Net` (components/hetzner/robot-resources.ts
 *   RobotServerName outputs) and the reverse DNS record's `ip`.
 * A value that is not an address (an unknown during preview, an empty string) is skipped.
 */
import { isIP } from "node:net";
import type { PolicyResource } from "@pulumi/policy";

const NODE_ADDRESS_COMMENT = "enclii-infra: node address";
const DNS_RECORD = "cloudflare:index/dnsRecord:DnsRecord";
const HCLOUD_SERVER = "hcloud:index/server:Server";
const ROBOT_SERVER_NAME = "pulumi-nodejs:dynamic/enclii:RobotServerName";
const ROBOT_RDNS = "pulumi-nodejs:dynamic/enclii:RobotReverseDns";

/** One address to probe and where it came from. */
export interface NodeAddress {
  readonly address: string;
  readonly source: string;
}

/**
 * Addresses to probe for a value: an address itself, or for a prefix (an IPv6 /64) its network
 * address and the `::1` Hetzner configures on the server.
 */
export function probeAddresses(value: unknown): string[] {
  if (typeof value !== "string" || value === "") return [];
  const [address = "", prefix] = value.split("/");
  if (isIP(address) === 0) return [];
  if (prefix === undefined) return [address];
  if (isIP(address) === 6) return [address, address.endsWith("::") ? `${address}1` : address];
  return [address];
}

/** Every node address of the stack, with the resource it came from. */
export function nodeAddresses(resources: readonly PolicyResource[]): NodeAddress[] {
  const out = new Map<string, NodeAddress>();
  const add = (value: unknown, source: string) => {
    for (const address of probeAddresses(value)) if (!out.has(address)) out.set(address, { address, source });
  };
  for (const r of resources) {
    const p = r.props;
    if (r.type === DNS_RECORD && String(p.comment ?? "").startsWith(NODE_ADDRESS_COMMENT)) {
      add(p.content, `DNS record ${p.name}`);
    } else if (r.type === HCLOUD_SERVER) {
      for (const key of ["ipv4Address", "ipv6Address", "ipv6Network"]) add(p[key], `hcloud server ${p.name}`);
    } else if (r.type === ROBOT_SERVER_NAME) {
      for (const key of ["serverIp", "serverIpv6Net"]) add(p[key], `Robot server ${p.serverNumber}`);
    } else if (r.type === ROBOT_RDNS) {
      add(p.ip, `Robot server ${p.serverNumber}`);
    }
  }
  return [...out.values()];
}
