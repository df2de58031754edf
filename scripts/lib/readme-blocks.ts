/**
 * Blocks of the README generated from code (config reference, secure keys, the diagram), between
 * `<!-- generated:<name>:start -->` and `<!-- generated:<name>:end -->` markers.
 */
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

/** Replaces each generated block of `readme` with its current content. */
export function updateReadme(readme: string, extra: Record<string, string> = {}): string {
  let text = readme;
  for (const [name, body] of Object.entries({ ...generatedBlocks(), ...extra })) {
    const start = `<!-- generated:${name}:start -->`;
    const end = `<!-- generated:${name}:end -->`;
    const i = text.indexOf(start);
    const j = text.indexOf(end);
    if (i < 0 || j < i) throw new Error(`README.md has no ${start} ... ${end} block`);
    text = `${text.slice(0, i + start.length)}\n${body}\n${text.slice(j)}`;
  }
  return text;
}
