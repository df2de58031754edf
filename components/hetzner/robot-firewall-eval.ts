/**
 * A model of how the Hetzner Robot firewall judges one packet, for tests and policies: does a
 * stored rule set let SSH in and its answer out, apt and cloudflared out and their answers in?
 *
 * Semantics, from the upstream documentation:
 * - docs.hetzner.com/robot/dedicated-server/firewall ("Introduction", "Firewall rules"):
 *   stateless, each packet's header judged on its own; rules per direction (incoming = `input`,
 *   outgoing = `output`), at most 10 each, applied in their order, the first matching rule's
 *   action decides; "If you activate the firewall before entering any firewall rules, you will
 *   block all incoming traffic", i.e. what no rule accepts is discarded. By default only IPv4
 *   is filtered; IPv6 only with "Filter IPv6 packets" (`filter_ipv6`).
 * - community.hrobot plugins/modules/firewall.py: `ip_version` omitted = both families
 *   (lines 100-104); `tcp_flags` are flags combined with `|` (or) and `&` (and) (lines 128-134);
 *   ICMPv6 cannot be filtered (lines 240-241); an empty output list blocks every outgoing
 *   packet (CHANGELOG.md v1.8.0, issue #75). A rule address without a prefix is one host
 *   (`normalize_ip`, lines 501-511).
 * Not modelled: `whitelist_hos` (Hetzner's own services pass), the `kvm` port.
 */
import { isIPv4 } from "node:net";
import { parseCidr } from "./admin-cidrs";

/** One packet as the switch port sees it. */
export interface Packet {
  /** `input`: to the server; `output`: sent by the server. */
  readonly direction: "input" | "output";
  readonly protocol: "tcp" | "udp" | "icmp";
  readonly src_ip: string;
  readonly dst_ip: string;
  readonly src_port?: number;
  readonly dst_port?: number;
  /** TCP flags set on the packet (`syn`, `ack`, `fin`, `rst`, `psh`, `urg`). */
  readonly tcp_flags?: readonly string[];
}

/** The stored fields of a rule, as GET /firewall answers them (unset fields null). */
export interface StoredRule {
  readonly name?: string | null;
  readonly ip_version?: string | null;
  readonly protocol?: string | null;
  readonly src_ip?: string | null;
  readonly dst_ip?: string | null;
  readonly src_port?: string | null;
  readonly dst_port?: string | null;
  readonly tcp_flags?: string | null;
  readonly action: string;
}

/** The parts of a firewall that decide a packet's fate. */
export interface StoredFirewall {
  readonly status: string;
  readonly filter_ipv6?: boolean;
  readonly rules: { readonly input?: readonly StoredRule[]; readonly output?: readonly StoredRule[] };
}

/** The verdict and why. */
export interface Verdict {
  readonly action: "accept" | "discard";
  /** The matching rule's name, or why no rule was consulted. */
  readonly reason: string;
}

const set = (v: string | null | undefined): v is string => v !== undefined && v !== null && v !== "";

function inCidr(address: string, cidr: string): boolean {
  const host = parseCidr(`${address}/${isIPv4(address) ? 32 : 128}`);
  const net = parseCidr(cidr.includes("/") ? cidr : `${cidr}/${isIPv4(cidr) ? 32 : 128}`);
  return (
    host !== undefined &&
    net !== undefined &&
    host.family === net.family &&
    host.first >= net.first &&
    host.first <= net.last
  );
}

/** `22`, `32768-65535`, or a comma list of those. */
function inPorts(port: number | undefined, spec: string): boolean {
  if (port === undefined) return false;
  return spec.split(",").some((part) => {
    const [from, to] = part.trim().split("-").map(Number);
    return from !== undefined && port >= from && port <= (to ?? from);
  });
}

/** `ack`, `syn|fin`, `syn&ack|rst`: `&` binds tighter than `|`. */
function flagsMatch(packetFlags: readonly string[], expression: string): boolean {
  return expression
    .split("|")
    .some((group) => group.split("&").every((flag) => packetFlags.includes(flag.trim().toLowerCase())));
}

/** True when `rule` matches `packet` (every set field must match). */
export function ruleMatches(rule: StoredRule, packet: Packet): boolean {
  const family = isIPv4(packet.src_ip) ? "ipv4" : "ipv6";
  if (set(rule.ip_version) && rule.ip_version !== family) return false;
  if (set(rule.protocol) && rule.protocol !== packet.protocol) return false;
  if (set(rule.src_ip) && !inCidr(packet.src_ip, rule.src_ip)) return false;
  if (set(rule.dst_ip) && !inCidr(packet.dst_ip, rule.dst_ip)) return false;
  if (set(rule.src_port) && !inPorts(packet.src_port, rule.src_port)) return false;
  if (set(rule.dst_port) && !inPorts(packet.dst_port, rule.dst_port)) return false;
  if (set(rule.tcp_flags)) {
    if (packet.protocol !== "tcp") return false;
    if (!flagsMatch(packet.tcp_flags ?? [], rule.tcp_flags)) return false;
  }
  return true;
}

/** What the Robot firewall does with `packet`. */
export function evaluateRobotFirewall(firewall: StoredFirewall, packet: Packet): Verdict {
  const ipv6 = !isIPv4(packet.src_ip);
  if (firewall.status === "disabled") return { action: "accept", reason: "firewall disabled" };
  if (ipv6 && firewall.filter_ipv6 !== true) return { action: "accept", reason: "IPv6 not filtered" };
  if (ipv6 && packet.protocol === "icmp") return { action: "accept", reason: "ICMPv6 is never filtered" };
  const rules = firewall.rules[packet.direction] ?? [];
  const rule = rules.find((r) => ruleMatches(r, packet));
  if (!rule) return { action: "discard", reason: `no ${packet.direction} rule matches` };
  return { action: rule.action === "accept" ? "accept" : "discard", reason: String(rule.name ?? "") };
}

/** A connection: its first packet and the answer, for flow tables. */
export interface Flow {
  readonly name: string;
  readonly request: Packet;
  readonly reply: Packet;
}

/** The answer to `request`: addresses and ports swapped, direction reversed. */
export function replyTo(request: Packet): Packet {
  return {
    direction: request.direction === "input" ? "output" : "input",
    protocol: request.protocol,
    src_ip: request.dst_ip,
    dst_ip: request.src_ip,
    ...(request.dst_port === undefined ? {} : { src_port: request.dst_port }),
    ...(request.src_port === undefined ? {} : { dst_port: request.src_port }),
    ...(request.protocol === "tcp" ? { tcp_flags: ["syn", "ack"] } : {}),
  };
}

/** A connection from `request` and its answer. */
export function flow(name: string, request: Packet): Flow {
  return { name, request, reply: replyTo(request) };
}
