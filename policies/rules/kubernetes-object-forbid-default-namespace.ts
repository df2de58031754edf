import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isKubernetesObject, namespaceOf } from "../lib/k8s";

/** Kinds without a namespace. */
const CLUSTER_SCOPED = new Set([
  "Namespace",
  "ClusterRole",
  "ClusterRoleBinding",
  "StorageClass",
  "CustomResourceDefinition",
  "PriorityClass",
  "PersistentVolume",
  "IngressClass",
  "ValidatingWebhookConfiguration",
  "MutatingWebhookConfiguration",
  "APIService",
  "ValidatingAdmissionPolicy",
  "ValidatingAdmissionPolicyBinding",
  "GatewayClass",
]);

/** Nothing is deployed into the default namespace. */
export const kubernetesObjectForbidDefaultNamespace: ResourceValidationPolicy = {
  name: "kubernetes-object-forbid-default-namespace",
  description: "Nothing is deployed into the default namespace.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps: "Set metadata.namespace to the component's namespace.",
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props) || CLUSTER_SCOPED.has(args.props.kind)) return;
    if (namespaceOf(args.props) === "default") {
      reportViolation(
        `${args.props.kind} ${args.props.metadata?.name} would be created in the default namespace; set metadata.namespace`,
      );
    }
  },
};
