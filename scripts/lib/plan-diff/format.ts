/**
 * Small formatting helpers shared by the Markdown and text renderers of a plan diff.
 */
import { structuredPatch } from "diff";
import type { CostDelta, Operation, PlanDiff, PropertyChange, ResourceChange } from "./diff";

/** Sign-prefixed symbols of the operations, as Pulumi prints them. */
export const SYMBOL: Record<Operation, string> = { create: "+", update: "~", replace: "+-", delete: "-" };

/** A value on one line, cut to `max` characters. */
export function show(value: unknown, max = 100): string {
  const text = typeof value === "string" ? JSON.stringify(value) : (JSON.stringify(value) ?? "undefined");
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** A property change as one line. */
export function propertyLine(c: PropertyChange): string {
  if (c.secret) return `~ ${c.path}: secret changed (value not shown)`;
  if (c.kind === "added") return `+ ${c.path}: ${show(c.after)}`;
  if (c.kind === "removed") return `- ${c.path}: ${show(c.before)}`;
  return `~ ${c.path}: ${show(c.before)} => ${show(c.after)}`;
}

function patchLines(before: string, after: string): string[] {
  const patch = structuredPatch("before", "after", before, after, "", "", { context: 2 });
  return patch.hunks.flatMap((h) => [
    `@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`,
    ...h.lines.map((l) => (l.length > 160 ? `${l.slice(0, 159)}…` : l)),
  ]);
}

const multiline = (v: unknown): v is string => typeof v === "string" && v.includes("\n");

/**
 * The lines describing one resource's change, at most `maxLines` of them. A changed multi-line
 * string (a script on a node's stdin, a rendered config) is shown as a line diff, so a changed k3s
 * flag is visible rather than cut after 100 characters.
 */
export function detailLines(r: ResourceChange, maxLines: number): string[] {
  let lines: string[];
  if (r.manifest) {
    // Both manifests spell a secret "[secret]": a changed one is named below the patch.
    lines = [
      ...patchLines(r.manifest.before, r.manifest.after),
      ...r.changes.filter((c) => c.secret).map(propertyLine),
    ];
  } else {
    lines = r.changes.flatMap((c) =>
      c.kind === "changed" && multiline(c.before) && multiline(c.after)
        ? [`~ ${c.path}:`, ...patchLines(c.before, c.after)]
        : [propertyLine(c)],
    );
  }
  // Options first: a protect flip is what a reviewer must not miss.
  lines = [
    ...(r.optionChanges ?? []).map((c) => `~ [option] ${c.path}: ${show(c.before)} => ${show(c.after)}`),
    ...lines,
    ...(r.ignored ?? []).map((c) => `  (ignored by ignoreChanges) ${propertyLine(c)}`),
  ];
  if (lines.length > maxLines) {
    const more = lines.length - maxLines;
    lines = [...lines.slice(0, maxLines), `… ${more} more line(s)`];
  }
  return lines;
}

/** `$12.34` with a sign for deltas. */
export function usd(n: number, signed = false): string {
  const sign = signed ? (n > 0 ? "+" : n < 0 ? "-" : "±") : n < 0 ? "-" : "";
  return `${sign}$${Math.abs(n).toFixed(2)}`;
}

/** A number with a sign, for deltas. */
export function signed(n: number, digits = 2): string {
  const r = Number(n.toFixed(digits));
  return r > 0 ? `+${r.toFixed(digits)}` : r < 0 ? r.toFixed(digits) : "0";
}

/** The one-line headline of a diff: counts, cost, policy. */
export function headline(d: PlanDiff): string {
  const c = d.counts;
  const mandatory = d.policy.added.filter((v) => v.enforcementLevel === "mandatory").length;
  const advisory = d.policy.added.length - mandatory;
  return [
    `${c.create} to create, ${c.update} to update, ${c.replace} to replace, ${c.delete} to delete, ${c.unchanged} unchanged`,
    `cost ${usd(d.cost.before)} -> ${usd(d.cost.after)}/month (${usd(d.cost.after - d.cost.before, true)})`,
    `policy: ${mandatory} new mandatory, ${advisory} new advisory, ${d.policy.resolved.length} resolved`,
  ].join(" · ");
}

/** The cost lines that changed, plus the total. */
export function changedCost(d: PlanDiff): CostDelta[] {
  return d.cost.lines.filter((l) => Math.abs(l.after - l.before) >= 0.005);
}

/** Resources grouped by component, in order. */
export function byComponent(d: PlanDiff): Map<string, ResourceChange[]> {
  const groups = new Map<string, ResourceChange[]>();
  for (const r of d.resources) {
    const list = groups.get(r.component) ?? [];
    list.push(r);
    groups.set(r.component, list);
  }
  return groups;
}

/** `stack` or `base -> head` when the stacks differ. */
export function title(d: PlanDiff): string {
  return d.base.stack === d.head.stack ? d.head.stack : `${d.base.stack} -> ${d.head.stack}`;
}
