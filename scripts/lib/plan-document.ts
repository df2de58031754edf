/**
 * The shape of `plan.json` (DESIGN.md "The offline plan").
 */
import type { CapacityReport } from "../../components/cost/capacity";
import type { CostEstimate } from "../../components/cost/estimate";
import type { Props } from "./mock-outputs";
import type { RecordedAlias } from "./mock-runtime";

/** One resource of the plan. */
export interface PlanResource {
  readonly urn: string;
  readonly type: string;
  readonly name: string;
  readonly parent: string | null;
  readonly custom: boolean;
  readonly dependencies: string[];
  readonly protect: boolean;
  /**
   * URN of the provider resource the resource uses (explicit providers only; default providers
   * are null). Older plans have none.
   */
  readonly provider?: string | null;
  readonly inputs: Props;
  /**
   * Beyond DESIGN.md's list, each only where it applies (older plans have none of them):
   * a hash of each secret input by property path (never the value; `inputs` keeps `"[secret]"`),
   * so the plan diff can say "secret changed".
   */
  readonly secretHashes?: Readonly<Record<string, string>>;
  /** The `ignoreChanges` resource option: inputs whose changes `pulumi up` does not apply. */
  readonly ignoreChanges?: readonly string[];
  /** The `deleteBeforeReplace` resource option, where set. */
  readonly deleteBeforeReplace?: boolean;
  /** The `aliases` resource option: the old URNs or specs this resource was known by. */
  readonly aliases?: readonly RecordedAlias[];
}

/** A policy finding. */
export interface PolicyViolation {
  readonly policy: string;
  readonly enforcementLevel: "advisory" | "mandatory" | "remediate" | "disabled";
  readonly urn: string;
  readonly message: string;
}

/** The whole `plan.json`. */
export interface PlanDocument {
  readonly project: string;
  readonly stack: string;
  readonly resources: PlanResource[];
  readonly outputs: Props;
  policy: {
    readonly pack: string | null;
    readonly violations: PolicyViolation[];
    /** Preview plans: policies that read an unknown value, which a real preview reports as advisory. */
    readonly undecided?: PolicyViolation[];
    /** Chart children fed to the pack from scripts/lib/chart-children, and the charts without a model. */
    readonly chartChildren?: { readonly fed: number; readonly unmodelled: readonly string[] };
  };
  readonly cost: CostEstimate;
  readonly capacity: CapacityReport;
  readonly manifestCount: number;
}
