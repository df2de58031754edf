/**
 * `npm run r2:check -- (--stack <name> | --outputs <file>) [--json]`
 *
 * Checks every R2 consumer of a deployed stack: write, read and delete a probe object in its own
 * bucket, denied on the others, and lifecycle rules present. Reads the stack outputs with
 * `pulumi stack output --json --show-secrets` (or from a file saved that way). Lifecycle rules are
 * read with the consumer's token, or with R2_ADMIN_ACCESS_KEY_ID / R2_ADMIN_SECRET_ACCESS_KEY.
 *
 * Exit codes: 0 all checks passed, 1 a check failed, 2 the outputs could not be read.
 */
import { parseArgs } from "node:util";
import { type R2Outputs, renderReport, runR2Check, validateR2Outputs } from "./lib/r2-check";
import { readStackOutputs } from "./lib/stack-outputs";

const USAGE = "usage: npm run r2:check -- (--stack <name> | --outputs <outputs.json>) [--json]";

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: { stack: { type: "string" }, outputs: { type: "string" }, json: { type: "boolean" } },
  });
  let outputs: { r2?: unknown };
  try {
    outputs = readStackOutputs(values, USAGE) as { r2?: unknown };
  } catch (e) {
    process.stderr.write(`r2-check: cannot read the stack outputs: ${(e as Error).message}\n`);
    return 2;
  }
  const problems = validateR2Outputs(outputs.r2);
  if (problems.length > 0) {
    process.stderr.write(`r2-check: ${problems.join("\n  ")}\n`);
    return 2;
  }
  const admin =
    process.env.R2_ADMIN_ACCESS_KEY_ID && process.env.R2_ADMIN_SECRET_ACCESS_KEY
      ? {
          accessKeyId: process.env.R2_ADMIN_ACCESS_KEY_ID,
          secretAccessKey: process.env.R2_ADMIN_SECRET_ACCESS_KEY,
        }
      : undefined;
  const results = await runR2Check(outputs.r2 as R2Outputs, {
    admin,
    progress: values.json ? undefined : (r) => process.stderr.write(`${r.ok ? "ok  " : "FAIL"} ${r.check}\n`),
  });
  process.stdout.write(
    values.json ? `${JSON.stringify({ results }, null, 2)}\n` : `${renderReport(results)}\n`,
  );
  return results.every((r) => r.ok) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`r2-check failed: ${(e as Error).stack ?? String(e)}\n`);
    process.exit(2);
  },
);
