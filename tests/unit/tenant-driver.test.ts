/**
 * `npm run tenants` (scripts/lib/tenant-driver.ts) against a recording stand-in for the `pulumi`
 * binary: the CLI cannot be installed here, so `<root>/bin/pulumi` records every argv it gets and
 * answers as the CLI does where the Automation API reads the answer (@pulumi/pulumi 3.248.0
 * automation/cmd.js PulumiCommand.get runs `version`; stack.js preview reads the summary event
 * from the `--event-log` file for CLI <= 3.205 (setupEventLog); up reads `stack output --json` and
 * `stack history --json` (stack.js up, outputs, info)).
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { runTenantStacks } from "../../scripts/lib/tenant-driver";
import { baseProjectConfig } from "../helpers/config-fixtures";

interface Call {
  argv: string[];
  automation: string | undefined;
  start: number;
  end: number;
}

const STAND_IN = `#!/usr/bin/env node
const fs = require("node:fs");
const argv = process.argv.slice(2);
const start = Date.now();
const done = (out, code = 0) => {
  fs.appendFileSync(process.env.STAND_IN_LOG, JSON.stringify({ argv, automation: process.env.PULUMI_AUTOMATION_API, start, end: Date.now() }) + "\\n");
  process.stdout.write(out);
  process.exit(code);
};
const log = argv[argv.indexOf("--event-log") + 1];
const summary = (changes) =>
  fs.writeFileSync(log, JSON.stringify({ sequence: 0, timestamp: 0, summaryEvent: { maybeCorrupt: false, durationSeconds: 1, resourceChanges: changes, PolicyPacks: {} } }) + "\\n");
if (argv[0] === "version") done("v3.200.0\\n");
else if (argv[0] === "preview" || argv[0] === "up") {
  const stack = argv[argv.indexOf("--stack") + 1];
  if (stack === process.env.STAND_IN_FAIL) done("", 255);
  setTimeout(() => { summary({ same: 3, create: 1 }); done("Previewing\\n"); }, 400);
} else if (argv[0] === "stack" && argv[1] === "history")
  done(JSON.stringify([{ version: 2, kind: "update", startTime: "2026-12-02T00:00:00Z", message: "", environment: {}, config: {}, result: "succeeded", resourceChanges: { create: 1 } }]));
else if (argv[0] === "stack" && argv[1] === "output") done("{}");
else done("");
`;

const yaml = (config: Record<string, unknown>) =>
  stringify({ config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`enclii-infra:${k}`, v])) });

/** A project with platform stack p and tenant stacks p-a, p-b, p-c, and the stand-in CLI. */
function fixture() {
  const dir = mkdtempSync(join(tmpdir(), "tenant-driver-"));
  writeFileSync(join(dir, "Pulumi.yaml"), "name: enclii-infra\nruntime: nodejs\nmain: stacks/index.ts\n");
  const { tenants: _t, ...platform } = baseProjectConfig();
  writeFileSync(join(dir, "Pulumi.p.yaml"), yaml(platform));
  for (const [stack, slug] of [
    ["p-a", "aa"],
    ["p-b", "bb"],
    ["p-c", "cc"],
  ] as const) {
    writeFileSync(
      join(dir, `Pulumi.${stack}.yaml`),
      yaml({ role: "tenants", platformStack: "p", tenants: [{ slug }] }),
    );
  }
  const root = join(dir, "cli");
  mkdirSync(join(root, "bin"), { recursive: true });
  writeFileSync(join(root, "bin", "pulumi"), STAND_IN);
  chmodSync(join(root, "bin", "pulumi"), 0o755);
  const logFile = join(dir, "calls.jsonl");
  writeFileSync(logFile, "");
  const calls = (): Call[] =>
    readFileSync(logFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Call);
  return { dir, root, logFile, calls };
}

export async function drive(action: "preview" | "up", fail?: string) {
  const f = fixture();
  process.env.STAND_IN_LOG = f.logFile;
  if (fail) process.env.STAND_IN_FAIL = fail;
  else delete process.env.STAND_IN_FAIL;
  const pulumiCommand = await PulumiCommand.get({ root: f.root });
  const results = await runTenantStacks({
    action,
    env: "p",
    projectDir: f.dir,
    pulumiCommand,
    parallel: 2,
    log: () => {},
  });
  return { ...f, results };
}

describe("npm run tenants", () => {
  it("previews every tenant stack of the environment with the policy pack and its config, 2 at a time", async () => {
    const { dir, results, calls } = await drive("preview");
    expect(results.map((r) => [r.stack, r.ok])).toEqual([
      ["p-a", true],
      ["p-b", true],
      ["p-c", true],
    ]);
    expect(results[0]?.summary).toEqual({ same: 3, create: 1 });
    const previews = calls().filter((c) => c.argv[0] === "preview");
    expect(previews.map((c) => c.argv[c.argv.indexOf("--stack") + 1]).sort()).toEqual(["p-a", "p-b", "p-c"]);
    for (const c of previews) {
      expect(c.automation).toBe("true");
      expect(c.argv).toContain("--non-interactive");
      expect(c.argv.slice(c.argv.indexOf("--policy-pack"), c.argv.indexOf("--policy-pack") + 2)).toEqual([
        "--policy-pack",
        join(dir, "policies"),
      ]);
      const packConfig = c.argv[c.argv.indexOf("--policy-pack-config") + 1] as string;
      expect(JSON.parse(readFileSync(packConfig, "utf8"))).toEqual({
        "stack-cost-require-within-budget": { budgetMonthlyUsd: 100 },
      });
      expect(c.argv).toEqual(expect.arrayContaining(["--exec-kind", "--event-log"]));
    }
    // Bounded parallelism: never more than 2 previews at once, and 2 did overlap.
    const overlaps = (t: number) => previews.filter((c) => c.start <= t && t < c.end).length;
    const most = Math.max(...previews.map((c) => overlaps(c.start)));
    expect(most).toBe(2);
  });

  it("runs up per stack and reads the update's result from the stack history", async () => {
    const { results, calls } = await drive("up");
    expect(
      results.every((r) => r.ok && r.summary?.result === "succeeded"),
      JSON.stringify(results),
    ).toBe(true);
    const argvs = calls().map((c) => c.argv.slice(0, 2).join(" "));
    expect(argvs.filter((a) => a === "stack history")).toHaveLength(3);
    expect(argvs.filter((a) => a.startsWith("up "))).toHaveLength(3);
  });

  it("reports a failing stack and still runs the others", async () => {
    const { results } = await drive("preview", "p-b");
    expect(
      results.map((r) => [r.stack, r.ok]),
      JSON.stringify(results),
    ).toEqual([
      ["p-a", true],
      ["p-b", false],
      ["p-c", true],
    ]);
    expect(results[1]?.error).toMatch(/code: 255|exit/i);
  });
});
