import type { StackValidationPolicy } from "@pulumi/policy";
import { kubernetesObjects, selects } from "../lib/stack";

/** Replicated workloads have a PodDisruptionBudget, so a node drain never takes them all down. */
export const kubernetesWorkloadRequirePdb: StackValidationPolicy = {
  name: "kubernetes-workload-require-pdb",
  description: "Workloads with 2 or more replicas have a PodDisruptionBudget selecting their pods.",
  enforcementLevel: "advisory",
  severity: "medium",
  remediationSteps: "Add a PodDisruptionBudget with minAvailable: 1 and the workload's selector labels.",
  validateStack: (args, reportViolation) => {
    const objects = kubernetesObjects(args.resources);
    const pdbs = objects.filter((o) => o.props.kind === "PodDisruptionBudget");
    for (const { resource, props } of objects) {
      if (!["Deployment", "StatefulSet"].includes(props.kind) || (props.spec?.replicas ?? 1) < 2) continue;
      const labels = props.spec?.template?.metadata?.labels;
      const covered = pdbs.some(
        (p) =>
          p.props.metadata?.namespace === props.metadata?.namespace &&
          selects(p.props.spec?.selector, labels),
      );
      if (!covered) {
        reportViolation(
          `${props.kind} ${props.metadata?.namespace}/${props.metadata?.name} has ${props.spec.replicas} replicas and no PodDisruptionBudget`,
          resource.urn,
        );
      }
    }
  },
};
