/**
 * `npm run backup:check -- (--stack <name> | --outputs <file>) [--config-file <Pulumi.x.yaml>]
 *   [--kubeconfig <file> | --no-cluster] [--json] [--now <ISO time>]`
 *
 * Reads the R2 backups of a deployed stack and judges each series against
 * `monitoring.backupFreshness` of the stack's config (scripts/lib/backup-check.ts): CloudNativePG
 * base backups by the newest backup.info with status=DONE and WAL (per current archive; other
 * archives are retired), etcd snapshots, and Longhorn backups per volume of every live PVC of the
 * backup group (asked from the cluster with `kubectl`: `--kubeconfig`, else `$KUBECONFIG`, else the
 * stack output `kubeconfig`; `--no-cluster` judges the volumes found in R2 only).
 *
 * Exit codes: 0 every series passes (fresh, idle or retired), 1 a series is stale, failed,
 * missing or unreadable, 2 the outputs, the config or the cluster could not be read.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { cnpgConsumer } from "../components/edge/r2-plan";
import { LONGHORN_BACKUP_GROUP } from "../components/storage/longhorn-values";
import { parseStackConfig } from "../stacks/config";
import { postgresArchives } from "../stacks/data";
import { PASSING, renderBackupReport, runBackupCheck } from "./lib/backup-check";
import { type LiveVolume, parsePvcList } from "./lib/backup-layout";
import { type R2Outputs, validateR2Outputs } from "./lib/r2-check";
import { readProjectName, readStackFile } from "./lib/stack-file";
import { readStackOutputs } from "./lib/stack-outputs";

const USAGE =
  "usage: npm run backup:check -- (--stack <name> | --outputs <outputs.json>) [--config-file <Pulumi.x.yaml>] [--kubeconfig <file> | --no-cluster] [--json] [--now <ISO time>]";

/** The PVC label of the Longhorn backup group (components/storage/longhorn-values.ts). */
const BACKUP_GROUP_SELECTOR = `recurring-job-group.longhorn.io/${LONGHORN_BACKUP_GROUP}=enabled`;

/** The live PVCs Longhorn must back up, from the cluster. */
function liveVolumes(kubeconfig: string | undefined): LiveVolume[] {
  const args = [
    ...(kubeconfig ? ["--kubeconfig", kubeconfig] : []),
    "get",
    "pvc",
    "--all-namespaces",
    "-l",
    BACKUP_GROUP_SELECTOR,
    "-o",
    "json",
  ];
  try {
    return parsePvcList(
      execFileSync("kubectl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }),
    );
  } catch (e) {
    const err = e as { stderr?: string; message: string };
    throw new Error(
      `kubectl ${args.join(" ")}: ${(err.stderr ?? "").trim() || err.message}; pass --kubeconfig <file>, or --no-cluster to judge only the volumes in R2`,
    );
  }
}

async function main(): Promise<number> {
  let values: {
    stack?: string;
    outputs?: string;
    "config-file"?: string;
    kubeconfig?: string;
    "no-cluster"?: boolean;
    json?: boolean;
    now?: string;
  };
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: "string" },
        outputs: { type: "string" },
        "config-file": { type: "string" },
        kubeconfig: { type: "string" },
        "no-cluster": { type: "boolean" },
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
  if (values.kubeconfig && values["no-cluster"]) {
    process.stderr.write(`backup-check: --kubeconfig and --no-cluster exclude each other\n${USAGE}\n`);
    return 2;
  }
  let live: LiveVolume[] | undefined;
  if (!values["no-cluster"]) {
    let tempDir: string | undefined;
    try {
      let kubeconfig = values.kubeconfig;
      const stackKubeconfig = (outputs as { kubeconfig?: unknown }).kubeconfig;
      if (!kubeconfig && !process.env.KUBECONFIG && typeof stackKubeconfig === "string") {
        tempDir = mkdtempSync(join(tmpdir(), "backup-check-"));
        kubeconfig = join(tempDir, "kubeconfig");
        writeFileSync(kubeconfig, stackKubeconfig, { mode: 0o600 });
      }
      live = liveVolumes(kubeconfig);
    } catch (e) {
      process.stderr.write(`backup-check: ${(e as Error).message}\n`);
      return 2;
    } finally {
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    }
  }
  const results = await runBackupCheck(outputs.r2 as R2Outputs, config.monitoring.backupFreshness, {
    now,
    expectedCnpgServers,
    ...(live ? { liveVolumes: live } : {}),
  });
  process.stdout.write(
    values.json
      ? `${JSON.stringify({ checkedAt: now.toISOString(), liveVolumesChecked: live !== undefined, results }, null, 2)}\n`
      : renderBackupReport(results),
  );
  return results.every((r) => PASSING.includes(r.status)) ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`backup-check: ${(e as Error).message}\n`);
    process.exit(2);
  },
);
