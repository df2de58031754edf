import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isKubernetesObject, namespaceOf, podSpecOf } from "../lib/k8s";
/** Pods do not mount a service account token unless they call the API. */
export const kubernetesPodDisableServiceAccountToken: ResourceValidationPolicy = {
  name: "kubernetes-pod-disable-service-account-token",
  description: "Pods do not mount a service account token unless they call the API.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps:
    "Set automountServiceAccountToken: false, or keep it and document why the pod needs the API.",
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    if (pod.automountServiceAccountToken !== false) {
      reportViolation(
        `${where}: mounts a service account token; set automountServiceAccountToken: false unless it calls the Kubernetes API`,
      );
    }
  },
};
