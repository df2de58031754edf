/**
 * `summary.md` of a plan: resources per component and type, policy results, cost, capacity and
 * monitoring.
 */
import type { CapacityReport } from "../../components/cost/capacity";
import type { CostEstimate } from "../../components/cost/estimate";
import { MANAGED_ALTERNATIVES, SEED_TARGET } from "../../components/cost/prices";
import { renderDiagram } from "./diagram";
import { monitoringSection } from "./monitoring-summary";
import { componentOf } from "./plan-components";
import type { PlanDocument } from "./plan-document";

function table(header: string[], rows: (string | number)[][]): string {
  const lines = [`| ${header.join(" | ")} |`, `| ${header.map(() => "---").join(" | ")} |`];
  for (const row of rows) lines.push(`| ${row.join(" | ")} |`);
  return lines.join("\n");
}

function costSection(cost: CostEstimate): string {
  const rows = cost.lines.map((l) => [l.item, l.quantity, `$${l.monthlyUsd.toFixed(2)}`, l.basis]);
  rows.push(["**total**", "", `**$${cost.totalUsd.toFixed(2)}**`, `budget $${cost.budgetUsd.toFixed(2)}`]);
  const verdict = cost.withinBudget ? "within budget" : "**over budget**";
  const warnings = cost.warnings.map((w) => `- warning: ${w}`).join("\n");
  const parts = [
    `## Estimated monthly cost (${verdict})`,
    "",
    table(["item", "qty", "USD/month", "basis"], rows),
  ];
  if (warnings) parts.push("", warnings);
  parts.push("", comparisonSection(cost));
  return parts.join("\n");
}

/** The estimate against the seed's target and the managed alternatives it names. */
export function comparisonSection(cost: CostEstimate): string {
  const rows: (string | number)[][] = [
    ["**this stack (estimate above)**", `$${cost.totalUsd.toFixed(2)}`, ""],
    [SEED_TARGET.name, `$${SEED_TARGET.monthlyUsd.toFixed(2)}`, SEED_TARGET.basis],
    ...MANAGED_ALTERNATIVES.map((a) => [a.name, `$${a.monthlyUsd.toFixed(2)}`, a.basis]),
  ];
  const vsTarget = cost.totalUsd - SEED_TARGET.monthlyUsd;
  return [
    "### Compared with the plan's target and managed alternatives",
    "",
    table(["", "USD/month", "basis"], rows),
    "",
    `This stack is ${vsTarget <= 0 ? `$${(-vsTarget).toFixed(2)} under` : `$${vsTarget.toFixed(2)} over`} the $${SEED_TARGET.monthlyUsd} target. The alternatives' figures are the planning document's claims for its workload, not prices checked here.`,
  ].join("\n");
}

function capacitySection(c: CapacityReport): string {
  const fmt = (a: { cpu: number; memoryGiB: number }) => [a.cpu.toFixed(2), a.memoryGiB.toFixed(1)];
  const rows: (string | number)[][] = [
    ...c.nodes.map((n) => [`node ${n.name} (allocatable)`, ...fmt({ cpu: n.cpu, memoryGiB: n.memoryGiB })]),
    [
      `**allocatable x ${c.overcommit} overcommit**`,
      ...fmt({ cpu: c.allocatable.cpu * c.overcommit, memoryGiB: c.allocatable.memoryGiB * c.overcommit }),
    ],
    ...c.items.map((i) => [`platform: ${i.item}`, ...fmt(i.amount)]),
    ["**platform requests**", ...fmt(c.platform)],
    ["**tenant quota requests**", ...fmt(c.tenants)],
    [
      c.fits ? "**free**" : "**over capacity by**",
      ...fmt(c.fits ? c.free : { cpu: -c.free.cpu, memoryGiB: -c.free.memoryGiB }),
    ],
  ];
  const fit = Object.entries(c.stillFit)
    .map(([tier, n]) => `${n} ${tier}`)
    .join(", ");
  return [
    "## Capacity",
    "",
    table(["", "CPU (cores)", "memory (GiB)"], rows),
    "",
    `Tenants that still fit: ${fit}.`,
  ].join("\n");
}

/** Renders the summary of a plan. */
export function renderSummary(plan: PlanDocument, seconds: number): string {
  // Provider-side components (Helm charts, YAML files) are planned resources too.
  const custom = plan.resources.filter((r) => r.custom || r.type.startsWith("kubernetes:"));
  const groups = new Map<string, Map<string, number>>();
  const byUrn = new Map(plan.resources.map((r) => [r.urn, r]));
  for (const r of custom) {
    const component = componentOf(byUrn, r.parent);
    const types = groups.get(component) ?? new Map<string, number>();
    types.set(r.type, (types.get(r.type) ?? 0) + 1);
    groups.set(component, types);
  }
  const resourceRows: (string | number)[][] = [];
  for (const [component, types] of [...groups].sort(([a], [b]) => a.localeCompare(b))) {
    for (const [type, count] of [...types].sort(([a], [b]) => a.localeCompare(b))) {
      resourceRows.push([component, type, count]);
    }
  }
  const violations = plan.policy.violations;
  const policy =
    plan.policy.pack === null
      ? "No policy pack is wired into the offline plan yet; `policy.violations` is empty."
      : violations.length === 0
        ? `Policy pack ${plan.policy.pack}: no violations.`
        : table(
            ["policy", "level", "resource", "message"],
            violations.map((v) => [v.policy, v.enforcementLevel, v.urn, v.message]),
          );
  return [
    `# Plan: ${plan.project} / ${plan.stack}`,
    "",
    `${custom.length} resources in ${groups.size} components, ${plan.manifestCount} Kubernetes manifests; planned offline in ${seconds.toFixed(1)} s.`,
    "",
    "## Resources per component and type",
    "",
    table(["component", "type", "count"], resourceRows),
    "",
    "## Policy",
    "",
    policy,
    "",
    costSection(plan.cost),
    "",
    capacitySection(plan.capacity),
    "",
    monitoringSection(plan),
    "",
    "## Diagram",
    "",
    "```mermaid",
    renderDiagram(plan).trimEnd(),
    "```",
    "",
  ].join("\n");
}
