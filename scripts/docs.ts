/**
 * `npm run docs`: regenerates the README blocks that come from code (config reference, secure
 * keys). `npm run docs -- --check` exits 1 when the README is out of date.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { renderPolicyDocs } from "./lib/policy-docs";
import { updateReadme } from "./lib/readme-blocks";

const root = join(__dirname, "..");
const generated: [string, (current: string) => string][] = [
  ["README.md", updateReadme],
  ["docs/policies.md", () => renderPolicyDocs()],
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
if (stale) process.exit(1);
