/**
 * Helpers for policies on Helm charts. A `helm.v4.Chart` is a provider-side component: `Analyze`
 * gets its inputs (chart, version, values, namespace, ...), since the engine analyzes every
 * registered resource on its inputs (pulumi/pulumi pkg/resource/deploy/step_generator.go at
 * 1b594989, lines 1400-1469), while `AnalyzeStack` gets its outputs, which hold only `resources`
 * (pulumi-kubernetes provider/pkg/provider/helm/v4/chart.go at 94977969, ChartState lines
 * 135-138). So what a chart is installed with is checked on the Chart's inputs, by a resource
 * policy; what it renders is checked on its children, each analyzed like any other object.
 */
import type { ResourceValidationArgs } from "@pulumi/policy";

// biome-ignore lint/suspicious/noExplicitAny: values are untyped JSON
type Obj = Record<string, any>;

/** The type token of a v4 Chart (and v3's, which renders client-side into the same children). */
export const CHART_TYPES = ["kubernetes:helm.sh/v4:Chart", "kubernetes:helm.sh/v3:Chart"];

/** The chart name and values of a Chart resource's inputs, or undefined for any other resource. */
export function chartOf(
  args: Pick<ResourceValidationArgs, "type" | "props">,
): { chart: string; values: Obj } | undefined {
  if (!CHART_TYPES.includes(args.type)) return undefined;
  const chart = String(args.props.chart ?? "");
  // `chart` may be `repo/name` or an OCI reference; the last path segment is the chart's name.
  return { chart: chart.split("/").at(-1) ?? chart, values: (args.props.values ?? {}) as Obj };
}

/** The value at a dotted path (`a.b.c`), or undefined. */
export function valueAt(values: Obj, path: string): unknown {
  let v: unknown = values;
  for (const key of path.split(".")) {
    if (v === null || typeof v !== "object") return undefined;
    v = (v as Obj)[key];
  }
  return v;
}
