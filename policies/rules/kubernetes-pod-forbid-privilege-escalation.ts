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
/** Containers cannot gain privileges (no setuid escalation). */
export const kubernetesPodForbidPrivilegeEscalation: ResourceValidationPolicy = {
  name: "kubernetes-pod-forbid-privilege-escalation",
  description: "Containers cannot gain privileges (no setuid escalation).",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set securityContext.allowPrivilegeEscalation: false.",
  configSchema: EXEMPTION_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    if (exemption(namespaceOf(args.props), "privileged", args.getConfig<ExemptionConfig>())) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    for (const c of containersOf(pod)) {
      const sc = { ...(pod.securityContext ?? {}), ...(c.securityContext ?? {}) };
      if (!(sc.allowPrivilegeEscalation === false))
        reportViolation(
          `${where}: container ${c.name} allows privilege escalation; set allowPrivilegeEscalation: false`,
        );
    }
  },
};
