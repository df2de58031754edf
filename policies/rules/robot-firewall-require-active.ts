import type { ResourceValidationPolicy } from "@pulumi/policy";
import { adminCidrProblems } from "../../components/hetzner/admin-cidrs";
import { evaluateRobotFirewall, type Packet } from "../../components/hetzner/robot-firewall-eval";
import { ADMIN_CIDR_POLICY_CONFIG } from "./hcloud-firewall-forbid-world-admin-ports";

const WORLD = ["0.0.0.0/0", "::/0"];

/**
 * Outgoing packets the server must be able to send: a TCP connection out (apt, GitHub) and a
 * DNS query. Robot stores a firewall posted without output rules with an empty output list,
 * which blocks all of them (community.hrobot CHANGELOG.md v1.8.0, issue #75).
 */
const MUST_SEND: readonly (Packet & { what: string })[] = [
  {
    what: "a TCP connection to 443",
    direction: "output",
    protocol: "tcp",
    src_ip: "203.0.113.10",
    src_port: 40000,
    dst_ip: "192.0.2.80",
    dst_port: 443,
    tcp_flags: ["syn"],
  },
  {
    what: "a DNS query",
    direction: "output",
    protocol: "udp",
    src_ip: "203.0.113.10",
    src_port: 40001,
    dst_ip: "192.0.2.53",
    dst_port: 53,
  },
];

/**
 * The Robot firewall of a dedicated server is active, keeps 22/6443 away from the internet
 * (also as a union, and from prefixes wider than /16 or /32 unless `allowWideCidrs`), and lets
 * the server send.
 */
export const robotFirewallRequireActive: ResourceValidationPolicy = {
  name: "robot-firewall-require-active",
  description:
    "The Robot firewall of a dedicated server is active, keeps 22/6443 away from the internet and from unacknowledged wide prefixes, and lets the server send.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Render it with components/hetzner/firewall-rules.ts renderRobotFirewall from access.adminCidrs (it adds the accept-all output rule).",
  configSchema: ADMIN_CIDR_POLICY_CONFIG,
  validateResource: (args, reportViolation) => {
    if (args.type !== "pulumi-nodejs:dynamic/enclii:RobotFirewall") return;
    const fw = args.props.firewall ?? {};
    const allowWideCidrs = args.getConfig<{ allowWideCidrs?: boolean }>().allowWideCidrs === true;
    if (fw.status !== "active")
      reportViolation(
        `Robot firewall of server ${args.props.serverNumber} is ${fw.status}; it must be active`,
      );
    if (fw.filter_ipv6 !== true)
      reportViolation(`Robot firewall of server ${args.props.serverNumber} does not filter IPv6`);
    const adminSources: string[] = [];
    for (const rule of fw.rules?.input ?? []) {
      if (!["22", "6443"].includes(String(rule.dst_port)) || rule.action !== "accept") continue;
      if (!rule.src_ip || WORLD.includes(rule.src_ip)) {
        reportViolation(
          `Robot firewall of server ${args.props.serverNumber}: port ${rule.dst_port} is open to the internet`,
        );
      } else {
        adminSources.push(rule.src_ip);
      }
    }
    for (const p of adminCidrProblems([...new Set(adminSources)], { allowWideCidrs })) {
      reportViolation(
        p.kind === "world"
          ? `Robot firewall of server ${args.props.serverNumber}: SSH and the API are open to the internet (${p.message})`
          : `Robot firewall of server ${args.props.serverNumber}: ${p.message}`,
      );
    }
    if (fw.status === "active") {
      for (const { what, ...packet } of MUST_SEND) {
        if (evaluateRobotFirewall(fw, packet).action !== "accept") {
          reportViolation(
            `Robot firewall of server ${args.props.serverNumber}: the output rules discard ${what}; Robot blocks every outgoing packet no output rule accepts (an empty output list blocks all)`,
          );
        }
      }
    }
  },
};
