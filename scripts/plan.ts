/**
 * `npm run plan -- --env <env> [--out <dir>] [--parallel <n>] [--preview]`: the platform stack
 * `<env>`, then every tenant stack of it (`<dir>/<stack>/`, default `.plan/`).
 * `npm run plan -- --stack <name> [--config-file <Pulumi.x.yaml>] [--out <dir>] [--platform-plan <plan.json>] [--preview]`:
 * one stack; a tenant stack's StackReference reads its platform's `plan.json` (by default
 * `<dir>/../<platform>/plan.json`; planned first into a temporary folder when missing).
 *
 * Exit codes: 0 success, 1 invalid configuration, 2 mandatory policy violation,
 * 3 the program itself failed (a bug: please report it). `--env` exits with the worst of its stacks'.
 */
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { parseArgs } from "node:util";
import { planEnvironment, planProcess, platformOf, stackRole } from "./lib/plan-env";
import { EXIT, runPlan } from "./lib/run-plan";

const USAGE = [
  "usage: npm run plan -- --env <production|staging|...> [--out <dir>] [--parallel <n>] [--preview]",
  "       npm run plan -- --stack <name> [--config-file <Pulumi.x.yaml>] [--out <dir>] [--platform-plan <plan.json>] [--preview]",
].join("\n");

const ROOT = join(__dirname, "..");

async function main(): Promise<number> {
  let values: {
    stack?: string;
    env?: string;
    parallel?: string;
    "config-file"?: string;
    "platform-plan"?: string;
    out?: string;
    help?: boolean;
    "stack-traces"?: boolean;
    preview?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: "string" },
        env: { type: "string" },
        parallel: { type: "string" },
        "config-file": { type: "string" },
        "platform-plan": { type: "string" },
        out: { type: "string" },
        "stack-traces": { type: "boolean" },
        preview: { type: "boolean" },
        help: { type: "boolean", short: "h" },
      },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return EXIT.invalidConfig;
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return EXIT.ok;
  }
  if (values.env !== undefined) {
    if (values.stack !== undefined || values["config-file"] !== undefined) {
      process.stderr.write(`--env plans committed stacks: drop --stack and --config-file\n${USAGE}\n`);
      return EXIT.invalidConfig;
    }
    if (stackRole(ROOT, values.env) !== "platform") {
      process.stderr.write(
        `--env ${values.env}: Pulumi.${values.env}.yaml is not a committed platform stack\n${USAGE}\n`,
      );
      return EXIT.invalidConfig;
    }
    const parallel = values.parallel === undefined ? undefined : Number(values.parallel);
    if (parallel !== undefined && !(Number.isInteger(parallel) && parallel > 0)) {
      process.stderr.write(`--parallel must be a positive integer (got ${values.parallel})\n`);
      return EXIT.invalidConfig;
    }
    const result = await planEnvironment({
      env: values.env,
      outDir: values.out,
      ...(parallel !== undefined ? { parallel } : {}),
      extraArgs: values.preview ? ["--preview"] : [],
    });
    const runs = [result.platform, ...result.tenants];
    process.stdout.write(
      `plan --env ${values.env}: ${runs.length} stacks in ${result.seconds.toFixed(1)} s (${runs.map((r) => `${r.stack} ${r.exitCode === 0 ? "ok" : `exit ${r.exitCode}`}`).join(", ")})\n`,
    );
    return result.exitCode;
  }
  if (!values.stack) {
    process.stderr.write(`--stack or --env is required\n${USAGE}\n`);
    return EXIT.invalidConfig;
  }
  const outDir = resolve(values.out ?? join(ROOT, ".plan", values.stack));
  let platformPlan = values["platform-plan"];
  // A tenant stack reads its platform's outputs; plan the platform first when its plan is missing.
  if (
    platformPlan === undefined &&
    values["config-file"] === undefined &&
    stackRole(ROOT, values.stack) === "tenants"
  ) {
    const platform = platformOf(ROOT, values.stack);
    if (platform && !existsSync(join(dirname(outDir), platform, "plan.json"))) {
      const dir = join(mkdtempSync(join(tmpdir(), "platform-plan-")), platform);
      process.stderr.write(
        `planning ${platform} first (its outputs feed ${values.stack}'s StackReference) -> ${dir}\n`,
      );
      const sink = {
        log: (l: string) => process.stderr.write(`${l}\n`),
        error: (l: string) => process.stderr.write(`${l}\n`),
      };
      const run = await planProcess(ROOT, platform, values.preview ? ["--preview"] : [], dir, sink);
      if (run.exitCode !== 0 && run.exitCode !== EXIT.policyViolation) return run.exitCode;
      platformPlan = join(dir, "plan.json");
    }
  }
  const result = await runPlan({
    stack: values.stack,
    configFile: values["config-file"],
    outDir,
    preview: values.preview,
    ...(platformPlan !== undefined ? { platformPlan } : {}),
  });
  return result.exitCode;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`plan failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(EXIT.programError);
  },
);
