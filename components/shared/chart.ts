/**
 * Helm charts are installed with `helm.v4.Chart`: the chart is rendered (like
 * `helm template --dry-run=server`) and every object becomes its own Pulumi resource. Previews
 * and plan diffs show each object, the policy pack inspects each one, there is no in-cluster
 * release state to drift, and CRDs are applied before the objects that use them.
 * The cost: Helm hooks never run. The provider renders with `DisableHooks = true` and applies only
 * the release manifest (pulumi/pulumi-kubernetes provider/pkg/provider/helm/v4/chart.go, 94977969
 * lines 230 and 255-269), so a hook Job is neither created nor awaited. Nothing may rely on one:
 * cert-manager's startupapicheck is replaced by a Job the program owns
 * (components/storage/cert-manager-check.ts); Longhorn's pre-upgrade checker is off and its
 * uninstall Job is a manual step (docs/runbooks/longhorn-uninstall.md).
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
  /** `skipCrds`: leave out the chart's crds/ folder. @default false */
  options: { readonly skipCrds?: boolean } = {},
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
      ...(options.skipCrds ? { skipCrds: true } : {}),
    },
    opts,
  );
}
