import type { ResourceValidationPolicy } from "@pulumi/policy";
import { podPolicy } from "../lib/k8s";
/** Pods do not mount host paths. */
export const kubernetesPodForbidHostPath: ResourceValidationPolicy = podPolicy(
  {
    name: "kubernetes-pod-forbid-host-path",
    description: "Pods do not mount host paths.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Use a PersistentVolumeClaim (Longhorn) or an emptyDir instead of hostPath.",
  },
  "host-path",
  ({ pod, where }, reportViolation) => {
    for (const v of pod.volumes ?? []) {
      if (v.hostPath)
        reportViolation(
          `${where}: volume ${v.name} mounts host path ${v.hostPath.path}; use a PVC or emptyDir`,
        );
    }
  },
);
