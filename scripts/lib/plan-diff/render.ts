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
    r.op === "replace" && r.deleteBeforeReplace ? "deletes before it creates (downtime)" : "",
    r.renamedFrom ? `renamed (alias of \`${r.renamedFrom.split("::").pop()}\`)` : "",
    ...(r.optionChanges ?? []).map((c) => `**${c.path}: ${String(c.before)} -> ${String(c.after)}**`),
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

/** GitHub's limit on the body of an issue or pull-request comment, in characters. */
export const GITHUB_COMMENT_LIMIT = 65_536;

/** Caution lines shown per stack; the rest are counted. */
const MAX_CAUTIONS = 50;
/** Rows of the per-component table shown per stack; the rest are counted. */
const MAX_ROWS = 150;
/** Characters of one caution line or table cell at most (a resource name can be anything). */
const MAX_LINE = 300;

const cut = (s: string, max = MAX_LINE) => (s.length > max ? `${s.slice(0, max - 1)}…` : s);

/** The parts of one stack's section: what is always shown, and the details that fill the rest. */
interface StackSection {
  readonly head: string;
  readonly details: readonly string[];
  readonly tail: string;
}

function cautionBlock(d: PlanDiff): string[] {
  const danger = dangerous(d);
  if (!danger.length) return [];
  return [
    "> [!CAUTION]",
    `> ${danger.length} change(s) destroy state:`,
    ...danger
      .slice(0, MAX_CAUTIONS)
      .map((r) => cut(`> - **${r.op}** \`${r.type}\` \`${r.name}\`: ${r.dataLoss}`)),
    ...(danger.length > MAX_CAUTIONS
      ? [
          `> - …and ${danger.length - MAX_CAUTIONS} more change(s) that destroy state, listed in the full report`,
        ]
      : []),
    "",
  ];
}

function ignoredNote(d: PlanDiff): string[] {
  if (!d.ignoredOnly.length) return [];
  const names = d.ignoredOnly
    .slice(0, 10)
    .map((r) => cut(`\`${r.name}\` (${(r.ignored ?? []).map((c) => c.path).join(", ")})`, 200));
  const more = d.ignoredOnly.length > 10 ? `, …and ${d.ignoredOnly.length - 10} more` : "";
  return [
    `${d.ignoredOnly.length} resource(s) changed only in inputs their \`ignoreChanges\` keeps (no update): ${names.join(", ")}${more}.`,
    "",
  ];
}

function stackSection(d: PlanDiff, maxLines: number, level: "###" | "####"): StackSection {
  const groups = byComponent(d);
  const head: string[] = [
    `${level} Plan diff: \`${title(d)}\``,
    "",
    `**${headline(d)}**`,
    "",
    ...cautionBlock(d),
  ];
  if (groups.size) {
    const rows = [...groups].map(([component, list]) => [
      cut(`\`${component}\``),
      ...OPS.map((o) => list.filter((r) => r.op === o).length || ""),
    ]);
    head.push(mdTable(["component", ...OPS.map((o) => `${SYMBOL[o]} ${o}`)], rows.slice(0, MAX_ROWS)));
    if (rows.length > MAX_ROWS) head.push("", `_…and ${rows.length - MAX_ROWS} more component(s)._`);
    head.push("");
  } else {
    head.push("No resource changes.", "");
  }
  head.push(...ignoredNote(d));
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
  const details = [...groups].map(([component, list]) =>
    [
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
      "",
    ].join("\n"),
  );
  // A blank line ends the table before the first <details> block.
  return { head: `${head.join("\n")}\n`, details, tail };
}

function omittedNote(omitted: number, fullReport: string | undefined): string {
  if (!omitted) return "";
  const where = fullReport ? `; the full report is in ${fullReport}` : "";
  return `_Details of ${omitted} component(s) omitted to fit the comment${where}._\n\n`;
}

/**
 * Fits the sections into `maxChars`: every stack's counts, cautions (capped), cost, capacity and
 * policy first, then the component details, each stack filling an equal share of what is left and
 * handing what it does not use to the next. Whatever the plans, the result is at most `maxChars`.
 */
function fitSections(
  prefix: string,
  sections: readonly StackSection[],
  maxChars: number,
  fullReport?: string,
): string {
  const fixed = sections.reduce((n, s) => n + s.head.length + s.tail.length + NOTE_ROOM, prefix.length);
  let room = maxChars - fixed;
  let out = prefix;
  sections.forEach((section, i) => {
    let share = Math.floor(room / (sections.length - i));
    let body = section.head;
    let omitted = 0;
    for (const text of section.details) {
      // Room for the section and its newline.
      if (text.length + 1 <= share) {
        body += text;
        share -= text.length;
        room -= text.length;
      } else {
        omitted++;
      }
    }
    out += `${body}${omittedNote(omitted, fullReport)}${section.tail}`;
  });
  if (out.length <= maxChars) return out;
  // Only when the always-shown parts alone are too long (thousands of cost lines or findings):
  // cut at a line and say so, rather than have GitHub refuse the whole comment.
  const where = fullReport ? `; the full report is in ${fullReport}` : "";
  const note = `\n\n_The rest of this report is cut to fit GitHub's comment limit${where}._\n`;
  const keep = out.slice(0, maxChars - note.length);
  return `${keep.slice(0, Math.max(keep.lastIndexOf("\n"), 0))}${note}`;
}

/** The Markdown report of one stack, for pull-request comments. */
export function renderMarkdown(d: PlanDiff, options: RenderOptions = {}): string {
  const section = stackSection(d, options.maxLinesPerResource ?? 40, "###");
  return fitSections(`${COMMENT_MARKER}\n`, [section], options.maxChars ?? 60_000, options.fullReport);
}

/** Options of {@link renderComment}. */
export interface CommentOptions extends RenderOptions {
  /** The commit the head plans were made from, printed at the top. */
  readonly headSha?: string;
  /** One line printed under the commit (e.g. that the pull-request run failed), within the budget. */
  readonly note?: string;
}

/**
 * One pull-request comment for every stack: the head commit, then per stack its counts, cautions,
 * details, cost, capacity and policy, all under one size budget: 60,000 characters unless told
 * otherwise, never more than GitHub's limit. The margin is for what the posting action adds:
 * marocchino/sticky-pull-request-comment appends `\n<!-- Sticky Pull Request Comment<header> -->`
 * (src/comment.ts bodyWithHeader, v2.9.0).
 */
export function renderComment(diffs: readonly PlanDiff[], options: CommentOptions = {}): string {
  const maxChars = Math.min(options.maxChars ?? 60_000, GITHUB_COMMENT_LIMIT);
  const prefix = [
    COMMENT_MARKER,
    `### Offline plan diff: ${diffs.map((d) => `\`${title(d)}\``).join(", ")}`,
    "",
    ...(options.headSha ? [`Head commit \`${options.headSha}\`.`, ""] : []),
    ...(options.note ? [cut(options.note, 1000), ""] : []),
    "",
  ].join("\n");
  const sections = diffs.map((d) => stackSection(d, options.maxLinesPerResource ?? 40, "####"));
  return fitSections(prefix, sections, maxChars, options.fullReport);
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
      const dbr = r.op === "replace" && r.deleteBeforeReplace ? " [deletes before it creates]" : "";
      const renamed = r.renamedFrom ? ` [renamed from ${r.renamedFrom.split("::").pop()}]` : "";
      out.push(`  ${SYMBOL[r.op].padEnd(2)} ${r.type} ${r.name}${reason}${prot}${dbr}${renamed}`);
      for (const l of detailLines(r, maxLines)) out.push(`       ${l}`);
    }
    out.push("");
  }
  for (const r of d.ignoredOnly)
    out.push(
      `(ignoreChanges) ${r.type} ${r.name}: ${(r.ignored ?? []).map((c) => c.path).join(", ")} changed, not applied`,
    );
  if (d.ignoredOnly.length) out.push("");
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
