import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, podPolicy, securityContextOf } from "../lib/k8s";
/** Containers are not privileged. */
export const kubernetesPodForbidPrivileged: ResourceValidationPolicy = podPolicy(
  {
    name: "kubernetes-pod-forbid-privileged",
    description: "Containers are not privileged.",
    enforcementLevel: "mandatory",
    severity: "critical",
    remediationSteps: "Remove securityContext.privileged: true; grant only the capability needed.",
  },
  "privileged",
  ({ pod, where }, reportViolation) => {
    for (const c of containersOf(pod)) {
      const sc = securityContextOf(pod, c);
      if (sc.privileged === true)
        reportViolation(`${where}: container ${c.name} is privileged; remove privileged: true`);
    }
  },
);
