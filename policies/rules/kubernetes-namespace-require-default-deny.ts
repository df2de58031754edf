import type { StackValidationPolicy } from "@pulumi/policy";
import { EXEMPTION_SCHEMA, type ExemptionConfig, exemption } from "../lib/k8s";
import { kubernetesObjects } from "../lib/stack";
import { ifKnown, reportAt, UNDECIDED_PREFIX } from "../lib/unknown";

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
    const denied = new Set<string>();
    // Namespaces with a NetworkPolicy a preview does not know yet: it may be their default deny.
    const maybe = new Map<string, string>();
    for (const { resource, props } of objects) {
      if (props.kind !== "NetworkPolicy") continue;
      const namespace = props.metadata?.namespace;
      const isDeny = ifKnown(() => {
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
      });
      if (isDeny === undefined) maybe.set(namespace, resource.urn);
      else if (isDeny) denied.add(namespace);
    }
    for (const { resource, props } of objects) {
      if (props.kind !== "Namespace") continue;
      const name = props.metadata?.name;
      if (denied.has(name) || exemption(name, "default-deny", args.getConfig<ExemptionConfig>())) continue;
      if (maybe.has(name)) {
        reportAt(
          reportViolation,
          "advisory",
          `${UNDECIDED_PREFIX} namespace ${name} has no known default-deny NetworkPolicy; ${maybe.get(name)} is not known until it is created`,
          resource.urn,
        );
        continue;
      }
      reportViolation(`namespace ${name} has no default-deny NetworkPolicy`, resource.urn);
    }
  },
};
