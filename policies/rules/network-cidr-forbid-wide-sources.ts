import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  type AdminCidrProblem,
  adminCidrProblems,
  MIN_IPV4_PREFIX,
  MIN_IPV6_PREFIX,
  parseCidr,
} from "../../components/hetzner/admin-cidrs";
import { ADMIN_CIDR_POLICY_CONFIG } from "./hcloud-firewall-forbid-world-admin-ports";

const HCLOUD = "hcloud:index/firewall:Firewall";
const ROBOT = "pulumi-nodejs:dynamic/enclii:RobotFirewall";
const ACCESS_POLICY = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy";

/** SSH and the Kubernetes API: their sources are judged by the two admin-port policies. */
const ADMIN_PORTS = ["22", "6443"];

/** RFC 1918 and IPv6 unique-local ranges: a vSwitch's private network, never the internet. */
const PRIVATE = ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"].map((c) => parseCidr(c));

/** Whether every address of `cidr` is private. */
function isPrivate(cidr: string): boolean {
  const r = parseCidr(cidr);
  return (
    r !== undefined &&
    PRIVATE.some((p) => p !== undefined && p.family === r.family && p.first <= r.first && r.last <= p.last)
  );
}

/** The problems of a source list, worded for `what` (world and wide; host bits are the schema's). */
function sourceProblems(sources: readonly string[], allowWideCidrs: boolean): AdminCidrProblem[] {
  return adminCidrProblems(sources, { allowWideCidrs }).filter((p) => p.kind !== "host-bits");
}

function describe(p: AdminCidrProblem, sources: readonly string[]): string {
  if (p.kind === "world") return `the whole internet (${sources.join(" + ")})`;
  const cidr = sources[p.index ?? -1] ?? "";
  const min = parseCidr(cidr)?.family === 6 ? MIN_IPV6_PREFIX : MIN_IPV4_PREFIX;
  return `${cidr} (wider than /${min})`;
}

/**
 * The wide-source rule of `components/hetzner/admin-cidrs.ts` (shorter than /16 for IPv4 or /32
 * for IPv6 needs `allowWideCidrs`; a union covering a whole family never passes) applied where the
 * admin-port policies do not look:
 * - hcloud firewall rules on any port but 22/6443 (ICMP is open to all by design: ping and path
 *   MTU discovery);
 * - Robot firewall accept rules on any port but 22/6443. A rule without `src_ip` accepts the
 *   whole internet; the stateless reply rules are the exception (TCP with the ACK flag, UDP to the
 *   reply ports: answers to the node's own connections, components/hetzner/firewall-rules.ts), and
 *   so is the vSwitch rule (private source to a private destination);
 * - Cloudflare Access policies: an `ip` include admits every address of the range without a login
 *   (decision `allow`/`bypass`), and an `everyone` include in an allow or bypass policy admits all.
 * `access.adminCidrs` itself is checked by the stack config (stacks/config-rules.ts) and reaches
 * the pack only as these firewall rules.
 */
export const networkCidrForbidWideSources: ResourceValidationPolicy = {
  name: "network-cidr-forbid-wide-sources",
  description:
    "No hcloud or Robot firewall rule (beyond the admin ports, which have their own policies) and no Cloudflare Access policy admits a source wider than /16 (IPv4) or /32 (IPv6), or the whole internet, unless allowWideCidrs acknowledges the wide ones.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Name the office or VPN ranges (access.adminCidrs) or the vSwitch network instead of a wide prefix; Access policies admit people by email (access.adminEmails), not by address.",
  configSchema: ADMIN_CIDR_POLICY_CONFIG,
  validateResource: (args, reportViolation) => {
    const allowWideCidrs = args.getConfig<{ allowWideCidrs?: boolean }>().allowWideCidrs === true;
    const props = args.props;
    if (args.type === HCLOUD) {
      for (const rule of props.rules ?? []) {
        if (rule.direction !== "in" || rule.protocol === "icmp") continue;
        if (ADMIN_PORTS.includes(String(rule.port))) continue;
        const sources: string[] = rule.sourceIps ?? [];
        for (const p of sourceProblems(sources, allowWideCidrs)) {
          reportViolation(
            `firewall ${props.name}: ${rule.protocol} port ${rule.port ?? "any"} is open to ${describe(p, sources)}; restrict it to the hosts that need it`,
          );
        }
      }
    }
    if (args.type === ROBOT) {
      const where = `Robot firewall of server ${props.serverNumber}`;
      for (const rule of props.firewall?.rules?.input ?? []) {
        if (rule.action !== "accept" || rule.protocol === "icmp") continue;
        if (ADMIN_PORTS.includes(String(rule.dst_port))) continue;
        if (!rule.src_ip) {
          const reply =
            (rule.protocol === "tcp" && String(rule.tcp_flags ?? "").includes("ack")) ||
            (rule.protocol === "udp" && rule.dst_port === "1024-65535");
          if (!reply)
            reportViolation(
              `${where}: rule "${rule.name}" accepts ${rule.protocol ?? "any protocol"} to port ${rule.dst_port ?? "any"} from the whole internet (no src_ip)`,
            );
          continue;
        }
        if (isPrivate(rule.src_ip) && rule.dst_ip && isPrivate(rule.dst_ip)) continue;
        for (const p of sourceProblems([rule.src_ip], allowWideCidrs)) {
          reportViolation(`${where}: rule "${rule.name}" accepts ${describe(p, [rule.src_ip])}`);
        }
      }
    }
    if (args.type === ACCESS_POLICY && ["allow", "bypass", "non_identity"].includes(props.decision)) {
      const includes: Record<string, { ip?: string }>[] = props.includes ?? [];
      const ips = includes.flatMap((i) => (typeof i.ip?.ip === "string" ? [i.ip.ip] : []));
      for (const p of sourceProblems(ips, allowWideCidrs)) {
        reportViolation(`Access policy ${props.name}: the ${props.decision} rule admits ${describe(p, ips)}`);
      }
      if (includes.some((i) => i.everyone !== undefined)) {
        reportViolation(
          `Access policy ${props.name}: the ${props.decision} rule includes everyone; admit named emails instead`,
        );
      }
    }
  },
};
