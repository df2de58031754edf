/**
 * The children a `helm.v4.Chart` registers under the real engine, for the charts the program
 * installs: the provider renders the chart and registers every object as a resource parented to
 * the Chart, named `<chart resource name>:<namespace>/<name>` (or `:<name>` when cluster-scoped)
 * with the type `kubernetes:<group/version>:<Kind>` (pulumi-kubernetes at 94977969:
 * provider/pkg/provider/helm/v4/chart.go lines 183-186 and 297-316, ResourcePrefix defaults to the
 * Chart's name; provider/pkg/provider/yaml/v2/yaml.go register, lines 339-352). The engine calls
 * `Analyze` for each of them and includes them in `AnalyzeStack`. Under the mock runtime nothing is
 * rendered, so the children come from the models beside this file.
 */
import { isSecretValue, type Props } from "../engine-form";
import type { EngineResource } from "../engine-resources";
import type { Recorder } from "../mock-runtime";
import { certManagerModel } from "./cert-manager";
import { kubePrometheusStackModel } from "./kube-prometheus-stack";
import type { ChartModel, Obj } from "./model";

/** The charts with a model, by chart name. */
export const CHART_MODELS: Readonly<Record<string, ChartModel>> = {
  [certManagerModel.chart]: certManagerModel,
  [kubePrometheusStackModel.chart]: kubePrometheusStackModel,
};

/** Values as the provider renders them: secrets in clear (it renders the chart with them). */
function reveal(value: unknown): unknown {
  if (isSecretValue(value)) return reveal(value.value);
  if (Array.isArray(value)) return value.map(reveal);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value as Obj).map(([k, v]) => [k, reveal(v)]));
}

/** The type token of a Kubernetes object (`core/v1` for the core group). */
export function typeToken(object: Obj): string {
  const apiVersion = String(object.apiVersion);
  return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${object.kind}`;
}

/** One rendered object as the child resource the engine registers under `chart`. */
function child(chart: { urn: string; name: string; provider?: string | null }, object: Obj): EngineResource {
  const meta = object.metadata ?? {};
  const type = typeToken(object);
  const name = `${chart.name}:${meta.namespace ? `${meta.namespace}/` : ""}${meta.name}`;
  // A child's URN qualifies its type with its parent's: `<parent type>$<type>`.
  const [prefix, qualified] = [chart.urn.split("::").slice(0, 2).join("::"), chart.urn.split("::")[2]];
  return {
    urn: `${prefix}::${qualified}$${type}::${name}`,
    type,
    name,
    parent: chart.urn,
    custom: true,
    dependencies: [],
    protect: false,
    provider: chart.provider ?? null,
    inputs: object,
    outputs: object,
  };
}

/** Result of {@link chartChildren}. */
export interface ChartChildren {
  /** The children of each modelled Chart, by the Chart's URN. */
  readonly children: Map<string, EngineResource[]>;
  /** Charts without a model (`chart@version`): their children are not fed to the pack. */
  readonly unmodelled: string[];
}

/** The children every recorded v4 Chart would register, rendered by its model. */
export function chartChildren(recorder: Recorder): ChartChildren {
  const children = new Map<string, EngineResource[]>();
  const unmodelled: string[] = [];
  for (const r of recorder.resources) {
    if (r.type !== "kubernetes:helm.sh/v4:Chart") continue;
    const inputs = (r.engineInputs ?? r.inputs) as Props;
    const model = CHART_MODELS[String(inputs.chart)];
    if (!model) {
      unmodelled.push(`${String(inputs.chart)}@${String(inputs.version)}`);
      continue;
    }
    const release = {
      name: typeof inputs.name === "string" ? inputs.name : r.name,
      namespace: String(inputs.namespace ?? "default"),
    };
    const objects = model.render(release, reveal(inputs.values ?? {}) as Obj);
    children.set(
      r.urn,
      objects.map((o) => child(r, o)),
    );
  }
  return { children, unmodelled };
}
