import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, podPolicy, securityContextOf } from "../lib/k8s";
/** Containers cannot gain privileges (no setuid escalation). */
export const kubernetesPodForbidPrivilegeEscalation: ResourceValidationPolicy = podPolicy(
  {
    name: "kubernetes-pod-forbid-privilege-escalation",
    description: "Containers cannot gain privileges (no setuid escalation).",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set securityContext.allowPrivilegeEscalation: false.",
  },
  "privileged",
  ({ pod, where }, reportViolation) => {
    for (const c of containersOf(pod)) {
      const sc = securityContextOf(pod, c);
      if (sc.allowPrivilegeEscalation !== false)
        reportViolation(
          `${where}: container ${c.name} allows privilege escalation; set allowPrivilegeEscalation: false`,
        );
    }
  },
);
