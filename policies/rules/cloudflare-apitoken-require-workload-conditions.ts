import type { StackValidationPolicy } from "@pulumi/policy";
import { API_TOKEN, consumerName, tokenConsumers } from "../lib/api-tokens";

/**
 * An API token a workload holds expires (`expiresOn`) and is usable only from known addresses
 * (`condition.requestIp.ins`, Cloudflare's client IP filter): a copied token then stops working
 * somewhere else and, at the latest, on its expiry. Advisory: an expiry needs a rotation the
 * program does not have yet (R2 backups would stop on the date), and the address list would be
 * the nodes' egress addresses, IPv6 included, which an hcloud node gets only once it exists.
 */
export const cloudflareApitokenRequireWorkloadConditions: StackValidationPolicy = {
  name: "cloudflare-apitoken-require-workload-conditions",
  description:
    "Every Cloudflare API token whose value reaches a workload sets expiresOn and a client IP condition (condition.requestIp.ins).",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Set expiresOn with a rotation before it (replace the token on a schedule) and condition.requestIp.ins to the nodes' public addresses.",
  validateStack: (args, reportViolation) => {
    const consumers = tokenConsumers(args.resources);
    for (const token of args.resources.filter((r) => r.type === API_TOKEN)) {
      const users = consumers.get(token.urn) ?? [];
      if (users.length === 0) continue;
      const missing = [
        ...(typeof token.props.expiresOn === "string" && token.props.expiresOn !== ""
          ? []
          : ["no expiresOn"]),
        ...((token.props.condition?.requestIp?.ins ?? []).length > 0 ? [] : ["no client IP condition"]),
      ];
      if (missing.length > 0)
        reportViolation(
          `API token ${token.props.name} reaches ${users.map(consumerName).join(", ")} with ${missing.join(" and ")}; a copy would work from anywhere, for ever`,
          token.urn,
        );
    }
  },
};
