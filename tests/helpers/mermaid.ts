/**
 * Parses Mermaid text with Mermaid's own parser (the one GitHub renders with). Mermaid sanitizes
 * labels with DOMPurify, which needs a DOM: jsdom provides one in this worker.
 */
import { JSDOM } from "jsdom";

let parser: Promise<(text: string) => Promise<{ diagramType: string }>> | undefined;

/** Parses `text`; resolves to the diagram type or rejects with Mermaid's parse error. */
export async function parseMermaid(text: string): Promise<string> {
  parser ??= (async () => {
    const { window } = new JSDOM("");
    Object.assign(globalThis, { window, document: window.document });
    const { default: mermaid } = await import("mermaid");
    return (t: string) => mermaid.parse(t) as Promise<{ diagramType: string }>;
  })();
  const parse = await parser;
  return (await parse(text)).diagramType;
}

/** The body of the first ```mermaid block of a Markdown text. */
export function mermaidBlock(markdown: string): string {
  const m = /```mermaid\n([\s\S]*?)```/.exec(markdown);
  if (!m) throw new Error("no ```mermaid block");
  return m[1] as string;
}
