/**
 * `npm run docs`: regenerates the README blocks that come from code (config reference, secure
 * keys, the diagram of the production plan), docs/policies.md, the alert table of
 * docs/runbooks/alerts.md and the recovery objectives of docs/backups.md. `npm run docs -- --check`
 * exits 1 when one of them is out of date.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { renderDiagram } from "./lib/diagram";
import { renderPolicyDocs } from "./lib/policy-docs";
import { diagramBlock, renderAlertTable, updateBlocks, updateReadme } from "./lib/readme-blocks";
import { productionRecoveryTable } from "./lib/recovery-objectives";
import { runPlan } from "./lib/run-plan";

const root = join(__dirname, "..");

async function productionDiagram(): Promise<string> {
  const outDir = mkdtempSync(join(tmpdir(), "docs-plan-"));
  try {
    const result = await runPlan({ stack: "production", outDir, log: () => {} });
    if (!result.plan)
      throw new Error(
        `the production plan failed (exit ${result.exitCode}); run \`npm run plan -- --stack production\``,
      );
    return diagramBlock(renderDiagram(result.plan));
  } finally {
    rmSync(outDir, { recursive: true, force: true });
  }
}

async function main(): Promise<number> {
  const diagram = await productionDiagram();
  const generated: [string, (current: string) => string][] = [
    ["README.md", (current) => updateReadme(current, { diagram })],
    ["docs/policies.md", () => renderPolicyDocs()],
    [
      "docs/runbooks/alerts.md",
      (current) => updateBlocks(current, { alerts: renderAlertTable() }, "docs/runbooks/alerts.md"),
    ],
    [
      "docs/backups.md",
      (current) =>
        updateBlocks(current, { "recovery-objectives": productionRecoveryTable(root) }, "docs/backups.md"),
    ],
  ];
  let stale = false;
  for (const [file, render] of generated) {
    const path = join(root, file);
    const current = (() => {
      try {
        return readFileSync(path, "utf8");
      } catch {
        return "";
      }
    })();
    const next = render(current);
    if (next === current) continue;
    if (process.argv.includes("--check")) {
      process.stderr.write(`${file} is out of date: run \`npm run docs\`\n`);
      stale = true;
    } else {
      writeFileSync(path, next);
      process.stdout.write(`${file} updated\n`);
    }
  }
  return stale ? 1 : 0;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`docs: ${(e as Error).message}\n`);
    process.exit(1);
  },
);
