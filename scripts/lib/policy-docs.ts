/**
 * docs/policies.md, generated from the policy metadata so it cannot drift from the pack.
 */
import type { Policy } from "@pulumi/policy";
import { POLICIES } from "../../policies/policy-list";

/**
 * What the engine hands a policy (scripts/lib/engine-resources.ts): a resource policy gets each
 * resource's inputs from `Analyze`, chart children included; a policy on a chart's values reads
 * the Chart's inputs (its outputs hold only `resources`); a stack policy gets the outputs of every
 * resource from `AnalyzeStack`, components and chart children included. Secrets are in clear for
 * all of them; values unknown in a preview make a finding undecided.
 */
export function sees(p: Policy): string {
  if ("validateStack" in p && p.validateStack) return "outputs of every resource (AnalyzeStack)";
  // Policies on a chart's values are named `<chart>-chart-...` (policies/lib/chart.ts).
  if (/-chart-/.test(p.name)) return "the Chart's inputs: chart and values (Analyze)";
  return "inputs of each resource, chart children included (Analyze)";
}

/** The Markdown of docs/policies.md. */
export function renderPolicyDocs(): string {
  const escapeCell = (s: string) => s.replace(/\|/g, "\\|");
  const lines = [
    "# Policies",
    "",
    "Generated from `policies/` by `npm run docs`; a test fails when this file is out of date.",
    "",
    "The pack runs in `pulumi preview --policy-pack policies` and in every offline plan (`npm run plan`",
    "serves it over its Analyzer gRPC interface, as the engine does). A mandatory violation fails the",
    "plan with exit code 2. Exemptions exist only for the named system namespaces in",
    "`policies/lib/k8s.ts` and for the named upstream chart RBAC objects in",
    "`policies/lib/rbac-exemptions.ts` (chart children only), each with its reason.",
    "",
    "What each policy sees is what the engine hands it: a resource policy gets each resource's",
    "inputs (`Analyze`), objects a Helm chart renders included; a policy on a chart's values reads the",
    "Chart's inputs (a v4 Chart's outputs hold only `resources`); a stack policy gets the final outputs",
    "of every resource (`AnalyzeStack`), components and chart children included. Secrets arrive in",
    "clear. In a preview a finding that needs an unknown value is reported as undecided (advisory).",
    "",
    `${POLICIES.length} policies.`,
    "",
    "| policy | enforcement | severity | sees | what it checks | how to fix |",
    "| --- | --- | --- | --- | --- | --- |",
  ];
  for (const p of [...POLICIES].sort((a, b) => a.name.localeCompare(b.name))) {
    lines.push(
      `| \`${p.name}\` | ${p.enforcementLevel} | ${p.severity ?? ""} | ${sees(p)} | ${escapeCell(p.description)} | ${escapeCell(p.remediationSteps ?? "")} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
