import type { StackValidationPolicy } from "@pulumi/policy";

/** Every R2 bucket has lifecycle rules, so nothing is kept (and paid for) forever. */
export const cloudflareR2bucketRequireLifecycle: StackValidationPolicy = {
  name: "cloudflare-r2bucket-require-lifecycle",
  description: "Every R2 bucket has an R2BucketLifecycle with at least one enabled rule.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps: "Create buckets with enclii:edge:R2Buckets, which adds lifecycle rules per prefix.",
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
