import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isKubernetesObject } from "../lib/k8s";
/** No binding grants cluster-admin. */
export const kubernetesRbacForbidClusterAdmin: ResourceValidationPolicy = {
  name: "kubernetes-rbac-forbid-cluster-admin",
  description: "No binding grants cluster-admin.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Bind a role with only the verbs and resources needed (see components/k3s/upgrade-plans.ts).",
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    if (
      ["ClusterRoleBinding", "RoleBinding"].includes(args.props.kind) &&
      args.props.roleRef?.name === "cluster-admin"
    ) {
      reportViolation(
        `${args.props.kind} ${args.props.metadata?.name} grants cluster-admin; bind a least-privilege role`,
      );
    }
  },
};
