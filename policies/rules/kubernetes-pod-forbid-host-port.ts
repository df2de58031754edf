import type { ResourceValidationPolicy } from "@pulumi/policy";
import { containersOf, podPolicy } from "../lib/k8s";
/** Containers do not bind host ports. */
export const kubernetesPodForbidHostPort: ResourceValidationPolicy = podPolicy(
  {
    name: "kubernetes-pod-forbid-host-port",
    description: "Containers do not bind host ports.",
    enforcementLevel: "mandatory",
    severity: "high",
    remediationSteps: "Remove ports[].hostPort; traffic enters through the tunnel and Services.",
  },
  "host-namespaces",
  ({ pod, where }, reportViolation) => {
    for (const c of containersOf(pod)) {
      for (const p of c.ports ?? []) {
        if (p.hostPort)
          reportViolation(`${where}: container ${c.name} binds host port ${p.hostPort}; remove hostPort`);
      }
    }
  },
);
