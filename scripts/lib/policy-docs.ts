/**
 * docs/policies.md, generated from the policy metadata so it cannot drift from the pack.
 */
import { POLICIES } from "../../policies/policy-list";

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
    "`policies/lib/k8s.ts`, each with its reason.",
    "",
    `${POLICIES.length} policies.`,
    "",
    "| policy | enforcement | severity | what it checks | how to fix |",
    "| --- | --- | --- | --- | --- |",
  ];
  for (const p of [...POLICIES].sort((a, b) => a.name.localeCompare(b.name))) {
    lines.push(
      `| \`${p.name}\` | ${p.enforcementLevel} | ${p.severity ?? ""} | ${escapeCell(p.description)} | ${escapeCell(p.remediationSteps ?? "")} |`,
    );
  }
  return `${lines.join("\n")}\n`;
}
