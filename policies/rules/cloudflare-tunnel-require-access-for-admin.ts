import type { StackValidationPolicy } from "@pulumi/policy";
import { ADMIN_NAMESPACES, isAdminRoute } from "../../components/edge/routes";

const CONFIG = "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig";
const APP = "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication";

/** Hostnames an Access application covers (its domain and public destinations). */
function protectedHostnames(props: Record<string, unknown>): string[] {
  const destinations = (props.destinations ?? []) as { type?: string; uri?: string }[];
  return [
    ...(typeof props.domain === "string" ? [props.domain] : []),
    ...destinations.flatMap((d) => (typeof d.uri === "string" ? [d.uri] : [])),
  ];
}

/** No admin interface is published through the tunnel without a Cloudflare Access application. */
export const cloudflareTunnelRequireAccessForAdmin: StackValidationPolicy = {
  name: "cloudflare-tunnel-require-access-for-admin",
  description: `Every tunnel route to an admin namespace (${ADMIN_NAMESPACES.join(", ")}) has a Cloudflare Access application for its hostname that allows someone, and cloudflared checks its token (originRequest.access).`,
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Route admin UIs through enclii:edge:Tunnel with adminEmails set (access.adminEmails); it creates the Access application before publishing the route.",
  validateStack: (args, reportViolation) => {
    const apps = args.resources.filter((r) => r.type === APP);
    const covered = new Set(apps.flatMap((a) => protectedHostnames(a.props)));
    for (const app of apps) {
      const policies = (app.props.policies ?? []) as unknown[];
      if (policies.length === 0) {
        reportViolation(
          `Access application ${String(app.props.name)} has no policy: nobody can pass`,
          app.urn,
        );
      }
    }
    for (const config of args.resources.filter((r) => r.type === CONFIG)) {
      const ingresses = (config.props.config?.ingresses ?? []) as {
        hostname?: string;
        service: string;
        originRequest?: { access?: { required?: boolean; teamName?: string } };
      }[];
      for (const rule of ingresses) {
        if (!rule.hostname || !isAdminRoute(rule)) continue;
        if (!covered.has(rule.hostname)) {
          reportViolation(
            `tunnel route ${rule.hostname} -> ${rule.service} reaches an admin namespace without a Cloudflare Access application`,
            config.urn,
          );
        }
        // Without cloudflared's own check, an edited DNS record or public hostname bypasses Access
        // (cloudflared ingress/middleware/jwtvalidator.go runs only with access.required).
        const access = rule.originRequest?.access;
        if (access?.required !== true || !access.teamName) {
          reportViolation(
            `tunnel route ${rule.hostname} -> ${rule.service} reaches an admin namespace without originRequest.access (required, teamName): cloudflared does not check the Access token`,
            config.urn,
          );
        }
      }
    }
  },
};
