import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  EXEMPTION_SCHEMA,
  type ExemptionConfig,
  exemption,
  isKubernetesObject,
  namespaceOf,
  podSpecOf,
} from "../lib/k8s";
/** Pods do not mount host paths. */
export const kubernetesPodForbidHostPath: ResourceValidationPolicy = {
  name: "kubernetes-pod-forbid-host-path",
  description: "Pods do not mount host paths.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Use a PersistentVolumeClaim (Longhorn) or an emptyDir instead of hostPath.",
  configSchema: EXEMPTION_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    if (exemption(namespaceOf(args.props), "host-path", args.getConfig<ExemptionConfig>())) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    for (const v of pod.volumes ?? []) {
      if (v.hostPath)
        reportViolation(
          `${where}: volume ${v.name} mounts host path ${v.hostPath.path}; use a PVC or emptyDir`,
        );
    }
  },
};
