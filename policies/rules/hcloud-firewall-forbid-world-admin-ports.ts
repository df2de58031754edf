import type { ResourceValidationPolicy } from "@pulumi/policy";
import { adminCidrProblems } from "../../components/hetzner/admin-cidrs";

/** The pack config of the admin-port policies (`allowWideCidrs` mirrors `access.allowWideCidrs`). */
export const ADMIN_CIDR_POLICY_CONFIG = {
  properties: { allowWideCidrs: { type: "boolean" as const, default: false } },
};

/**
 * No hcloud firewall rule opens SSH (22) or the Kubernetes API (6443) to the internet (also
 * not as a union such as 0.0.0.0/1 + 128.0.0.0/1), nor to a prefix wider than /16 or /32
 * unless the pack config `allowWideCidrs` acknowledges it.
 */
export const hcloudFirewallForbidWorldAdminPorts: ResourceValidationPolicy = {
  name: "hcloud-firewall-forbid-world-admin-ports",
  description:
    "No hcloud firewall rule opens SSH (22) or the Kubernetes API (6443) to the internet, or to a prefix wider than /16 (IPv4) or /32 (IPv6) without allowWideCidrs.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "List your office or VPN ranges in access.adminCidrs; a wide range needs access.allowWideCidrs and the pack config allowWideCidrs.",
  configSchema: ADMIN_CIDR_POLICY_CONFIG,
  validateResource: (args, reportViolation) => {
    if (args.type !== "hcloud:index/firewall:Firewall") return;
    const allowWideCidrs = args.getConfig<{ allowWideCidrs?: boolean }>().allowWideCidrs === true;
    for (const rule of args.props.rules ?? []) {
      if (!["22", "6443"].includes(String(rule.port))) continue;
      for (const p of adminCidrProblems(rule.sourceIps ?? [], { allowWideCidrs })) {
        reportViolation(
          p.kind === "world"
            ? `firewall ${args.props.name}: port ${rule.port} is open to the internet (${p.message}); restrict it to access.adminCidrs`
            : `firewall ${args.props.name}: port ${rule.port}: ${p.message}`,
        );
      }
    }
  },
};
