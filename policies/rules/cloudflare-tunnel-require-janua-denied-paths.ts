import type { ResourceValidationPolicy } from "@pulumi/policy";
import type { JANUA_DENIED_PATHS } from "../../components/auth/janua-routes";
import { matchingRule } from "../../components/edge/ingress-eval";
import { type IngressRule, parseServiceUrl } from "../../components/edge/routes";

/**
 * One request per denied prefix of components/auth/janua-routes.ts (madfam-org/janua's admin and
 * internal paths), spelled as an attacker would try them.
 */
const PROBES: Record<keyof typeof JANUA_DENIED_PATHS, readonly string[]> = {
  admin: ["/api/v1/admin/organizations", "//API/v1/admin/"],
  oauthClients: ["/api/v1/oauth/clients/register", "/api/v1/oauth%2Fclients"],
  complianceAdmin: ["/api/v1/compliance/admin/expired-data"],
  internalApi: ["/api/v1/internal/email/send"],
  internal: ["/internal/organizations/x/tier"],
  metrics: ["/metrics", "/metrics/performance?x=1"],
};

/** A route to a Janua Service: `http://janua.<namespace>.svc.cluster.local:<port>`. */
const isJanua = (rule: IngressRule) => parseServiceUrl(rule.service)?.name === "janua";

/**
 * Janua's admin and internal paths answer cloudflared's own 404 on every hostname that routes to a
 * Janua Service without Cloudflare Access, judged by cloudflared's first-match rule semantics
 * (components/edge/ingress-eval.ts, from cloudflare/cloudflared ingress/rule.go and ingress.go).
 */
export const cloudflareTunnelRequireJanuaDeniedPaths: ResourceValidationPolicy = {
  name: "cloudflare-tunnel-require-janua-denied-paths",
  description:
    "Every tunnel hostname that reaches a Janua Service without Cloudflare Access answers 404 to Janua's admin and internal paths (/api/v1/admin, /api/v1/oauth/clients, /api/v1/compliance/admin, /api/v1/internal, /internal, /metrics) under cloudflared's rule matching.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Route Janua with januaRoutes (components/auth/janua-routes.ts): its public route lists the denied paths, rendered as http_status:404 rules before it, and its admin hostname is behind Access.",
  validateResource: (args, reportViolation) => {
    if (args.type !== "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig")
      return;
    const ingresses = (args.props.config?.ingresses ?? []) as IngressRule[];
    const publicJanua = ingresses.filter(
      (r) => r.hostname !== undefined && isJanua(r) && r.originRequest?.access === undefined,
    );
    for (const route of publicJanua) {
      const host = route.hostname as string;
      const open = Object.values(PROBES)
        .flat()
        .filter(
          (target) => !matchingRule(ingresses, { host, target }).rule.service.startsWith("http_status:"),
        );
      if (open.length > 0) {
        reportViolation(
          `tunnel route ${host} -> ${route.service} passes Janua's admin and internal paths to Janua without Access: ${open.join(", ")}`,
        );
      }
    }
  },
};
