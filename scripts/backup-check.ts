/**
 * `npm run backup:check -- (--stack <name> | --outputs <file>) [--config-file <Pulumi.x.yaml>] [--json] [--now <ISO time>]`
 *
 * Lists the R2 backup prefixes of a deployed stack and reports the newest object and its age for
 * CloudNativePG base backups and WAL (per PostgreSQL cluster), etcd snapshots and Longhorn
 * backups (per volume), against `monitoring.backupFreshness` of the stack's config.
 *
 * Exit codes: 0 every series is fresh, 1 a series is stale, missing or unreadable,
 * 2 the outputs or the config could not be read.
 */
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cnpgConsumer } from "../components/edge/r2-plan";
import { parseStackConfig } from "../stacks/config";
import { postgresArchives } from "../stacks/data";
import { renderBackupReport, runBackupCheck } from "./lib/backup-check";
import { type R2Outputs, validateR2Outputs } from "./lib/r2-check";
import { readProjectName, readStackFile } from "./lib/stack-file";
import { readStackOutputs } from "./lib/stack-outputs";

const USAGE =
  "usage: npm run backup:check -- (--stack <name> | --outputs <outputs.json>) [--config-file <Pulumi.x.yaml>] [--json] [--now <ISO time>]";

async function main(): Promise<number> {
  let values: { stack?: string; outputs?: string; "config-file"?: string; json?: boolean; now?: string };
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: "string" },
        outputs: { type: "string" },
        "config-file": { type: "string" },
        json: { type: "boolean" },
        now: { type: "string" },
      },
    }));
  } catch (e) {
    process.stderr.write(`backup-check: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const root = join(__dirname, "..");
  const configFile =
    values["config-file"] ?? (values.stack ? join(root, `Pulumi.${values.stack}.yaml`) : undefined);
  if (!configFile) {
    process.stderr.write(
      `backup-check: --config-file is required with --outputs (the thresholds come from it)\n${USAGE}\n`,
    );
    return 2;
  }
  const now = values.now ? new Date(values.now) : new Date();
  if (Number.isNaN(now.getTime())) {
    process.stderr.write(
      `backup-check: --now must be an ISO time such as 2026-11-22T12:00:00Z (got ${values.now})\n`,
    );
    return 2;
  }
  let outputs: { r2?: unknown };
  let config: ReturnType<typeof parseStackConfig>;
  try {
    outputs = readStackOutputs(values, USAGE) as { r2?: unknown };
    const file = readStackFile(configFile, readProjectName(join(root, "Pulumi.yaml")));
    config = parseStackConfig(file.config, values.stack ?? "stack", { checkSecrets: false });
  } catch (e) {
    process.stderr.write(`backup-check: ${(e as Error).message}\n`);
    return 2;
  }
  const problems = validateR2Outputs(outputs.r2);
  if (problems.length > 0) {
    process.stderr.write(`backup-check: ${problems.join("\n  ")}\n`);
    return 2;
  }
  // Every CNPG cluster the config declares must have backups, not only those found in R2.
  const expectedCnpgServers: Record<string, string[]> = {};
  for (const a of postgresArchives(config)) {
    const consumer = cnpgConsumer(a.cluster);
    expectedCnpgServers[consumer] = [...(expectedCnpgServers[consumer] ?? []), a.serverName];
  }
  const results = await runBackupCheck(outputs.r2 as R2Outputs, config.monitoring.backupFreshness, {
    now,
    expectedCnpgServers,
  });
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ checkedAt: now.toISOString(), results }, null, 2)}\n`
      : renderBackupReport(results),
  );
  return results.every((r) => r.status === "fresh") ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`backup-check: ${(e as Error).message}\n`);
    process.exit(2);
  },
);
