/**
 * `npm run plan` refuses an admin CIDR wider than /16 like every other bad config value: one
 * `enclii-infra:<path>` line, exit 1, nothing written.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { listFiles, ROOT, runPlanCli } from "../helpers/plan-cli";

describe("plan with a wide admin CIDR", () => {
  it("fails when access.adminCidrs holds a /1: a clear enclii-infra:access.adminCidrs[0] error, exit 1", () => {
    const dir = mkdtempSync(join(tmpdir(), "wide-cidr-"));
    const file = join(dir, "Pulumi.wide.yaml");
    const text = readFileSync(join(ROOT, "Pulumi.staging.yaml"), "utf8");
    expect(text).toContain("      - 198.51.100.0/24\n");
    writeFileSync(file, text.replace("      - 198.51.100.0/24\n", "      - 0.0.0.0/1\n"));
    const run = runPlanCli(["--stack", "staging", "--config-file", file]);
    expect(run.status).toBe(1);
    expect(run.stderr).toContain(
      'enclii-infra:access.adminCidrs[0]: 0.0.0.0/1 is wider than /16; list a narrower office or VPN range, or set access.allowWideCidrs: true to acknowledge opening SSH and the Kubernetes API to it (got "0.0.0.0/1")',
    );
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(listFiles(run.outDir)).toEqual([]);
  });
});
