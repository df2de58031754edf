/**
 * Creates Kubernetes objects from rendered manifests (plain data), one Pulumi resource each,
 * named `<prefix>-<kind>-<name>` so names stay stable and readable in plans. Each object gets the
 * class its apiVersion/kind calls for (see `./kinds`): typed classes for built-in kinds.
 */
import type * as pulumi from "@pulumi/pulumi";
import { createObject } from "./kinds";

type Obj = Record<string, unknown>;

/** Resource name of a rendered object. */
export function objectResourceName(prefix: string, object: Obj): string {
  const meta = (object.metadata ?? {}) as Obj;
  return `${prefix}-${String(object.kind).toLowerCase()}-${String(meta.name)}`;
}

/**
 * One resource per object. `namespace`, when given, replaces each namespaced object's namespace
 * with an Output so the objects wait for the Namespace resource.
 */
export function createObjects(
  prefix: string,
  objects: readonly Obj[],
  opts: pulumi.CustomResourceOptions,
  namespace?: pulumi.Input<string>,
): pulumi.CustomResource[] {
  return objects.map((object) => {
    const meta = (object.metadata ?? {}) as Obj;
    const withNamespace =
      namespace && meta.namespace ? { ...object, metadata: { ...meta, namespace } } : object;
    return createObject(objectResourceName(prefix, object), withNamespace, opts);
  });
}

/**
 * Replaces string leaves equal to a placeholder with a value that may be an Output. Renderers stay
 * pure (they take strings); components fill in values known only at deploy time.
 */
export function fillPlaceholders(
  value: unknown,
  replacements: Record<string, pulumi.Input<string>>,
): unknown {
  if (typeof value === "string") return value in replacements ? replacements[value] : value;
  if (Array.isArray(value)) return value.map((v) => fillPlaceholders(v, replacements));
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, fillPlaceholders(v, replacements)]));
  }
  return value;
}
