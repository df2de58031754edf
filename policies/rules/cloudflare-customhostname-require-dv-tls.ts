import type { ResourceValidationPolicy } from "@pulumi/policy";

/** Custom hostnames use DV certificates with TLS 1.2 or newer. */
export const cloudflareCustomhostnameRequireDvTls: ResourceValidationPolicy = {
  name: "cloudflare-customhostname-require-dv-tls",
  description: "Custom hostnames use DV certificates with TLS 1.2 or newer.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Set ssl.type to dv and ssl.settings.minTlsVersion to 1.2 or 1.3 (components/edge/saas-hostnames.ts).",
  validateResource: (args, reportViolation) => {
    if (args.type !== "cloudflare:index/customHostname:CustomHostname") return;
    const ssl = args.props.ssl ?? {};
    if (ssl.type !== "dv")
      reportViolation(`custom hostname ${args.props.hostname}: certificate type must be dv`);
    if (!["1.2", "1.3"].includes(ssl.settings?.minTlsVersion)) {
      reportViolation(`custom hostname ${args.props.hostname}: minimum TLS must be 1.2 or 1.3`);
    }
  },
};
