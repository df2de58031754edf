import type { ResourceValidationPolicy } from "@pulumi/policy";

const WORLD = ["0.0.0.0/0", "::/0"];

/** The Robot firewall of a dedicated server is active and keeps 22/6443 away from the internet. */
export const robotFirewallRequireActive: ResourceValidationPolicy = {
  name: "robot-firewall-require-active",
  description: "The Robot firewall of a dedicated server is active and keeps 22/6443 away from the internet.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Render it with components/hetzner/firewall-rules.ts renderRobotFirewall from access.adminCidrs.",
  validateResource: (args, reportViolation) => {
    if (args.type !== "pulumi-nodejs:dynamic/enclii:RobotFirewall") return;
    const fw = args.props.firewall ?? {};
    if (fw.status !== "active")
      reportViolation(
        `Robot firewall of server ${args.props.serverNumber} is ${fw.status}; it must be active`,
      );
    if (fw.filter_ipv6 !== true)
      reportViolation(`Robot firewall of server ${args.props.serverNumber} does not filter IPv6`);
    for (const rule of fw.rules?.input ?? []) {
      if (["22", "6443"].includes(String(rule.dst_port)) && (!rule.src_ip || WORLD.includes(rule.src_ip))) {
        reportViolation(
          `Robot firewall of server ${args.props.serverNumber}: port ${rule.dst_port} is open to the internet`,
        );
      }
    }
  },
};
