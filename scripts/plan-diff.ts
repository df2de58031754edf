/**
 * `npm run plan:diff -- <base plan.json> <head plan.json> [<base2> <head2> ...] [--format md|text]
 *   [--out <file>] [--full-report <where>] [--head-sha <sha>] [--note <text>]`
 *
 * Compares offline plans (`npm run plan`) pair by pair: what would be created, updated, replaced
 * and deleted, grouped by component, with the deltas of cost, capacity and policy findings. In
 * Markdown, every pair goes into one pull-request comment under one size budget (GitHub's
 * 65,536 characters). Exit codes: 0 success, 1 bad arguments or unreadable plans.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { diffPlans } from "./lib/plan-diff/diff";
import { renderComment, renderText } from "./lib/plan-diff/render";
import type { PlanDocument } from "./lib/plan-document";

const USAGE =
  "usage: npm run plan:diff -- <base plan.json> <head plan.json> [<base2> <head2> ...] [--format md|text] [--out <file>] [--full-report <where>] [--head-sha <sha>] [--note <text>]";

function readPlan(path: string): PlanDocument {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new Error(
      `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}; run \`npm run plan -- --stack <name>\` first`,
    );
  }
  let plan: PlanDocument;
  try {
    plan = JSON.parse(text) as PlanDocument;
  } catch {
    throw new Error(`${path} is not JSON; pass the plan.json that \`npm run plan\` writes`);
  }
  if (!plan || !Array.isArray(plan.resources) || !plan.cost || !plan.capacity || !plan.policy) {
    throw new Error(`${path} is not a plan.json (needs resources, cost, capacity and policy)`);
  }
  return plan;
}

function main(): number {
  let parsed: ReturnType<
    typeof parseArgs<{
      options: {
        format: { type: "string" };
        out: { type: "string" };
        "full-report": { type: "string" };
        "head-sha": { type: "string" };
        note: { type: "string" };
        help: { type: "boolean"; short: "h" };
      };
      allowPositionals: true;
    }>
  >;
  try {
    parsed = parseArgs({
      options: {
        format: { type: "string" },
        out: { type: "string" },
        "full-report": { type: "string" },
        "head-sha": { type: "string" },
        note: { type: "string" },
        help: { type: "boolean", short: "h" },
      },
      allowPositionals: true,
    });
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 1;
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const format = values.format ?? "text";
  const pairsOk = positionals.length >= 2 && positionals.length % 2 === 0;
  if (!pairsOk || (format !== "md" && format !== "text")) {
    process.stderr.write(
      `${!pairsOk ? `expected pairs of plan files, base then head (got ${positionals.length})` : `--format must be md or text (got ${format})`}\n${USAGE}\n`,
    );
    return 1;
  }
  const sha = values["head-sha"];
  if (sha !== undefined && !/^[0-9a-f]{7,40}$/.test(sha)) {
    process.stderr.write(`--head-sha must be a commit id, 7 to 40 hex digits (got ${JSON.stringify(sha)})\n`);
    return 1;
  }
  let output: string;
  try {
    const diffs = [];
    for (let i = 0; i < positionals.length; i += 2) {
      diffs.push(diffPlans(readPlan(positionals[i] as string), readPlan(positionals[i + 1] as string)));
    }
    const options = {
      ...(values["full-report"] ? { fullReport: values["full-report"] } : {}),
      ...(sha ? { headSha: sha } : {}),
      ...(values.note ? { note: values.note } : {}),
    };
    output =
      format === "md"
        ? renderComment(diffs, options)
        : `${sha ? `Head commit ${sha}\n\n` : ""}${diffs.map((d) => renderText(d, options)).join("\n")}`;
  } catch (e) {
    process.stderr.write(`plan:diff: ${(e as Error).message}\n`);
    return 1;
  }
  if (values.out) writeFileSync(values.out, output);
  else process.stdout.write(output);
  return 0;
}

process.exit(main());
