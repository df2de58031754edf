import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, podPolicy, securityContextOf } from "../lib/k8s";
/** Containers run as a non-root user. */
export const kubernetesPodRequireRunAsNonRoot: ResourceValidationPolicy = podPolicy(
  {
    name: "kubernetes-pod-require-run-as-non-root",
    description: "Containers run as a non-root user.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Set securityContext.runAsNonRoot: true (components/shared/pod.ts does).",
  },
  "run-as-non-root",
  ({ pod, where }, reportViolation) => {
    for (const c of containersOf(pod)) {
      const sc = securityContextOf(pod, c);
      if (sc.runAsNonRoot !== true)
        reportViolation(
          `${where}: container ${c.name} may run as root; set securityContext.runAsNonRoot: true`,
        );
    }
  },
);
