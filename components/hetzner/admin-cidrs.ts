/**
 * The rules every admin CIDR list obeys, wherever SSH (22) and the Kubernetes API (6443) are
 * opened to it: the hcloud firewall, the Robot firewall, the stack config and the policy pack.
 *
 * - A prefix shorter than /16 (IPv4) or /32 (IPv6) is refused unless `access.allowWideCidrs`
 *   acknowledges it: a /8 is 16 million addresses, nobody's office.
 * - A list whose union covers a whole address family (`0.0.0.0/0`, `::/0`, or e.g.
 *   `0.0.0.0/1` + `128.0.0.0/1`) is "the world" and always refused, flag or not.
 * - A CIDR with host bits set (`198.51.100.7/24`) is refused with its network as the fix: Robot
 *   and hcloud keep a firewall's addresses as they store them, and a rule the plan writes one
 *   way but the service reads back another drifts on every refresh (community.hrobot
 *   plugins/modules/firewall.py `normalize_ip`, lines 501-512, normalizes both sides before it
 *   compares; robot-provider.ts does the same for the text form).
 *
 * Pure functions with no imports but `node:net`, so the policy pack can use them as well.
 */
import { isIPv4, isIPv6 } from "node:net";

/** The shortest IPv4 prefix accepted without `allowWideCidrs`. */
export const MIN_IPV4_PREFIX = 16;
/** The shortest IPv6 prefix accepted without `allowWideCidrs`. */
export const MIN_IPV6_PREFIX = 32;

/** Options of {@link adminCidrProblems}. */
export interface AdminCidrOptions {
  /**
   * Accept prefixes shorter than /16 (IPv4) or /32 (IPv6); the world stays refused.
   * @default false
   */
  readonly allowWideCidrs?: boolean;
}

/** One problem with one entry (`index`) or with the whole list (`index` undefined). */
export interface AdminCidrProblem {
  readonly index?: number;
  /**
   * `world`: the list covers a whole address family; `wide`: a prefix needing the flag;
   * `host-bits`: bits set past the prefix (write the network instead).
   */
  readonly kind: "world" | "wide" | "host-bits";
  readonly message: string;
}

/** A parsed CIDR: its family and the first and last address as big integers. */
interface CidrRange {
  readonly family: 4 | 6;
  readonly prefix: number;
  readonly first: bigint;
  readonly last: bigint;
}

function ipv4ToBigInt(address: string): bigint {
  return address.split(".").reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToBigInt(address: string): bigint {
  let text = address;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const v4 = text.match(/(\d+\.\d+\.\d+\.\d+)$/)?.[1];
  if (v4) {
    const n = ipv4ToBigInt(v4);
    text = `${text.slice(0, -v4.length)}${(n >> 16n).toString(16)}:${(n & 0xffffn).toString(16)}`;
  }
  const [head = "", tail] = text.split("::");
  const headParts = head ? head.split(":") : [];
  const tailParts = tail ? tail.split(":") : [];
  const missing = 8 - headParts.length - tailParts.length;
  const parts = tail === undefined ? headParts : [...headParts, ...Array(missing).fill("0"), ...tailParts];
  return parts.reduce((acc, hextet) => (acc << 16n) | BigInt(Number.parseInt(hextet || "0", 16)), 0n);
}

/** The address of `value` as text: dotted IPv4, or IPv6 in RFC 5952 form (lowercase, `::`). */
function formatAddress(value: bigint, family: 4 | 6): string {
  if (family === 4) return [24n, 16n, 8n, 0n].map((s) => String((value >> s) & 0xffn)).join(".");
  const hextets = [112n, 96n, 80n, 64n, 48n, 32n, 16n, 0n].map((s) => Number((value >> s) & 0xffffn));
  // RFC 5952 4.2: the longest run of two or more zero hextets (the first of equals) becomes `::`.
  let best = { at: -1, length: 1 };
  for (let i = 0; i < 8; ) {
    let j = i;
    while (j < 8 && hextets[j] === 0) j++;
    if (j - i > best.length) best = { at: i, length: j - i };
    i = j === i ? i + 1 : j;
  }
  const text = hextets.map((h) => h.toString(16));
  if (best.at < 0) return text.join(":");
  return `${text.slice(0, best.at).join(":")}::${text.slice(best.at + best.length).join(":")}`;
}

/**
 * The canonical form of a CIDR: its network address (host bits cleared; IPv6 compressed and
 * lowercase) and prefix. Undefined when it is not a CIDR.
 */
export function canonicalCidr(cidr: string): string | undefined {
  const range = parseCidr(cidr);
  return range && `${formatAddress(range.first, range.family)}/${range.prefix}`;
}

/** True when `cidr` has bits set past its prefix (`198.51.100.7/24`). */
function hasHostBits(cidr: string, range: CidrRange): boolean {
  const address = cidr.split("/")[0] ?? "";
  return (range.family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address)) !== range.first;
}

/** Parses `a.b.c.d/n` or an IPv6 prefix; undefined when it is not a CIDR. */
export function parseCidr(cidr: string): CidrRange | undefined {
  const [address = "", prefixText, extra] = cidr.split("/");
  if (extra !== undefined || prefixText === undefined || !/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  const family = isIPv4(address) ? 4 : isIPv6(address) ? 6 : undefined;
  if (family === undefined) return undefined;
  const bits = family === 4 ? 32 : 128;
  if (prefix > bits) return undefined;
  const value = family === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address);
  const hostBits = BigInt(bits - prefix);
  const first = (value >> hostBits) << hostBits;
  return { family, prefix, first, last: first + (1n << hostBits) - 1n };
}

/** True when the union of `ranges` (one family) covers every address of that family. */
function coversFamily(ranges: readonly CidrRange[], family: 4 | 6): boolean {
  const end = (1n << BigInt(family === 4 ? 32 : 128)) - 1n;
  const sorted = ranges.filter((r) => r.family === family).sort((a, b) => (a.first < b.first ? -1 : 1));
  let next = 0n; // the first address not covered yet
  for (const r of sorted) {
    if (r.first > next) return false;
    if (r.last + 1n > next) next = r.last + 1n;
    if (next > end) return true;
  }
  return false;
}

/**
 * Every problem of an admin CIDR list, each with the index of the entry it concerns. An entry
 * that is not a CIDR is left to the schema (no problem here).
 */
export function adminCidrProblems(
  cidrs: readonly string[],
  options: AdminCidrOptions = {},
): AdminCidrProblem[] {
  const problems: AdminCidrProblem[] = [];
  const parsed = cidrs.map((c) => parseCidr(c));
  const ranges = parsed.filter((r): r is CidrRange => r !== undefined);
  for (const family of [4, 6] as const) {
    if (!coversFamily(ranges, family)) continue;
    const members = cidrs.filter((_, i) => parsed[i]?.family === family);
    const first = parsed.findIndex((r) => r?.family === family);
    const what = members.length > 1 ? `${members.join(" + ")} together cover` : `${members[0]} covers`;
    problems.push({
      index: first,
      kind: "world",
      message: `opens SSH and the Kubernetes API to the whole internet: ${what} all of IPv${family}; list your office or VPN ranges (access.allowWideCidrs does not lift this)`,
    });
  }
  const worldFamilies = new Set(problems.map((p) => parsed[p.index ?? -1]?.family));
  parsed.forEach((range, index) => {
    if (!range || worldFamilies.has(range.family) || options.allowWideCidrs === true) return;
    const min = range.family === 4 ? MIN_IPV4_PREFIX : MIN_IPV6_PREFIX;
    if (range.prefix < min) {
      problems.push({
        index,
        kind: "wide",
        message: `${cidrs[index]} is wider than /${min}; list a narrower office or VPN range, or set access.allowWideCidrs: true to acknowledge opening SSH and the Kubernetes API to it`,
      });
    }
  });
  parsed.forEach((range, index) => {
    const cidr = cidrs[index] as string;
    if (!range || !hasHostBits(cidr, range)) return;
    const network = canonicalCidr(cidr) as string;
    const host = `${cidr.split("/")[0]}/${range.family === 4 ? 32 : 128}`;
    problems.push({
      index,
      kind: "host-bits",
      message: `${cidr} has host bits set past /${range.prefix}; write its network ${network} (or ${host} for the one address), since the firewall would store ${network} and the plan would differ from it on every run`,
    });
  });
  return problems.sort((a, b) => (a.index ?? -1) - (b.index ?? -1));
}

/** Problems as `adminCidrs[i]: message` lines, for renderers and policies. */
export function formatAdminCidrProblems(problems: readonly AdminCidrProblem[]): string[] {
  return problems.map((p) => `adminCidrs${p.index === undefined ? "" : `[${p.index}]`}: ${p.message}`);
}
