/**
 * `npm run tenants -- preview|up --env <env> [--parallel 2] [--pulumi-root <dir>]`
 *
 * Runs every tenant stack of the environment through the Automation API with the policy pack
 * (scripts/lib/tenant-driver.ts), `--parallel` at a time, after its platform stack is up. The CLI
 * is `<dir>/bin/pulumi` with `--pulumi-root`, else `pulumi` on PATH. Exit 0 when every stack
 * succeeded, 1 on bad arguments, 2 when any stack failed.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { PulumiCommand } from "@pulumi/pulumi/automation";
import { stackRole } from "./lib/plan-env";
import { type DriverAction, runTenantStacks } from "./lib/tenant-driver";

const USAGE = "usage: npm run tenants -- preview|up --env <env> [--parallel <n>] [--pulumi-root <dir>]";

async function main(): Promise<number> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      env: { type: "string" },
      parallel: { type: "string", default: "2" },
      "pulumi-root": { type: "string" },
    },
  });
  const action = positionals[0];
  const parallel = Number(values.parallel);
  const projectDir = join(__dirname, "..");
  if (
    (action !== "preview" && action !== "up") ||
    !values.env ||
    !(Number.isInteger(parallel) && parallel > 0)
  ) {
    process.stderr.write(`${USAGE}\n`);
    return 1;
  }
  if (stackRole(projectDir, values.env) !== "platform") {
    process.stderr.write(
      `--env ${values.env}: Pulumi.${values.env}.yaml is not a committed platform stack\n`,
    );
    return 1;
  }
  const root = values["pulumi-root"];
  const pulumiCommand = await PulumiCommand.get(root ? { root } : {});
  const results = await runTenantStacks({
    action: action as DriverAction,
    env: values.env,
    projectDir,
    pulumiCommand,
    parallel,
  });
  for (const r of results) {
    process.stdout.write(`${r.stack}: ${r.ok ? "ok" : `failed: ${r.error}`} (${r.seconds.toFixed(1)} s)\n`);
  }
  return results.every((r) => r.ok) ? 0 : 2;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`tenants failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(2);
  },
);
