import type { ResourceValidationPolicy } from "@pulumi/policy";

/** API tokens are scoped to named resources, never to wildcards. */
export const cloudflareApitokenForbidWildcards: ResourceValidationPolicy = {
  name: "cloudflare-apitoken-forbid-wildcards",
  description: "API tokens are scoped to named resources, never to wildcards.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Name the bucket, zone or account in policies[].resources (components/edge/r2-plan.ts bucketPolicyResources).",
  validateResource: (args, reportViolation) => {
    if (args.type !== "cloudflare:index/apiToken:ApiToken") return;
    for (const policy of args.props.policies ?? []) {
      let resources: Record<string, unknown> = {};
      try {
        resources =
          typeof policy.resources === "string" ? JSON.parse(policy.resources) : (policy.resources ?? {});
      } catch {
        reportViolation(`API token ${args.props.name}: policy resources are not JSON`);
        continue;
      }
      for (const key of Object.keys(resources)) {
        if (key.includes("*"))
          reportViolation(`API token ${args.props.name}: resource ${key} is a wildcard; name the resource`);
      }
    }
  },
};
