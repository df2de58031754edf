import type { StackValidationPolicy } from "@pulumi/policy";

/**
 * Every R2 bucket has lifecycle rules, so nothing is kept (and paid for) forever. A rule that only
 * aborts incomplete multipart uploads is enough: Longhorn and barman-cloud prune their own backups,
 * and an age-based deletion on their buckets breaks them (longhorn/website PR #1010: "any retention
 * policy directly on the backup store is strictly prohibited"; barman-cloud keeps `*.history` files
 * and the base backup before the recovery window, whatever their age).
 */
export const cloudflareR2bucketRequireLifecycle: StackValidationPolicy = {
  name: "cloudflare-r2bucket-require-lifecycle",
  description:
    "Every R2 bucket has an R2BucketLifecycle with at least one enabled rule (aborting incomplete multipart uploads suffices for backups their tool prunes).",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Create buckets with enclii:edge:R2Buckets, which adds age rules where R2 may expire objects and a multipart abort everywhere.",
  validateStack: (args, reportViolation) => {
    const withRules = new Set(
      args.resources
        .filter((r) => r.type === "cloudflare:index/r2BucketLifecycle:R2BucketLifecycle")
        .filter((r) => (r.props.rules ?? []).some((rule: { enabled?: boolean }) => rule.enabled))
        .map((r) => r.props.bucketName),
    );
    for (const r of args.resources) {
      if (r.type === "cloudflare:index/r2Bucket:R2Bucket" && !withRules.has(r.props.name)) {
        reportViolation(`R2 bucket ${r.props.name} has no enabled lifecycle rule`, r.urn);
      }
    }
  },
};
