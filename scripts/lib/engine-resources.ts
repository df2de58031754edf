/**
 * The resources of a run as the Pulumi engine hands them to a policy pack: every registered
 * resource (custom resources, components, providers and the stack itself), each with its inputs
 * for `Analyze` and its final outputs for `AnalyzeStack`, plus the children a provider-side
 * component (a v4 Chart) registers.
 *
 * - `Analyze` runs for every resource the program registers, on its checked inputs
 *   (pulumi/pulumi pkg/resource/deploy/step_generator.go at 1b594989: generateSteps calls
 *   analyzeAll with `inputs`, lines 1400-1469; analyzeAll builds the AnalyzerResource, 3450-3490).
 * - `AnalyzeStack` runs once on every resource of the new state with its *outputs*
 *   (step_generator.go AnalyzeResources, lines 3496-3575: `Properties: v.Outputs`, "Unlike Analyze,
 *   AnalyzeStack is called on the final outputs of each resource"), components included, whose
 *   outputs are what they registered (`registerOutputs`); a v4 Chart's are only `resources`
 *   (pulumi/pulumi-kubernetes provider/pkg/provider/helm/v4/chart.go at 94977969, ChartState
 *   lines 135-138, `comp.Resources = resources` line 316).
 * - A custom resource's outputs are what its provider returned; during a preview a new
 *   resource's outputs are its inputs with the computed properties unknown.
 */
import type { Props } from "./engine-form";
import type { RecordedResource, Recorder } from "./mock-runtime";

/** One resource as the engine describes it to the pack. */
export interface EngineResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly custom: boolean;
  readonly dependencies: readonly string[];
  readonly protect: boolean;
  /** URN of its explicit provider resource, if any. */
  readonly provider?: string | null;
  readonly deleteBeforeReplace?: boolean;
  readonly ignoreChanges?: readonly string[];
  /** Inputs in the engine's form (scripts/lib/engine-form.ts): what `Analyze` gets. */
  readonly inputs: Props;
  /** Final outputs in the engine's form: what `AnalyzeStack` gets. */
  readonly outputs: Props;
}

/** Children a provider-side component registered, by the component's URN (see ./chart-children). */
export type ComponentChildren = ReadonlyMap<string, readonly EngineResource[]>;

/** The outputs of a remote component: a v4 Chart's are references to its children. */
function remoteOutputs(r: RecordedResource, children: readonly EngineResource[]): Props {
  if (r.type !== "kubernetes:helm.sh/v4:Chart") return {};
  // A reference to a custom resource is marshaled as its ID (rpc.go KeepResources false); a
  // Kubernetes object's ID is `namespace/name` (or `name`), as the provider sets it.
  return {
    resources: children.map((c) => {
      const meta = (c.inputs.metadata ?? {}) as { name?: string; namespace?: string };
      return meta.namespace ? `${meta.namespace}/${meta.name}` : String(meta.name);
    }),
  };
}

/** Every resource of a recorded run, as the engine gives it to the pack, chart children included. */
export function engineResources(
  recorder: Recorder,
  children: ComponentChildren = new Map(),
): EngineResource[] {
  const out: EngineResource[] = [];
  for (const r of recorder.resources) {
    const inputs = r.engineInputs ?? r.inputs;
    const kids = children.get(r.urn) ?? [];
    const outputs = r.custom
      ? r.outputExtras
        ? { ...inputs, ...r.outputExtras }
        : inputs
      : r.remote
        ? remoteOutputs(r, kids)
        : (recorder.engineOutputs.get(r.urn) ?? {});
    out.push({
      urn: r.urn,
      type: r.type,
      name: r.name,
      parent: r.parent,
      custom: r.custom,
      dependencies: r.dependencies,
      protect: r.protect,
      provider: r.provider,
      ...(r.deleteBeforeReplace !== undefined ? { deleteBeforeReplace: r.deleteBeforeReplace } : {}),
      ...(r.ignoreChanges ? { ignoreChanges: r.ignoreChanges } : {}),
      inputs,
      outputs,
    });
    out.push(...kids);
  }
  return out;
}
