import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isKubernetesObject, namespaceOf } from "../lib/k8s";

/**
 * Every Job, and every Job a CronJob starts, has `activeDeadlineSeconds`: without one a Job whose
 * pod hangs (an image pull that never finishes, a wait on an API that never answers) runs forever,
 * keeps its pod's quota and, for a Job Pulumi awaits, holds the deploy until its timeout.
 * `backoffLimit` does not bound time: it counts failures, and a hanging pod never fails.
 * The charts' own Jobs are all Helm hooks (Longhorn 1.12.1 chart/templates/{pre,post}upgrade-job.yaml
 * and uninstall-job.yaml, cert-manager v1.20.2 startupapicheck-job.yaml, kube-prometheus-stack
 * 88.5.3 admission-webhooks/job-patch/*.yaml), which helm.v4.Chart never renders
 * (pulumi-kubernetes provider/pkg/provider/helm/v4/chart.go DisableHooks), so only the program's
 * Jobs reach this check.
 */
export const kubernetesJobRequireDeadline: ResourceValidationPolicy = {
  name: "kubernetes-job-require-deadline",
  description:
    "Every Job and CronJob job template sets activeDeadlineSeconds, so a hanging pod cannot run (and hold a deploy) forever.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Set spec.activeDeadlineSeconds on the Job (see components/storage/cert-manager-check.ts) or spec.jobTemplate.spec.activeDeadlineSeconds on the CronJob.",
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    const spec =
      args.props.kind === "Job"
        ? args.props.spec
        : args.props.kind === "CronJob"
          ? args.props.spec?.jobTemplate?.spec
          : undefined;
    if (spec === undefined && !["Job", "CronJob"].includes(args.props.kind)) return;
    const deadline = spec?.activeDeadlineSeconds;
    if (typeof deadline !== "number" || deadline <= 0) {
      const field = args.props.kind === "Job" ? "spec" : "spec.jobTemplate.spec";
      reportViolation(
        `${where}: no ${field}.activeDeadlineSeconds; a pod that hangs would run forever. Set a deadline`,
      );
    }
  },
};
