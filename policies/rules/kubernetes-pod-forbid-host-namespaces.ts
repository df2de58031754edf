import type { ResourceValidationPolicy } from "@pulumi/policy";
import { podPolicy } from "../lib/k8s";
/** Pods do not share the host's network, PID or IPC namespace. */
export const kubernetesPodForbidHostNamespaces: ResourceValidationPolicy = podPolicy(
  {
    name: "kubernetes-pod-forbid-host-namespaces",
    description: "Pods do not share the host's network, PID or IPC namespace.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove hostNetwork, hostPID and hostIPC.",
  },
  "host-namespaces",
  ({ pod, where }, reportViolation) => {
    for (const field of ["hostNetwork", "hostPID", "hostIPC"]) {
      if (pod[field] === true)
        reportViolation(`${where}: ${field} is true; pods must not share host namespaces`);
    }
  },
);
