/**
 * The shape of `plan.json` (DESIGN.md "The offline plan").
 */
import type { CapacityReport } from "../../components/cost/capacity";
import type { CostEstimate } from "../../components/cost/estimate";
import type { Props } from "./mock-outputs";

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
  policy: { readonly pack: string | null; readonly violations: PolicyViolation[] };
  readonly cost: CostEstimate;
  readonly capacity: CapacityReport;
  readonly manifestCount: number;
}
