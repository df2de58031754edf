import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isKubernetesObject, namespaceOf } from "../lib/k8s";
import { RBAC_EXEMPTION_SCHEMA, type RbacExemptions, rbacExemption } from "../lib/rbac-exemptions";
import { describeRule, rulesOf, wildcardFields } from "../lib/rbac-rules";

/**
 * No Role or ClusterRole rule uses `*` for verbs, API groups, resources (`*`, also before a subresource) or
 * non-resource URLs: a wildcard grants whatever the API server adds later, `escalate`, `bind` and
 * `impersonate` included (kubernetes pkg/apis/rbac/v1/evaluation_helpers.go VerbMatches: `*`
 * matches every verb). Upstream charts' wildcards are exempt one by one, with the template they
 * come from (policies/lib/rbac-exemptions.ts).
 */
export const kubernetesRbacForbidWildcards: ResourceValidationPolicy = {
  name: "kubernetes-rbac-forbid-wildcards",
  description:
    "No Role or ClusterRole rule grants '*' verbs, API groups, resources or non-resource URLs; named upstream chart roles are exempt with their reason.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "List the verbs, groups and resources the workload calls (see components/control-plane/rbac.ts); an upstream chart's role needs an entry in policies/lib/rbac-exemptions.ts citing its template.",
  configSchema: RBAC_EXEMPTION_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const kind = args.props.kind;
    if (kind !== "Role" && kind !== "ClusterRole") return;
    if (rbacExemption(kind, args.urn, "wildcards", args.getConfig<{ exemptions?: RbacExemptions }>())) return;
    const name =
      kind === "Role" ? `${namespaceOf(args.props)}/${args.props.metadata?.name}` : args.props.metadata?.name;
    rulesOf(args.props).forEach((rule, i) => {
      const fields = wildcardFields(rule);
      if (fields.length > 0)
        reportViolation(
          `${kind} ${name}: rule ${i + 1} (${describeRule(rule)}) uses '*' in ${fields.join(", ")}; list what is needed`,
        );
    });
  },
};
