/**
 * Blocks of the README generated from code (config reference, secure keys, the diagram), between
 * `<!-- generated:<name>:start -->` and `<!-- generated:<name>:end -->` markers.
 */
import { alertRules } from "../../components/observability/alert-rules";
import { SECRET_KEYS, setSecretCommand } from "../../stacks/secrets";
import { renderConfigReference } from "./config-reference";

/** The secure keys as a Markdown table. */
export function renderSecretsTable(): string {
  const lines = ["| key | when | what | set it with |", "| --- | --- | --- | --- |"];
  for (const s of SECRET_KEYS) {
    lines.push(`| \`${s.key}\` | ${s.when} | ${s.description} | \`${setSecretCommand(s.key)}\` |`);
  }
  return lines.join("\n");
}

/** The README's diagram block: the production plan's Mermaid flowchart. */
export function diagramBlock(diagram: string): string {
  return ["```mermaid", diagram.trimEnd(), "```"].join("\n");
}

/** Every generated block by name. */
export function generatedBlocks(): Record<string, string> {
  return { "config-reference": renderConfigReference(), secrets: renderSecretsTable() };
}

/** Replaces each named generated block of a Markdown file (`file` names it in errors). */
export function updateBlocks(markdown: string, blocks: Record<string, string>, file = "README.md"): string {
  let text = markdown;
  for (const [name, body] of Object.entries(blocks)) {
    const start = `<!-- generated:${name}:start -->`;
    const end = `<!-- generated:${name}:end -->`;
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) throw new Error(`${file} has no ${start} ... ${end} block`);
    text = `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
  }
  return text;
}

/** Replaces each generated block of `readme` with its current content. */
export function updateReadme(readme: string, extra: Record<string, string> = {}): string {
  return updateBlocks(readme, { ...generatedBlocks(), ...extra });
}

/**
 * The alert rules as a Markdown table (docs/runbooks/alerts.md), with the default thresholds of
 * the config (`monitoring.backupFreshness`).
 */
export function renderAlertTable(): string {
  const lines = ["| alert | severity | fires after | what it means |", "| --- | --- | --- | --- |"];
  for (const r of alertRules({ baseBackupHours: 26 })) {
    const meaning = r.description
      .replace(/\{\{ \$labels\.(\w+) \}\}/g, (_, label: string) => label.toUpperCase())
      .replace(/\|/g, "\\|");
    lines.push(`| [${r.alert}](#${r.alert.toLowerCase()}) | ${r.severity} | ${r.for} | ${meaning} |`);
  }
  return lines.join("\n");
}
