/**
 * The stack a resource belongs to, read from its URN (`urn:pulumi:<stack>::<project>::<type>::<name>`,
 * pulumi sdk/go/common/resource/urn.go `NewURN`). Per-resource policies see no stack view, so
 * this is how they tell production from staging without a stack policy.
 */

/** The pack config of the production-only policies. */
export const PRODUCTION_STACKS_SCHEMA = {
  properties: {
    productionStacks: {
      type: "array" as const,
      items: { type: "string" as const },
      description: "Stack names that are production (the stack part of each resource's URN)",
      default: ["production"],
    },
  },
};

/** The stack name of a URN (undefined when it is not a URN). */
export function stackOfUrn(urn: string): string | undefined {
  const match = /^urn:pulumi:([^:]+)::/.exec(urn);
  return match?.[1];
}

/** Whether the resource with this URN is in a production stack, per the pack config. */
export function isProductionUrn(urn: string, config: { productionStacks?: readonly string[] } = {}): boolean {
  const stack = stackOfUrn(urn);
  return stack !== undefined && (config.productionStacks ?? ["production"]).includes(stack);
}
