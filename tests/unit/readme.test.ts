import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { alertRules } from "../../components/observability/alert-rules";
import { POLICIES } from "../../policies/policy-list";
import { referenceRows } from "../../scripts/lib/config-reference";
import { renderAlertTable, updateBlocks, updateReadme } from "../../scripts/lib/readme-blocks";
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

  it("states the current number of policies", () => {
    expect(readme).toContain(`the policy pack (${POLICIES.length} policies,`);
  });

  it("fails loudly when a generated block's markers are missing", () => {
    expect(() => updateReadme("# no markers")).toThrow(
      "README.md has no <!-- generated:config-reference:start -->",
    );
  });
});

describe("runbooks", () => {
  const runbooks = join(__dirname, "..", "..", "docs", "runbooks");
  const alerts = readFileSync(join(runbooks, "alerts.md"), "utf8");

  it("alerts.md carries the current alert table and a section for every alert rule", () => {
    expect(updateBlocks(alerts, { alerts: renderAlertTable() }, "alerts.md")).toBe(alerts);
    for (const rule of alertRules({ baseBackupHours: 26 })) {
      expect(alerts, rule.alert).toContain(`\n## ${rule.alert}\n`);
    }
  });

  it("every runbook is listed in the runbook index and every relative link resolves", () => {
    const index = readFileSync(join(runbooks, "README.md"), "utf8");
    for (const file of readdirSync(runbooks).filter((f) => f.endsWith(".md") && f !== "README.md")) {
      expect(index, file).toContain(`](${file})`);
      const text = readFileSync(join(runbooks, file), "utf8");
      for (const [, target] of text.matchAll(/\]\(([a-z0-9-]+\.md)(?:#[^)]*)?\)/g)) {
        expect(existsSync(join(runbooks, target as string)), `${file} -> ${target}`).toBe(true);
      }
    }
  });
});
