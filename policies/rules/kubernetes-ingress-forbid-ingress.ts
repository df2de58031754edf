import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isKubernetesObject, namespaceOf } from "../lib/k8s";
/** No Ingress: the Cloudflare Tunnel is the only way in. */
export const kubernetesIngressForbidIngress: ResourceValidationPolicy = {
  name: "kubernetes-ingress-forbid-ingress",
  description: "No Ingress: the Cloudflare Tunnel is the only way in.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Remove the Ingress and add a tunnel route ({hostname, service}) in the component.",
  validateResource: (args, reportViolation) => {
    if (isKubernetesObject(args.type, args.props) && args.props.kind === "Ingress") {
      reportViolation(
        `Ingress ${namespaceOf(args.props)}/${args.props.metadata?.name}: traffic enters through the tunnel; remove it`,
      );
    }
  },
};
