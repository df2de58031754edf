import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { estimateInventory, quantityToGiB } from "../../components/cost/estimate";

/** Days of a retention such as `30d` or `2w`. */
function days(retention: unknown): number {
  const m = /^(\d+)([dwmy])$/.exec(String(retention ?? ""));
  if (!m) return 30;
  return Number(m[1]) * { d: 1, w: 7, m: 30, y: 365 }[m[2] as "d" | "w" | "m" | "y"];
}

/** The estimate of what the planned resources cost, with the same model as the plan summary. */
export function estimateResources(resources: readonly PolicyResource[], budgetUsd: number) {
  const clusters = resources.filter(
    (r) => r.props?.kind === "Cluster" && String(r.props?.apiVersion).startsWith("postgresql.cnpg.io/"),
  );
  const stores = resources.filter((r) => r.props?.kind === "ObjectStore");
  return estimateInventory({
    nodes: [
      ...resources
        .filter((r) => r.type === "pulumi-nodejs:dynamic/enclii:RobotFirewall")
        .map((r) => ({ name: String(r.props.serverNumber), kind: "dedicated" as const, key: "AX41-NVMe" })),
      ...resources
        .filter((r) => r.type === "hcloud:index/server:Server")
        .map((r) => ({
          name: String(r.props.name),
          kind: "cloud" as const,
          key: String(r.props.serverType),
        })),
    ],
    databaseGiB: clusters.reduce(
      (n, c) => n + quantityToGiB(String(c.props.spec?.storage?.size ?? "0Gi")),
      0,
    ),
    retentionDays: Math.max(1, ...stores.map((s) => days(s.props.spec?.retentionPolicy))),
    customHostnames: resources.filter((r) => r.type === "cloudflare:index/customHostname:CustomHostname")
      .length,
    budgetUsd,
  });
}

/** The stack's estimated monthly cost stays within its budget. */
export const stackCostRequireWithinBudget: StackValidationPolicy = {
  name: "stack-cost-require-within-budget",
  description:
    "The estimated monthly cost (dated prices in components/cost/prices.ts) stays within budget.monthlyUsd.",
  enforcementLevel: "mandatory",
  severity: "medium",
  remediationSteps:
    "Remove a node or raise budget.monthlyUsd (pass it to the pack as config budgetMonthlyUsd).",
  configSchema: { properties: { budgetMonthlyUsd: { type: "number", default: 100 } } },
  validateStack: (args, reportViolation) => {
    const budget = Number(args.getConfig<{ budgetMonthlyUsd: number }>().budgetMonthlyUsd ?? 100);
    const estimate = estimateResources(args.resources, budget);
    if (!estimate.withinBudget) {
      reportViolation(
        `estimated $${estimate.totalUsd.toFixed(2)}/month exceeds the budget of $${budget.toFixed(2)}: ${estimate.lines.map((l) => `${l.item} $${l.monthlyUsd}`).join(", ")}`,
      );
    }
  },
};
