import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isKubernetesObject, namespaceOf } from "../lib/k8s";
/** No Service of type LoadBalancer or NodePort: all traffic enters through the tunnel. */
export const kubernetesServiceForbidExternalTypes: ResourceValidationPolicy = {
  name: "kubernetes-service-forbid-external-types",
  description: "No Service of type LoadBalancer or NodePort: all traffic enters through the tunnel.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Use a ClusterIP Service and add a tunnel route ({hostname, service}) instead.",
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props) || args.props.kind !== "Service") return;
    const type = args.props.spec?.type ?? "ClusterIP";
    if (type === "LoadBalancer" || type === "NodePort") {
      reportViolation(
        `Service ${namespaceOf(args.props)}/${args.props.metadata?.name} is ${type}; use ClusterIP and a tunnel route`,
      );
    }
  },
};
