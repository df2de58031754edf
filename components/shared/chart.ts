/**
 * Helm charts are installed with `helm.v4.Chart`: the chart is rendered (like
 * `helm template --dry-run=server`) and every object becomes its own Pulumi resource. Previews
 * and plan diffs show each object, the policy pack inspects each one, there is no in-cluster
 * release state to drift, and CRDs are applied before the objects that use them.
 * The cost: Helm hooks run as ordinary resources, so charts are configured without the hooks
 * they do not need (e.g. Longhorn's pre-upgrade checker).
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import type { ChartPin } from "../versions";

/** Installs a pinned chart into a namespace with typed values. */
export function installChart<V extends object>(
  name: string,
  pin: ChartPin,
  namespace: pulumi.Input<string>,
  values: V,
  opts: pulumi.ComponentResourceOptions,
): k8s.helm.v4.Chart {
  return new k8s.helm.v4.Chart(
    name,
    {
      chart: pin.chart,
      version: pin.version,
      repositoryOpts: { repo: pin.repository },
      namespace,
      values: values as Record<string, unknown>,
      skipAwait: false,
    },
    opts,
  );
}
