/**
 * Helpers for stack policies: the planned Kubernetes objects and the stack's environment.
 */
import type { PolicyResource } from "@pulumi/policy";
import { isKubernetesObject } from "./k8s";

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped JSON
type Obj = Record<string, any>;

/** The Kubernetes objects among the stack's resources. */
export function kubernetesObjects(
  resources: readonly PolicyResource[],
): { resource: PolicyResource; props: Obj }[] {
  return resources
    .filter((r) => isKubernetesObject(r.type, r.props))
    .map((r) => ({ resource: r, props: r.props as Obj }));
}

/** The environment the platform's namespaces are labelled with (`enclii.dev/environment`). */
export function environmentOf(resources: readonly PolicyResource[]): string | undefined {
  for (const { props } of kubernetesObjects(resources)) {
    const env = props.kind === "Namespace" ? props.metadata?.labels?.["enclii.dev/environment"] : undefined;
    if (typeof env === "string") return env;
  }
  return undefined;
}

/** Whether a label selector's matchLabels all appear in `labels`. */
export function selects(selector: Obj | undefined, labels: Obj | undefined): boolean {
  const wanted = selector?.matchLabels ?? {};
  return Object.keys(wanted).length > 0 && Object.entries(wanted).every(([k, v]) => labels?.[k] === v);
}
