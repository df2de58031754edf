import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isKubernetesObject, namespaceOf } from "../lib/k8s";
import { RBAC_EXEMPTION_SCHEMA, type RbacExemptions, rbacExemption } from "../lib/rbac-exemptions";
import { describeRule, escalationsOf, rulesOf } from "../lib/rbac-rules";

/**
 * No Role or ClusterRole grants `escalate` or `bind` on roles or cluster roles, or `impersonate`
 * on users, groups, service accounts, uids or user extras, whether by name or through `*`: each
 * lets its holder grant itself permissions it does not have (kubernetes
 * pkg/registry/rbac/escalation_check.go EscalationAllowed and BindingAuthorized; the
 * impersonation filter in apiserver pkg/endpoints/filters/impersonation.go).
 */
export const kubernetesRbacForbidEscalationVerbs: ResourceValidationPolicy = {
  name: "kubernetes-rbac-forbid-escalation-verbs",
  description:
    "No Role or ClusterRole grants escalate or bind on (cluster) roles or impersonate on users, groups, service accounts, uids or user extras, also not through '*'; named upstream chart roles are exempt with their reason.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Remove the verb (or the '*' that implies it); to hand out a role, bind it in the program instead. An upstream chart's role needs an entry in policies/lib/rbac-exemptions.ts citing its template.",
  configSchema: RBAC_EXEMPTION_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const kind = args.props.kind;
    if (kind !== "Role" && kind !== "ClusterRole") return;
    if (rbacExemption(kind, args.urn, "escalation-verbs", args.getConfig<{ exemptions?: RbacExemptions }>()))
      return;
    const name =
      kind === "Role" ? `${namespaceOf(args.props)}/${args.props.metadata?.name}` : args.props.metadata?.name;
    rulesOf(args.props).forEach((rule, i) => {
      const found = escalationsOf(rule);
      if (found.length > 0)
        reportViolation(
          `${kind} ${name}: rule ${i + 1} (${describeRule(rule)}) grants ${found.join(", ")}; its holder could raise its own privileges`,
        );
    });
  },
};
