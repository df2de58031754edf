import type { ResourceValidationPolicy } from "@pulumi/policy";
import { isKubernetesObject, namespaceOf } from "../lib/k8s";

/**
 * A Job's clean-up fits who owns it. A Job the program creates as a Pulumi resource must not set
 * `ttlSecondsAfterFinished`: the TTL controller deletes it, the next `pulumi refresh` (the deploy,
 * preview and drift workflows all refresh) reads a 404 as "deleted" and drops it from the state
 * (pulumi-kubernetes provider/pkg/provider/provider.go Read), so every later preview plans it again
 * and an update of it fails on the Get (provider/pkg/await/await.go Update). Pulumi keeps one
 * finished pod per such Job and replaces the Job when its template changes. Jobs a CronJob starts
 * are nobody's resource: their template sets a TTL so finished pods do not pile up.
 */
export const kubernetesJobRequireTtlByOwner: ResourceValidationPolicy = {
  name: "kubernetes-job-require-ttl-by-owner",
  description:
    "Jobs Pulumi owns set no ttlSecondsAfterFinished (refresh would drop them); CronJob job templates set one.",
  enforcementLevel: "advisory",
  severity: "low",
  remediationSteps:
    "Remove spec.ttlSecondsAfterFinished from a Job created as a Pulumi resource; set spec.jobTemplate.spec.ttlSecondsAfterFinished on a CronJob.",
  validateResource: (args, reportViolation) => {
    if (!isKubernetesObject(args.type, args.props)) return;
    const where = `${args.props.kind} ${namespaceOf(args.props)}/${args.props.metadata?.name}`;
    if (args.props.kind === "Job" && args.props.spec?.ttlSecondsAfterFinished !== undefined) {
      reportViolation(
        `${where}: ttlSecondsAfterFinished deletes a Job Pulumi owns; the next refresh drops it from the state and plans it again`,
      );
    }
    if (
      args.props.kind === "CronJob" &&
      args.props.spec?.jobTemplate?.spec?.ttlSecondsAfterFinished === undefined
    ) {
      reportViolation(
        `${where}: no ttlSecondsAfterFinished in the job template; finished pods would pile up`,
      );
    }
  },
};
