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
/** Containers run with the RuntimeDefault (or a Localhost) seccomp profile. */
export const kubernetesPodRequireSeccompRuntimeDefault: ResourceValidationPolicy = {
  name: "kubernetes-pod-require-seccomp-runtime-default",
  description: "Containers run with the RuntimeDefault (or a Localhost) seccomp profile.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps: "Set securityContext.seccompProfile.type: RuntimeDefault on the pod.",
  configSchema: EXEMPTION_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    if (exemption(namespaceOf(args.props), "privileged", args.getConfig<ExemptionConfig>())) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    for (const c of containersOf(pod)) {
      const sc = { ...(pod.securityContext ?? {}), ...(c.securityContext ?? {}) };
      if (!["RuntimeDefault", "Localhost"].includes(sc.seccompProfile?.type))
        reportViolation(
          `${where}: container ${c.name} has no RuntimeDefault seccomp profile; set seccompProfile.type: RuntimeDefault`,
        );
    }
  },
};
