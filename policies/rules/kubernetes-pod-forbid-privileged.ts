import type { ResourceValidationPolicy } from "@pulumi/policy";
import {
  containersOf,
  EXEMPTION_SCHEMA,
  type ExemptionConfig,
  exemption,
  isKubernetesObject,
  namespaceOf,
  podSpecOf,
} from "../lib/k8s";
/** Containers are not privileged. */
export const kubernetesPodForbidPrivileged: ResourceValidationPolicy = {
  name: "kubernetes-pod-forbid-privileged",
  description: "Containers are not privileged.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps: "Remove securityContext.privileged: true; grant only the capability needed.",
  configSchema: EXEMPTION_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    if (exemption(namespaceOf(args.props), "privileged", args.getConfig<ExemptionConfig>())) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    for (const c of containersOf(pod)) {
      const sc = { ...(pod.securityContext ?? {}), ...(c.securityContext ?? {}) };
      if (!(sc.privileged !== true))
        reportViolation(`${where}: container ${c.name} is privileged; remove privileged: true`);
    }
  },
};
