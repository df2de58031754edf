import type { ResourceValidationPolicy } from "@pulumi/policy";

/** The tunnel's ingress rules end with the http_status:404 catch-all. */
export const cloudflareTunnelRequireCatchAll: ResourceValidationPolicy = {
  name: "cloudflare-tunnel-require-catch-all",
  description: "The tunnel's ingress rules end with the http_status:404 catch-all.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Build the ingress with components/edge/routes.ts renderIngress, which appends the catch-all.",
  validateResource: (args, reportViolation) => {
    if (args.type !== "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig")
      return;
    const ingresses = args.props.config?.ingresses ?? [];
    const last = ingresses[ingresses.length - 1];
    if (!last || last.hostname || !String(last.service).startsWith("http_status:")) {
      reportViolation(
        `tunnel config ${args.name}: the last ingress rule must be the catch-all {service: "http_status:404"}`,
      );
    }
  },
};
