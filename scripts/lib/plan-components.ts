/**
 * Helpers shared by the plan summary, the plan diff and the diagram: which component a resource
 * belongs to, and a URN without its stack so two stacks' plans can be matched.
 */
import type { PlanDocument, PlanResource } from "./plan-document";

/** Index of a plan's resources by URN. */
export function indexByUrn(plan: Pick<PlanDocument, "resources">): Map<string, PlanResource> {
  return new Map(plan.resources.map((r) => [r.urn, r]));
}

/** The nearest enclosing component (not the stack itself) of a parent URN, as `type name`. */
export function componentOf(byUrn: Map<string, PlanResource>, parent: string | null): string {
  let current = parent ? byUrn.get(parent) : undefined;
  while (current) {
    if (!current.custom && current.type !== "pulumi:pulumi:Stack") return `${current.type} ${current.name}`;
    current = current.parent ? byUrn.get(current.parent) : undefined;
  }
  return "(stack)";
}

/**
 * `urn:pulumi:<stack>::<project>::<type chain>::<name>` without `urn:pulumi:<stack>::`, so the
 * same resource of two stacks (staging and production, or one stack before and after a change)
 * has the same key.
 */
export function stackFreeUrn(urn: string): string {
  return urn.replace(/^urn:pulumi:[^:]+::/, "");
}
