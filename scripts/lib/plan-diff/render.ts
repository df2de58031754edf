/**
 * Renders a plan diff as Markdown (pull-request comments: counts first, details collapsed) or as
 * plain text (terminals). Both stay readable at hundreds of changed resources: details are cut per
 * resource and the Markdown stays under GitHub's comment size.
 */
import { dangerous, type Operation, type PlanDiff, type ResourceChange } from "./diff";
import { byComponent, changedCost, detailLines, headline, SYMBOL, signed, title, usd } from "./format";

/** Options of the renderers. */
export interface RenderOptions {
  /** Lines of detail per resource (default 40). */
  readonly maxLinesPerResource?: number;
  /** Upper bound of the Markdown length (default 60000; GitHub's comment limit is 65536). */
  readonly maxChars?: number;
  /** Where the full report is, named when details are cut (e.g. the workflow artifact). */
  readonly fullReport?: string;
}

/** The marker that makes a pull-request comment sticky (found and updated, not duplicated). */
export const COMMENT_MARKER = "<!-- enclii-infra plan diff -->";

/** Characters kept free for the "details omitted" note. */
const NOTE_ROOM = 300;

const OPS: Operation[] = ["create", "update", "replace", "delete"];

function mdTable(header: string[], rows: (string | number)[][]): string {
  return [
    `| ${header.join(" | ")} |`,
    `| ${header.map(() => "---").join(" | ")} |`,
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ].join("\n");
}

function escapeMd(s: string): string {
  return s.replace(/\|/g, "\\|");
}

function resourceHeading(r: ResourceChange): string {
  const flags = [
    r.op === "replace" ? `forces replacement: ${r.replaceReasons.map((p) => `\`${p}\``).join(", ")}` : "",
    r.dataLoss ? `**destroys state: ${r.dataLoss}**` : "",
    r.protected && (r.op === "replace" || r.op === "delete")
      ? "protected: `pulumi up` refuses until unprotected"
      : "",
  ].filter(Boolean);
  return `\`${SYMBOL[r.op]}\` **${r.op}** \`${r.type}\` \`${r.name}\`${flags.length ? ` — ${flags.join("; ")}` : ""}`;
}

function costTable(d: PlanDiff): string {
  // Every line item, changed or not: the reviewer sees the whole estimate against the budget.
  const rows = d.cost.lines.map((l) => [
    escapeMd(l.item),
    usd(l.before),
    usd(l.after),
    usd(l.after - l.before, true),
  ]);
  rows.push([
    "**total**",
    usd(d.cost.before),
    usd(d.cost.after),
    `**${usd(d.cost.after - d.cost.before, true)}**`,
  ]);
  rows.push([
    "budget",
    usd(d.cost.budgetBefore),
    usd(d.cost.budgetAfter),
    usd(d.cost.budgetAfter - d.cost.budgetBefore, true),
  ]);
  return mdTable(["item", "before", "after", "delta"], rows);
}

function capacityTable(d: PlanDiff): string {
  const rows = d.capacity.rows
    .filter((r) => Math.abs(r.after - r.before) >= 0.005)
    .map((r) => {
      const digits = r.unit === "tenants" ? 0 : 2;
      return [
        r.item,
        `${r.before.toFixed(digits)} ${r.unit}`,
        `${r.after.toFixed(digits)} ${r.unit}`,
        signed(r.after - r.before, digits),
      ];
    });
  if (rows.length === 0) return "No capacity change.";
  return mdTable(["", "before", "after", "delta"], rows);
}

function policyMarkdown(d: PlanDiff): string {
  const parts: string[] = [];
  const sorted = [...d.policy.added].sort(
    (a, b) => (a.enforcementLevel === "mandatory" ? -1 : 0) - (b.enforcementLevel === "mandatory" ? -1 : 0),
  );
  if (sorted.length) {
    parts.push(
      "New findings:",
      "",
      mdTable(
        ["policy", "level", "resource", "message"],
        sorted.map((v) => [
          v.policy,
          v.enforcementLevel,
          `\`${v.urn.split("::").pop()}\``,
          escapeMd(v.message),
        ]),
      ),
    );
  }
  if (d.policy.resolved.length) {
    parts.push(
      "",
      "Resolved findings:",
      "",
      mdTable(
        ["policy", "level", "resource"],
        d.policy.resolved.map((v) => [v.policy, v.enforcementLevel, `\`${v.urn.split("::").pop()}\``]),
      ),
    );
  }
  return parts.length ? parts.join("\n") : "No new or resolved policy findings.";
}

/** The Markdown report, for pull-request comments. */
export function renderMarkdown(d: PlanDiff, options: RenderOptions = {}): string {
  const maxLines = options.maxLinesPerResource ?? 40;
  const maxChars = options.maxChars ?? 60_000;
  const groups = byComponent(d);
  const head: string[] = [COMMENT_MARKER, `### Plan diff: \`${title(d)}\``, "", `**${headline(d)}**`, ""];
  const danger = dangerous(d);
  if (danger.length) {
    head.push(
      "> [!CAUTION]",
      `> ${danger.length} change(s) destroy state:`,
      ...danger.map((r) => `> - **${r.op}** \`${r.type}\` \`${r.name}\`: ${r.dataLoss}`),
      "",
    );
  }
  if (groups.size) {
    head.push(
      mdTable(
        ["component", ...OPS.map((o) => `${SYMBOL[o]} ${o}`)],
        [...groups].map(([component, list]) => [
          `\`${component}\``,
          ...OPS.map((o) => list.filter((r) => r.op === o).length || ""),
        ]),
      ),
      "",
    );
  } else {
    head.push("No resource changes.", "");
  }
  const tail = [
    `<details${d.cost.withinBudgetAfter ? "" : " open"}><summary>Estimated monthly cost</summary>`,
    "",
    costTable(d),
    "",
    `${d.cost.withinBudgetAfter ? "Within budget" : "**Over budget**"}: ${((d.cost.after / Math.max(d.cost.budgetAfter, 0.01)) * 100).toFixed(0)}% of $${d.cost.budgetAfter.toFixed(2)}/month.`,
    "</details>",
    "",
    "<details><summary>Capacity</summary>",
    "",
    capacityTable(d),
    "",
    `Fits: ${d.capacity.fitsBefore ? "yes" : "no"} -> ${d.capacity.fitsAfter ? "yes" : "**no**"}.`,
    "</details>",
    "",
    `<details${d.policy.added.some((v) => v.enforcementLevel === "mandatory") ? " open" : ""}><summary>Policy findings</summary>`,
    "",
    policyMarkdown(d),
    "</details>",
    "",
  ].join("\n");

  // A blank line ends the table before the first <details> block.
  let body = `${head.join("\n")}\n`;
  let omitted = 0;
  for (const [component, list] of groups) {
    const section = [
      `<details><summary><code>${component}</code>: ${list.length} change(s)</summary>`,
      "",
      ...list.flatMap((r) => {
        const lines = detailLines(r, maxLines);
        return [
          `- ${resourceHeading(r)}`,
          ...(lines.length ? ["", "  ```diff", ...lines.map((l) => `  ${l}`), "  ```"] : []),
        ];
      }),
      "</details>",
      "",
    ].join("\n");
    // Room for the section, its newline and the note that says what was left out.
    if (body.length + section.length + 1 + tail.length + NOTE_ROOM > maxChars) {
      omitted++;
      continue;
    }
    body += `${section}\n`;
  }
  if (omitted) {
    body += `_Details of ${omitted} component(s) omitted to fit the comment${options.fullReport ? `; the full report is in ${options.fullReport}` : ""}._\n\n`;
  }
  return `${body}${tail}`;
}

/** The plain-text report, for terminals. */
export function renderText(d: PlanDiff, options: RenderOptions = {}): string {
  const maxLines = options.maxLinesPerResource ?? 40;
  const out: string[] = [`Plan diff: ${title(d)}`, headline(d), ""];
  const danger = dangerous(d);
  if (danger.length) {
    out.push("!!! DESTROYS STATE !!!");
    for (const r of danger) out.push(`!!! ${r.op} ${r.type} ${r.name}: ${r.dataLoss}`);
    out.push("");
  }
  for (const [component, list] of byComponent(d)) {
    out.push(`${component}`);
    for (const r of list) {
      const reason = r.op === "replace" ? ` (forces replacement: ${r.replaceReasons.join(", ")})` : "";
      const prot = r.protected && (r.op === "replace" || r.op === "delete") ? " [protected]" : "";
      out.push(`  ${SYMBOL[r.op].padEnd(2)} ${r.type} ${r.name}${reason}${prot}`);
      for (const l of detailLines(r, maxLines)) out.push(`       ${l}`);
    }
    out.push("");
  }
  out.push("Cost (USD/month):");
  for (const l of changedCost(d))
    out.push(`  ${l.item}: ${usd(l.before)} -> ${usd(l.after)} (${usd(l.after - l.before, true)})`);
  out.push(
    `  total: ${usd(d.cost.before)} -> ${usd(d.cost.after)} (${usd(d.cost.after - d.cost.before, true)}), budget ${usd(d.cost.budgetAfter)}${d.cost.withinBudgetAfter ? "" : " OVER BUDGET"}`,
  );
  out.push("", "Capacity:");
  for (const r of d.capacity.rows.filter((x) => Math.abs(x.after - x.before) >= 0.005)) {
    out.push(
      `  ${r.item}: ${r.before.toFixed(r.unit === "tenants" ? 0 : 2)} -> ${r.after.toFixed(r.unit === "tenants" ? 0 : 2)} ${r.unit} (${signed(r.after - r.before, r.unit === "tenants" ? 0 : 2)})`,
    );
  }
  out.push(`  fits: ${d.capacity.fitsBefore ? "yes" : "no"} -> ${d.capacity.fitsAfter ? "yes" : "NO"}`);
  out.push("", "Policy:");
  for (const v of d.policy.added)
    out.push(`  new ${v.enforcementLevel} ${v.policy}: ${v.urn.split("::").pop()}: ${v.message}`);
  for (const v of d.policy.resolved)
    out.push(`  resolved ${v.enforcementLevel} ${v.policy}: ${v.urn.split("::").pop()}`);
  if (!d.policy.added.length && !d.policy.resolved.length) out.push("  no new or resolved findings");
  return `${out.join("\n")}\n`;
}
