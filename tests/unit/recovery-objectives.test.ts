/**
 * docs/backups.md states the recovery point and time after losing the only server, derived from
 * the configuration (scripts/lib/recovery-objectives.ts); the table in the doc is the current one.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { updateBlocks } from "../../scripts/lib/readme-blocks";
import {
  CNPG_ARCHIVE_TIMEOUT_MINUTES,
  cronIntervalHours,
  productionRecoveryTable,
  recoveryObjectives,
} from "../../scripts/lib/recovery-objectives";
import { parseStackConfig } from "../../stacks/config";
import { baseProjectConfig, toRawConfig } from "../helpers/config-fixtures";
import { ROOT } from "../helpers/plan-cli";

describe("recovery objectives", () => {
  it("reads the intervals of the schedules the stacks use (five fields, and CNPG's six)", () => {
    expect(cronIntervalHours("0 */6 * * *")).toBe(6);
    expect(cronIntervalHours("30 3 * * *")).toBe(24);
    expect(cronIntervalHours("0 0 3 * * *")).toBe(24);
    expect(cronIntervalHours("15 * * * *")).toBe(1);
    expect(cronIntervalHours("0 3 * * 1")).toBeUndefined();
  });

  it("derives every row from the configuration", () => {
    const project = {
      ...baseProjectConfig(),
      postgres: { backupSchedule: "0 0 */12 * * *" },
      storage: { backup: { cron: "0 */8 * * *" } },
      k3s: { etcdSnapshots: { schedule: "0 */2 * * *" } },
    };
    const rows = recoveryObjectives(parseStackConfig(toRawConfig(project), "production"));
    expect(rows.map((r) => r.what)).toEqual([
      "PostgreSQL (every CloudNativePG cluster)",
      "Volumes backed up by Longhorn (Redis data)",
      "Cluster state (etcd: every Kubernetes object)",
      "The node itself (only server)",
    ]);
    // CloudNativePG's fixed archive_timeout (pkg/postgres/configuration.go 562, v1.30.0).
    expect(CNPG_ARCHIVE_TIMEOUT_MINUTES).toBe(5);
    expect(rows[0]?.rpo).toMatch(/^≤ 5 min of committed transactions/);
    expect(rows[0]?.rto).toContain("replay up to 12 h of WAL");
    expect(rows[1]?.rpo).toMatch(/^≤ 8 h/);
    expect(rows[2]?.rpo).toMatch(/^≤ 2 h of object changes/);
    expect(rows[3]?.rto).toMatch(/^hours: a dedicated server/);
  });

  it("docs/backups.md carries the current production table (`npm run docs` regenerates it)", () => {
    const doc = readFileSync(join(ROOT, "docs", "backups.md"), "utf8");
    expect(
      updateBlocks(doc, { "recovery-objectives": productionRecoveryTable(ROOT) }, "docs/backups.md"),
    ).toBe(doc);
    expect(doc).toContain("| PostgreSQL (every CloudNativePG cluster) | ≤ 5 min");
  });
});
