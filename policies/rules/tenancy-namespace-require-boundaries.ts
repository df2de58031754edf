import type { StackValidationPolicy } from "@pulumi/policy";
import { kubernetesObjects } from "../lib/stack";

/** Tenant namespaces are bounded: a quota, a limit range and a default-deny policy. */
export const tenancyNamespaceRequireBoundaries: StackValidationPolicy = {
  name: "tenancy-namespace-require-boundaries",
  description: "Each tenant namespace has a ResourceQuota, a LimitRange and a default-deny NetworkPolicy.",
  enforcementLevel: "mandatory",
  severity: "high",
  remediationSteps:
    "Create tenants with the enclii:tenancy:Tenant component, which renders all three from the tier.",
  validateStack: (args, reportViolation) => {
    const objects = kubernetesObjects(args.resources);
    const kindsIn = (ns: string) =>
      new Set(
        objects
          .filter((o) => o.props.metadata?.namespace === ns)
          .map((o) =>
            o.props.kind === "NetworkPolicy" ? `NetworkPolicy/${o.props.metadata?.name}` : o.props.kind,
          ),
      );
    for (const { resource, props } of objects) {
      if (props.kind !== "Namespace" || !props.metadata?.labels?.["enclii.dev/tenant"]) continue;
      const name = props.metadata.name;
      if (!name.startsWith("tenant-")) continue;
      const kinds = kindsIn(name);
      for (const needed of ["ResourceQuota", "LimitRange", "NetworkPolicy/default-deny"]) {
        if (!kinds.has(needed)) reportViolation(`tenant namespace ${name} has no ${needed}`, resource.urn);
      }
    }
  },
};
