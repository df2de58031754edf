import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, podPolicy, securityContextOf } from "../lib/k8s";
/** Containers drop all Linux capabilities. */
export const kubernetesPodRequireDropAllCapabilities: ResourceValidationPolicy = podPolicy(
  {
    name: "kubernetes-pod-require-drop-all-capabilities",
    description: "Containers drop all Linux capabilities.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set securityContext.capabilities.drop: [ALL] and add back only what is needed.",
  },
  "capabilities",
  ({ pod, where }, reportViolation) => {
    for (const c of containersOf(pod)) {
      const sc = securityContextOf(pod, c);
      if (!(sc.capabilities?.drop ?? []).includes("ALL"))
        reportViolation(
          `${where}: container ${c.name} does not drop ALL capabilities; set capabilities.drop: [ALL]`,
        );
    }
  },
);
