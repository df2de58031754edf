import type { ResourceValidationPolicy } from "@pulumi/policy";

/** DNS records of the zone are proxied through Cloudflare. */
export const cloudflareDnsrecordRequireProxied: ResourceValidationPolicy = {
  name: "cloudflare-dnsrecord-require-proxied",
  description: "DNS records of the zone are proxied through Cloudflare.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set proxied: true (tunnel CNAMEs must be proxied to work at all).",
  validateResource: (args, reportViolation) => {
    if (args.type === "cloudflare:index/dnsRecord:DnsRecord" && args.props.proxied !== true) {
      reportViolation(`DNS record ${args.props.name} is not proxied; set proxied: true`);
    }
  },
};
