import type { ResourceValidationPolicy } from "@pulumi/policy";

const WORLD = ["0.0.0.0/0", "::/0"];

/** No hcloud firewall rule opens SSH (22) or the Kubernetes API (6443) to the internet. */
export const hcloudFirewallForbidWorldAdminPorts: ResourceValidationPolicy = {
  name: "hcloud-firewall-forbid-world-admin-ports",
  description: "No hcloud firewall rule opens SSH (22) or the Kubernetes API (6443) to the internet.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "List your office or VPN ranges in access.adminCidrs.",
  validateResource: (args, reportViolation) => {
    if (args.type !== "hcloud:index/firewall:Firewall") return;
    for (const rule of args.props.rules ?? []) {
      if (
        ["22", "6443"].includes(String(rule.port)) &&
        (rule.sourceIps ?? []).some((ip: string) => WORLD.includes(ip))
      ) {
        reportViolation(
          `firewall ${args.props.name}: port ${rule.port} is open to the internet; restrict it to access.adminCidrs`,
        );
      }
    }
  },
};
