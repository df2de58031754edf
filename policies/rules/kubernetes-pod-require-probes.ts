import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isKubernetesObject, namespaceOf, podSpecOf } from "../lib/k8s";
/** Long-running containers have a readiness and a liveness probe, and the two differ. */
export const kubernetesPodRequireProbes: ResourceValidationPolicy = {
  name: "kubernetes-pod-require-probes",
  description: "Long-running containers have a readiness and a liveness probe, and the two differ.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps:
    "Add readinessProbe and livenessProbe; make liveness more tolerant (period, failureThreshold) than readiness.",
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    if (!["Deployment", "StatefulSet", "DaemonSet"].includes(args.props.kind)) return;
    for (const c of pod.containers ?? []) {
      if (!c.readinessProbe || !c.livenessProbe) {
        reportViolation(
          `${where}: container ${c.name} lacks a ${c.readinessProbe ? "liveness" : "readiness"} probe; add one`,
        );
      } else if (JSON.stringify(c.readinessProbe) === JSON.stringify(c.livenessProbe)) {
        reportViolation(
          `${where}: container ${c.name} has identical readiness and liveness probes; a slow dependency would restart it`,
        );
      }
    }
  },
};
