import { isIPv4 } from "node:net";
import type { ResourceValidationPolicy } from "@pulumi/policy";

/** Mirrors components/edge/node-names.ts (the pack does not import the program). */
const NODE_ADDRESS_COMMENT = "enclii-infra: node address";

/** DNS records of the zone are proxied through Cloudflare. */
export const cloudflareDnsrecordRequireProxied: ResourceValidationPolicy = {
  name: "cloudflare-dnsrecord-require-proxied",
  description: "DNS records of the zone are proxied through Cloudflare.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Set proxied: true (tunnel CNAMEs must be proxied to work at all). Only a node's stable SSH or API name (components/edge/node-names.ts) may be DNS-only: an A record to an address whose comment starts with NODE_ADDRESS_COMMENT.",
  validateResource: (args, reportViolation) => {
    if (args.type !== "cloudflare:index/dnsRecord:DnsRecord" || args.props.proxied === true) return;
    // SSH and 6443 cannot pass Cloudflare's HTTP proxy; the firewalls close them to the world.
    const nodeAddress =
      args.props.type === "A" &&
      isIPv4(String(args.props.content ?? "")) &&
      String(args.props.comment ?? "").startsWith(NODE_ADDRESS_COMMENT);
    if (!nodeAddress) reportViolation(`DNS record ${args.props.name} is not proxied; set proxied: true`);
  },
};
