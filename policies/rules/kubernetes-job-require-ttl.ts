import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isKubernetesObject, namespaceOf } from "../lib/k8s";
/** Jobs clean up after themselves (ttlSecondsAfterFinished). */
export const kubernetesJobRequireTtl: ResourceValidationPolicy = {
  name: "kubernetes-job-require-ttl",
  description: "Jobs clean up after themselves (ttlSecondsAfterFinished).",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps: "Set spec.ttlSecondsAfterFinished on Jobs (and on CronJob job templates).",
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const spec =
      args.props.kind === "Job"
        ? args.props.spec
        : args.props.kind === "CronJob"
          ? args.props.spec?.jobTemplate?.spec
          : undefined;
    if (spec && spec.ttlSecondsAfterFinished === undefined) {
      reportViolation(
        `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}: no ttlSecondsAfterFinished; finished pods would pile up`,
      );
    }
  },
};
