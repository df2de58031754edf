import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, podPolicy, securityContextOf } from "../lib/k8s";
/** Containers have a read-only root filesystem. */
export const kubernetesPodRequireReadOnlyRoot: ResourceValidationPolicy = podPolicy(
  {
    name: "kubernetes-pod-require-read-only-root",
    description: "Containers have a read-only root filesystem.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps:
      "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes.",
  },
  "read-only-root",
  ({ pod, where }, reportViolation) => {
    for (const c of containersOf(pod)) {
      const sc = securityContextOf(pod, c);
      if (sc.readOnlyRootFilesystem !== true)
        reportViolation(
          `${where}: container ${c.name} has a writable root filesystem; set readOnlyRootFilesystem: true and mount emptyDirs for scratch space`,
        );
    }
  },
);
