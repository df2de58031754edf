/**
 * Creates Kubernetes objects from rendered manifests (plain data), one Pulumi resource each,
 * named `<prefix>-<kind>-<name>` so names stay stable and readable in plans.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

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
): k8s.apiextensions.CustomResource[] {
  return objects.map((object) => {
    const meta = (object.metadata ?? {}) as Obj;
    const withNamespace =
      namespace && meta.namespace ? { ...object, metadata: { ...meta, namespace } } : object;
    return new k8s.apiextensions.CustomResource(
      objectResourceName(prefix, object),
      withNamespace as unknown as k8s.apiextensions.CustomResourceArgs,
      opts,
    );
  });
}
