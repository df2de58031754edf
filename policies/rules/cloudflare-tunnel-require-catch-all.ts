import type { ResourceValidationPolicy } from "@pulumi/policy";
import { ROUTER_SERVICE_URL } from "../../components/edge/router-values";

/**
 * The tunnel's ingress rules end with a catch-all (no hostname, no path: cloudflared refuses any
 * other last rule, cloudflare/cloudflared 2026.8.2 ingress/ingress.go `validateHostname` lines
 * 373-377) that answers 404 itself or sends to the platform's router, and nowhere else: a catch-all
 * to any other service would expose it on every hostname of the zone.
 */
export const cloudflareTunnelRequireCatchAll: ResourceValidationPolicy = {
  name: "cloudflare-tunnel-require-catch-all",
  description:
    "The tunnel's ingress rules end with the catch-all: http_status:404 or the platform's router (components/edge/router.ts).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Build the ingress with components/edge/routes.ts renderIngress (the 404 catch-all) and withFallback(rules, ROUTER_SERVICE_URL).",
  validateResource: (args, reportViolation) => {
    if (args.type !== "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig")
      return;
    const ingresses = args.props.config?.ingresses ?? [];
    const last = ingresses[ingresses.length - 1];
    const service = String(last?.service);
    if (
      !last ||
      last.hostname ||
      last.path ||
      !(service.startsWith("http_status:") || service === ROUTER_SERVICE_URL)
    ) {
      reportViolation(
        `tunnel config ${args.name}: the last ingress rule must be the catch-all {service: "http_status:404"} or {service: "${ROUTER_SERVICE_URL}"}`,
      );
    }
  },
};
