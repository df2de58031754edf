/**
 * `npm run -s policy:config -- --stack <name> --out <file> [--config-file <Pulumi.x.yaml>]`
 *
 * Writes the policy pack's config for a stack (`--policy-pack-config`) from the stack's own
 * config: the budget lives only in `enclii-infra:budget`, and the offline plan passes the same
 * object (scripts/lib/run-plan.ts). Exit codes: 0 written, 1 bad arguments or invalid config.
 */
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { StackConfigError } from "../stacks/config";
import { policyPackConfig, readStackConfig } from "./lib/stack-ci";
import { readProjectName } from "./lib/stack-file";

const USAGE =
  "usage: npm run -s policy:config -- --stack <name> --out <file> [--config-file <Pulumi.x.yaml>]";

function main(): number {
  let values: { stack?: string; out?: string; "config-file"?: string };
  try {
    ({ values } = parseArgs({
      options: { stack: { type: "string" }, out: { type: "string" }, "config-file": { type: "string" } },
    }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 1;
  }
  if (!values.stack || !values.out) {
    process.stderr.write(`--stack and --out are required\n${USAGE}\n`);
    return 1;
  }
  const root = join(__dirname, "..");
  const file = values["config-file"] ?? join(root, `Pulumi.${values.stack}.yaml`);
  try {
    const config = readStackConfig(file, readProjectName(join(root, "Pulumi.yaml")), values.stack);
    writeFileSync(values.out, `${JSON.stringify(policyPackConfig(config), null, 2)}\n`);
    process.stdout.write(
      `policy:config ${values.stack}: budget $${config.budget.monthlyUsd}/month -> ${values.out}\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(
      `policy:config ${values.stack}: ${e instanceof StackConfigError ? e.message : (e as Error).message}\n`,
    );
    return 1;
  }
}

process.exit(main());
