import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isKubernetesObject, namespaceOf, podSpecOf } from "../lib/k8s";
/** Workloads with 2 or more replicas spread over nodes (topology spread or anti-affinity). */
export const kubernetesWorkloadRequireSpread: ResourceValidationPolicy = {
  name: "kubernetes-workload-require-spread",
  description: "Workloads with 2 or more replicas spread over nodes (topology spread or anti-affinity).",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Add topologySpreadConstraints on kubernetes.io/hostname (components/shared/pod.ts spreadAcrossNodes).",
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    if (!["Deployment", "StatefulSet"].includes(args.props.kind) || (args.props.spec?.replicas ?? 1) < 2)
      return;
    if (!pod.topologySpreadConstraints?.length && !pod.affinity?.podAntiAffinity) {
      reportViolation(
        `${where}: ${args.props.spec.replicas} replicas may land on one node; add a topology spread or anti-affinity`,
      );
    }
  },
};
