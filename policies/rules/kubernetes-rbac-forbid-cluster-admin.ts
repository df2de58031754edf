import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isKubernetesObject } from "../lib/k8s";
import { RBAC_EXEMPTION_SCHEMA, type RbacExemptions, rbacExemption } from "../lib/rbac-exemptions";

/**
 * No binding grants cluster-admin. Longhorn's chart binds its support bundle manager to
 * cluster-admin unconditionally; that one chart child is exempt (policies/lib/rbac-exemptions.ts).
 */
export const kubernetesRbacForbidClusterAdmin: ResourceValidationPolicy = {
  name: "kubernetes-rbac-forbid-cluster-admin",
  description:
    "No binding grants cluster-admin (Longhorn's support bundle binding is exempt with its reason).",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Bind a role with only the verbs and resources needed (see components/k3s/upgrade-plans.ts).",
  configSchema: RBAC_EXEMPTION_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    if (
      ["ClusterRoleBinding", "RoleBinding"].includes(args.props.kind) &&
      args.props.roleRef?.name === "cluster-admin" &&
      !rbacExemption(
        args.props.kind,
        args.urn,
        "cluster-admin",
        args.getConfig<{ exemptions?: RbacExemptions }>(),
      )
    ) {
      reportViolation(
        `${args.props.kind} ${args.props.metadata?.name} grants cluster-admin; bind a least-privilege role`,
      );
    }
  },
};
