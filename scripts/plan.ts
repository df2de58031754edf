/**
 * `npm run plan -- --stack <name> [--config-file <Pulumi.x.yaml>] [--out <dir>]`
 *
 * Exit codes: 0 success, 1 invalid configuration, 2 mandatory policy violation,
 * 3 the program itself failed (a bug: please report it).
 */
import { parseArgs } from "node:util";
import { EXIT, runPlan } from "./lib/run-plan";

const USAGE =
  "usage: npm run plan -- --stack <production|staging|...> [--config-file <Pulumi.x.yaml>] [--out <dir>] [--preview]";

async function main(): Promise<number> {
  let values: {
    stack?: string;
    "config-file"?: string;
    out?: string;
    help?: boolean;
    "stack-traces"?: boolean;
    preview?: boolean;
  };
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: "string" },
        "config-file": { type: "string" },
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
  if (!values.stack) {
    process.stderr.write(`--stack is required\n${USAGE}\n`);
    return EXIT.invalidConfig;
  }
  const result = await runPlan({
    stack: values.stack,
    configFile: values["config-file"],
    outDir: values.out,
    preview: values.preview,
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
