import type { StackValidationPolicy } from "@pulumi/policy";
import { environmentOf, kubernetesObjects } from "../lib/stack";

/** In production the entry point and the auth service survive one pod or node going away. */
export const stackProductionRequireReplicas: StackValidationPolicy = {
  name: "stack-production-require-replicas",
  description: "In production, cloudflared, Janua and the control plane run 2 or more replicas.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps: "Set cloudflare.tunnelReplicas, janua.replicas and controlPlane.*Replicas to 2 or more.",
  validateStack: (args, reportViolation) => {
    if (environmentOf(args.resources) !== "production") return;
    for (const { resource, props } of kubernetesObjects(args.resources)) {
      if (
        props.kind !== "Deployment" ||
        !["cloudflared", "janua", "switchyard-api", "switchyard-ui"].includes(props.metadata?.name)
      )
        continue;
      if ((props.spec?.replicas ?? 1) < 2) {
        reportViolation(
          `${props.metadata.namespace}/${props.metadata.name} runs ${props.spec?.replicas ?? 1} replica in production; run 2 or more`,
          resource.urn,
        );
      }
    }
  },
};
