import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { referenceRows } from "../../scripts/lib/config-reference";
import { updateReadme } from "../../scripts/lib/readme-blocks";
import { stackSchema } from "../../stacks/config-schema";
import { SECRET_KEYS } from "../../stacks/secrets";

const readme = readFileSync(join(__dirname, "..", "..", "README.md"), "utf8");

describe("README", () => {
  it("carries the current generated config reference and secrets table (run `npm run docs` to fix)", () => {
    expect(updateReadme(readme)).toBe(readme);
  });

  it("documents every top-level config key and every secure key", () => {
    const keys = new Set(referenceRows().map((r) => r.key));
    for (const key of Object.keys(stackSchema("production").shape)) expect(keys.has(key), key).toBe(true);
    for (const s of SECRET_KEYS) expect(readme).toContain(`\`${s.key}\``);
  });

  it("shows the setup, plan and test commands", () => {
    expect(readme).toContain("npm ci && npm run plan -- --stack staging");
    expect(readme).toContain("npm test");
    expect(readme).toContain("pulumi login");
    expect(readme).toContain("pulumi up");
  });

  it("fails loudly when a generated block's markers are missing", () => {
    expect(() => updateReadme("# no markers")).toThrow(
      "README.md has no <!-- generated:config-reference:start -->",
    );
  });
});
