import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, podPolicy, securityContextOf } from "../lib/k8s";
/** Containers run with the RuntimeDefault (or a Localhost) seccomp profile. */
export const kubernetesPodRequireSeccompRuntimeDefault: ResourceValidationPolicy = podPolicy(
  {
    name: "kubernetes-pod-require-seccomp-runtime-default",
    description: "Containers run with the RuntimeDefault (or a Localhost) seccomp profile.",
    enforcementLevel: "mandatory",
    severity: "medium",
    remediationSteps: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod.",
  },
  "privileged",
  ({ pod, where }, reportViolation) => {
    for (const c of containersOf(pod)) {
      const sc = securityContextOf(pod, c);
      if (!["RuntimeDefault", "Localhost"].includes(sc.seccompProfile?.type))
        reportViolation(
          `${where}: container ${c.name} has no RuntimeDefault seccomp profile; set seccompProfile.type: RuntimeDefault`,
        );
    }
  },
);
