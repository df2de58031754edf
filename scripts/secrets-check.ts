/**
 * `npm run -s secrets:check -- --stack <name> [--config-file <Pulumi.x.yaml>]`
 *
 * Before a real preview or `up`: does the committed stack file hold, encrypted with the stack's
 * passphrase, every secret the program's loader requires for its config? Prints each missing one
 * with the command that adds it. Exit codes: 0 all present, 1 something is missing or unreadable.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { StackConfigError } from "../stacks/config";
import { checkStackSecrets } from "./lib/stack-ci";
import { readProjectName } from "./lib/stack-file";

const USAGE = "usage: npm run -s secrets:check -- --stack <name> [--config-file <Pulumi.x.yaml>]";

function main(): number {
  let values: { stack?: string; "config-file"?: string };
  try {
    ({ values } = parseArgs({ options: { stack: { type: "string" }, "config-file": { type: "string" } } }));
  } catch (e) {
    process.stderr.write(`${(e as Error).message}\n${USAGE}\n`);
    return 1;
  }
  if (!values.stack) {
    process.stderr.write(`--stack is required\n${USAGE}\n`);
    return 1;
  }
  const root = join(__dirname, "..");
  const file = values["config-file"] ?? join(root, `Pulumi.${values.stack}.yaml`);
  try {
    const report = checkStackSecrets(file, readProjectName(join(root, "Pulumi.yaml")), values.stack);
    if (report.problems.length > 0) {
      process.stderr.write(
        `secrets:check ${values.stack}: ${report.problems.length} problem(s):\n${report.problems.map((p) => `  ${p}`).join("\n")}\n`,
      );
      return 1;
    }
    process.stdout.write(
      `secrets:check ${values.stack}: ${report.required.map((s) => s.key).join(", ")} encrypted in ${file}\n`,
    );
    return 0;
  } catch (e) {
    process.stderr.write(
      `secrets:check ${values.stack}: ${e instanceof StackConfigError ? e.message : `cannot read ${file}: ${(e as Error).message}`}\n`,
    );
    return 1;
  }
}

process.exit(main());
