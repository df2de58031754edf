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
/** Containers drop all Linux capabilities. */
export const kubernetesPodRequireDropAllCapabilities: ResourceValidationPolicy = {
  name: "kubernetes-pod-require-drop-all-capabilities",
  description: "Containers drop all Linux capabilities.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set securityContext.capabilities.drop: [ALL] and add back only what is needed.",
  configSchema: EXEMPTION_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    if (exemption(namespaceOf(args.props), "capabilities", args.getConfig<ExemptionConfig>())) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    for (const c of containersOf(pod)) {
      const sc = { ...(pod.securityContext ?? {}), ...(c.securityContext ?? {}) };
      if (!(sc.capabilities?.drop ?? []).includes("ALL"))
        reportViolation(
          `${where}: container ${c.name} does not drop ALL capabilities; set capabilities.drop: [ALL]`,
        );
    }
  },
};
