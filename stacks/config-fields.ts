/**
 * Field types shared by the stack config schema: DNS names, CIDRs, quantities, crons.
 * Each one carries an error message that says what a valid value looks like.
 */
import { isIPv4, isIPv6 } from "node:net";
import { z } from "zod";

/** A DNS label: lowercase letters, digits and hyphens, not starting or ending with a hyphen. */
const LABEL = "[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?";
/** A fully qualified DNS name with at least two labels and a letter-only TLD. */
export const DNS_NAME_RE = new RegExp(`^(?:${LABEL}\\.)+[a-z]{2,63}$`);

/** True when `value` is a CIDR block (`a.b.c.d/n` or an IPv6 prefix). */
export function isCidr(value: string): boolean {
  const [address, prefix, ...rest] = value.split("/");
  if (rest.length > 0 || address === undefined || prefix === undefined || !/^\d{1,3}$/.test(prefix)) {
    return false;
  }
  const bits = Number(prefix);
  if (isIPv4(address)) return bits <= 32;
  if (isIPv6(address)) return bits <= 128;
  return false;
}

/** Parses an IPv4 CIDR into its first and last address as 32-bit numbers. */
export function ipv4Range(cidr: string): { first: number; last: number } | undefined {
  const [address, prefix] = cidr.split("/");
  if (!address || !prefix || !isIPv4(address)) return undefined;
  const bits = Number(prefix);
  const base = address.split(".").reduce((acc, octet) => acc * 256 + Number(octet), 0);
  const size = 2 ** (32 - bits);
  const first = base - (base % size);
  return { first, last: first + size - 1 };
}

/** True when two IPv4 CIDR blocks share at least one address. */
export function cidrsOverlap(a: string, b: string): boolean {
  const ra = ipv4Range(a);
  const rb = ipv4Range(b);
  if (!ra || !rb) return false;
  return ra.first <= rb.last && rb.first <= ra.last;
}

export const dnsName = z
  .string({ error: "must be a DNS name such as example.com" })
  .regex(DNS_NAME_RE, { error: "must be a lowercase DNS name such as example.com" });

export const cidr = z
  .string({ error: "must be a CIDR block such as 198.51.100.0/24" })
  .refine(isCidr, { error: "must be a CIDR block such as 198.51.100.0/24 or 2001:db8::/32" });

export const ipv4Cidr = z
  .string({ error: "must be an IPv4 CIDR block such as 10.42.0.0/16" })
  .refine((v) => isCidr(v) && ipv4Range(v) !== undefined, {
    error: "must be an IPv4 CIDR block such as 10.42.0.0/16",
  });

export const ipv4 = z
  .string({ error: "must be an IPv4 address such as 203.0.113.10" })
  .refine((v) => isIPv4(v), { error: "must be an IPv4 address such as 203.0.113.10" });

export const email = z.email({ error: "must be an email address such as ops@example.com" });

/** A Kubernetes quantity for storage or memory (`512Mi`, `20Gi`). */
export const byteQuantity = z
  .string({ error: "must be a Kubernetes quantity such as 20Gi" })
  .regex(/^\d+(?:\.\d+)?(?:Ki|Mi|Gi|Ti)$/, { error: "must be a Kubernetes quantity such as 512Mi or 20Gi" });

/** A Kubernetes CPU quantity (`250m`, `1`, `1.5`). */
export const cpuQuantity = z
  .string({ error: "must be a CPU quantity such as 500m or 2" })
  .regex(/^(?:\d+m|\d+(?:\.\d+)?)$/, { error: "must be a CPU quantity such as 500m or 2" });

/** A five-field cron expression (k3s etcd snapshots, Longhorn recurring jobs). */
export const cron5 = z
  .string({ error: "must be a five-field cron expression such as 0 */6 * * *" })
  .refine((v) => v.trim().split(/\s+/).length === 5, {
    error: "must be a five-field cron expression such as 0 */6 * * *",
  });

/** A six-field cron expression with seconds first (CNPG ScheduledBackup). */
export const cron6 = z
  .string({ error: "must be a six-field cron expression such as 0 0 3 * * *" })
  .refine((v) => v.trim().split(/\s+/).length === 6, {
    error: "must be a six-field cron expression (seconds first) such as 0 0 3 * * *",
  });

/** A Prometheus/CNPG style duration (`30d`, `2w`, `15d`). */
export const retention = z
  .string({ error: "must be a duration such as 30d" })
  .regex(/^[1-9]\d*[dwmy]$/, { error: "must be a duration such as 7d, 2w or 30d" });

/** Container resource requests and limits. */
export const resources = z.strictObject({
  requests: z
    .strictObject({
      cpu: cpuQuantity.describe("CPU request."),
      memory: byteQuantity.describe("Memory request."),
    })
    .describe("What the scheduler reserves."),
  limits: z
    .strictObject({ cpu: cpuQuantity.describe("CPU limit."), memory: byteQuantity.describe("Memory limit.") })
    .describe("The most the container may use."),
});

/** Kubernetes resources: requests and limits for one container. */
export type Resources = z.infer<typeof resources>;

/** A tenant or organization slug: lowercase, starts with a letter, 2 to 31 characters. */
export const SLUG_RE = /^[a-z][a-z0-9-]{1,30}$/;

export const slug = z
  .string({ error: "must be a slug such as acme" })
  .regex(SLUG_RE, { error: "must match ^[a-z][a-z0-9-]{1,30}$ (lowercase, starts with a letter)" });
