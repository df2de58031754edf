import type { StackValidationPolicy } from "@pulumi/policy";
import { EXEMPTION_SCHEMA, type ExemptionConfig, exemption } from "../lib/k8s";
import { kubernetesObjects } from "../lib/stack";

/** Every namespace the stack creates starts from a default-deny NetworkPolicy. */
export const kubernetesNamespaceRequireDefaultDeny: StackValidationPolicy = {
  name: "kubernetes-namespace-require-default-deny",
  description: "Every namespace has a NetworkPolicy that denies all ingress and egress by default.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Create the namespace with components/shared/namespace.ts renderDefaultDeny beside it, then allow what is needed.",
  configSchema: EXEMPTION_SCHEMA,
  validateStack: (args, reportViolation) => {
    const objects = kubernetesObjects(args.resources);
    const denied = new Set(
      objects
        .filter(({ props }) => props.kind === "NetworkPolicy")
        .filter(({ props }) => {
          const spec = props.spec ?? {};
          const types: string[] = spec.policyTypes ?? [];
          const empty = Object.keys(spec.podSelector ?? {}).length === 0;
          return (
            empty &&
            types.includes("Ingress") &&
            types.includes("Egress") &&
            !spec.ingress?.length &&
            !spec.egress?.length
          );
        })
        .map(({ props }) => props.metadata?.namespace),
    );
    for (const { resource, props } of objects) {
      if (props.kind !== "Namespace") continue;
      const name = props.metadata?.name;
      if (denied.has(name) || exemption(name, "default-deny", args.getConfig<ExemptionConfig>())) continue;
      reportViolation(`namespace ${name} has no default-deny NetworkPolicy`, resource.urn);
    }
  },
};
