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
/** Containers run as a non-root user. */
export const kubernetesPodRequireRunAsNonRoot: ResourceValidationPolicy = {
  name: "kubernetes-pod-require-run-as-non-root",
  description: "Containers run as a non-root user.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set securityContext.runAsNonRoot: true (components/shared/pod.ts does).",
  configSchema: EXEMPTION_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    if (exemption(namespaceOf(args.props), "run-as-non-root", args.getConfig<ExemptionConfig>())) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    for (const c of containersOf(pod)) {
      const sc = { ...(pod.securityContext ?? {}), ...(c.securityContext ?? {}) };
      if (!(sc.runAsNonRoot === true))
        reportViolation(
          `${where}: container ${c.name} may run as root; set securityContext.runAsNonRoot: true`,
        );
    }
  },
};
