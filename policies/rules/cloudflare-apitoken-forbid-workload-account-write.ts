import type { StackValidationPolicy } from "@pulumi/policy";
import { permissionGroupName, ZERO_TRUST_WRITE_GROUPS } from "../../components/edge/cloudflare-permissions";
import { API_TOKEN, consumerName, isAccountKey, policyResourceKeys, tokenConsumers } from "../lib/api-tokens";

/**
 * No API token a workload holds grants Cloudflare Tunnel or Zero Trust write on a whole account.
 * Those groups cannot be narrowed to one tunnel or application (components/edge/cloudflare-permissions.ts),
 * so a workload holding one, e.g. a public API service, can read every tunnel's token and
 * rewrite routes and Access policies of the account: whoever takes the pod takes the edge. Only
 * the deploy token (Pulumi's own, never in the cluster) may hold them.
 */
export const cloudflareApitokenForbidWorkloadAccountWrite: StackValidationPolicy = {
  name: "cloudflare-apitoken-forbid-workload-account-write",
  description:
    "No Cloudflare API token whose value reaches a workload (a Kubernetes object or a node command depends on it) grants Tunnel or Zero Trust write (Cloudflare Tunnel Write, Cloudflare One Connectors/Networks Write, Zero Trust Write, Access: ... Write) on an account.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Keep tunnel routes and Access in the program (enclii:edge:Tunnel, enclii:edge:AccessApplication) and drop the group from the workload's token (components/control-plane/enclii.ts CONTROL_PLANE_PERMISSIONS).",
  validateStack: (args, reportViolation) => {
    const consumers = tokenConsumers(args.resources);
    for (const token of args.resources.filter((r) => r.type === API_TOKEN)) {
      const users = consumers.get(token.urn) ?? [];
      if (users.length === 0) continue;
      for (const policy of (token.props.policies ?? []) as Record<string, unknown>[]) {
        if (policy.effect === "deny") continue;
        const accounts = policyResourceKeys(policy).filter(isAccountKey);
        if (accounts.length === 0) continue;
        const groups = ((policy.permissionGroups ?? []) as { id?: string }[])
          .map((g) => permissionGroupName(String(g.id)))
          .filter((n) => n !== undefined && ZERO_TRUST_WRITE_GROUPS.includes(n));
        if (groups.length === 0) continue;
        reportViolation(
          `API token ${token.props.name}: ${groups.join(", ")} on ${accounts.join(", ")} is account-wide (every tunnel's token, every Access app) and reaches ${users.map(consumerName).join(", ")}; keep it out of workloads`,
          token.urn,
        );
      }
    }
  },
};
