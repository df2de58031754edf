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

/**
 * Whether an ingress rule needs Access: a route to an admin namespace, and every rule whose service
 * is not an HTTP(S) origin or a fixed status. cloudflared turns any other URL scheme (`ssh://`,
 * `tcp://`, `rdp://`, ...) into a raw TCP stream to the origin, and also serves `unix:`,
 * `bastion` and `socks-proxy` (cloudflare/cloudflared ingress/ingress.go validateIngress, lines
 * 245-312: newTCPOverWSService unless isHTTPService), so nothing but Access guards the socket on
 * the public hostname. cloudflared's own JWT check runs for stream routes too
 * (proxy/proxy.go ProxyHTTP: applyIngressMiddleware before the HTTP/stream switch, lines 97-119).
 */
function isProtected(rule: { service: string }): boolean {
  if (isAdminRoute(rule)) return true;
  return !/^https?:\/\//.test(rule.service) && !rule.service.startsWith("http_status:");
}

/** What a protected route reaches, for messages. */
const reaches = (rule: { service: string }) =>
  isAdminRoute(rule) ? "reaches an admin namespace" : "is a raw TCP/SSH route";

/** No admin interface or raw TCP/SSH route is published through the tunnel without Cloudflare Access. */
export const cloudflareTunnelRequireAccessForAdmin: StackValidationPolicy = {
  name: "cloudflare-tunnel-require-access-for-admin",
  description: `Every tunnel route to an admin namespace (${ADMIN_NAMESPACES.join(", ")}) and every route whose service is not http(s):// or http_status (ssh://, tcp://, ...) has a Cloudflare Access application for its hostname that allows someone, and cloudflared checks its token (originRequest.access).`,
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Route admin UIs and TCP routes through enclii:edge:Tunnel with adminEmails (access.adminEmails) and accessTeamName (cloudflare.accessTeamName) set; it creates the Access application before publishing the route and sets originRequest.access.",
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
        if (!rule.hostname || !isProtected(rule)) continue;
        if (!covered.has(rule.hostname)) {
          reportViolation(
            `tunnel route ${rule.hostname} -> ${rule.service} ${reaches(rule)} without a Cloudflare Access application`,
            config.urn,
          );
        }
        // Without cloudflared's own check, an edited DNS record or public hostname bypasses Access
        // (cloudflared ingress/middleware/jwtvalidator.go runs only with access.required).
        const access = rule.originRequest?.access;
        if (access?.required !== true || !access.teamName) {
          reportViolation(
            `tunnel route ${rule.hostname} -> ${rule.service} ${reaches(rule)} without originRequest.access (required, teamName): cloudflared does not check the Access token`,
            config.urn,
          );
        }
      }
    }
  },
};
