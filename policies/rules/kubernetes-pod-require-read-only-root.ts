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
/** Containers have a read-only root filesystem. */
export const kubernetesPodRequireReadOnlyRoot: ResourceValidationPolicy = {
  name: "kubernetes-pod-require-read-only-root",
  description: "Containers have a read-only root filesystem.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Set securityContext.readOnlyRootFilesystem: true and mount an emptyDir where the app writes.",
  configSchema: EXEMPTION_SCHEMA,
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const pod = podSpecOf(args.props);
    if (!pod) return;
    if (exemption(namespaceOf(args.props), "read-only-root", args.getConfig<ExemptionConfig>())) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    for (const c of containersOf(pod)) {
      const sc = { ...(pod.securityContext ?? {}), ...(c.securityContext ?? {}) };
      if (!(sc.readOnlyRootFilesystem === true))
        reportViolation(
          `${where}: container ${c.name} has a writable root filesystem; set readOnlyRootFilesystem: true and mount emptyDirs for scratch space`,
        );
    }
  },
};
