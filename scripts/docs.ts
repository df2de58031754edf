/**
 * `npm run docs`: regenerates the README blocks that come from code (config reference, secure
 * keys). `npm run docs -- --check` exits 1 when the README is out of date.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { updateReadme } from "./lib/readme-blocks";

const path = join(__dirname, "..", "README.md");
const current = readFileSync(path, "utf8");
const next = updateReadme(current);
if (process.argv.includes("--check")) {
  if (next !== current) {
    process.stderr.write("README.md is out of date: run `npm run docs`\n");
    process.exit(1);
  }
} else if (next !== current) {
  writeFileSync(path, next);
  process.stdout.write("README.md updated\n");
}
