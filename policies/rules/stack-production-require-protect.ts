import type { StackValidationPolicy } from "@pulumi/policy";
import { environmentOf } from "../lib/stack";

/** Types that hold data or are hard to rebuild. */
const STATEFUL = ["cloudflare:index/r2Bucket:R2Bucket", "hcloud:index/server:Server"];
const STATEFUL_KINDS = ["StatefulSet", "Cluster"];

/** In production, deleting anything that holds data takes a deliberate step. */
export const stackProductionRequireProtect: StackValidationPolicy = {
  name: "stack-production-require-protect",
  description:
    "In production, R2 buckets, servers, CNPG clusters and StatefulSets are protected, and hcloud servers have delete protection.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Pass protect: config.protect to the resource (components do for environment production).",
  validateStack: (args, reportViolation) => {
    if (environmentOf(args.resources) !== "production") return;
    for (const r of args.resources) {
      const stateful =
        STATEFUL.includes(r.type) ||
        (r.type.startsWith("kubernetes:") && STATEFUL_KINDS.includes(r.props?.kind));
      if (stateful && !r.opts?.protect)
        reportViolation(`${r.type} ${r.name} is not protected in production`, r.urn);
      if (r.type === "hcloud:index/server:Server" && r.props.deleteProtection !== true) {
        reportViolation(`hcloud server ${r.props.name} has no delete protection in production`, r.urn);
      }
    }
  },
};
