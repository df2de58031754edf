/**
 * Runs `npm run plan`'s script as a user would, in a child process, and reads what it wrote.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { beforeAll, expect } from "vitest";
import type { PlanDocument } from "../../scripts/lib/plan-document";

export const ROOT = join(__dirname, "..", "..");

/** Result of one plan run. */
export interface PlanRun {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
  readonly outDir: string;
}

/** Runs the plan CLI with `args` (plus `--out` to a fresh temp dir unless given). */
export function runPlanCli(args: string[], timeoutMs = 120_000): PlanRun {
  const outDir = args.includes("--out")
    ? String(args[args.indexOf("--out") + 1])
    : mkdtempSync(join(tmpdir(), "plan-"));
  const fullArgs = args.includes("--out") ? args : [...args, "--out", outDir];
  const result = spawnSync(
    process.execPath,
    [join(ROOT, "node_modules", "tsx", "dist", "cli.mjs"), "scripts/plan.ts", ...fullArgs],
    {
      cwd: ROOT,
      encoding: "utf8",
      timeout: timeoutMs,
    },
  );
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, outDir };
}

/** Reads `plan.json` of a plan run. */
export function readPlan(outDir: string): PlanDocument {
  return JSON.parse(readFileSync(join(outDir, "plan.json"), "utf8")) as PlanDocument;
}

/** Every file under `dir`, relative to it. */
export function listFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((entry) => {
    const full = join(dir, entry);
    return statSync(full).isDirectory() ? listFiles(full).map((f) => join(entry, f)) : [relative(dir, full)];
  });
}

/** The committed stacks. */
export const STACKS = ["production", "staging"] as const;

/**
 * Plans every committed stack once for the calling test file (in a `beforeAll`) and returns a
 * getter that fails the test with the plan's stderr when that stack did not plan.
 */
export function planCommittedStacks(): (stack: (typeof STACKS)[number]) => PlanDocument {
  const runs = new Map<string, PlanRun>();
  const plans = new Map<string, PlanDocument>();
  beforeAll(() => {
    for (const stack of STACKS) {
      const run = runPlanCli(["--stack", stack]);
      runs.set(stack, run);
      if (run.status === 0) plans.set(stack, readPlan(run.outDir));
    }
  }, 240_000);
  return (stack) => {
    const run = runs.get(stack) as PlanRun;
    expect(run.status, run.stderr).toBe(0);
    return plans.get(stack) as PlanDocument;
  };
}
