/**
 * `npm run restore:drill -- --stack <name> [--cluster postgres|janua-<slug>] --database <db>
 *   --check <table[:minRows][:timestampColumn]> ... [--rpo 15m] [--timeout 30m]
 *   [--target-time <RFC 3339>] [--kubeconfig <file>] [--config-file <Pulumi.x.yaml>] [--json]`
 *
 * Recovers a PostgreSQL cluster from its R2 archive into a throwaway CloudNativePG cluster in the
 * same namespace (it reads the archive through the source's ObjectStore and has no WAL archiver,
 * so it never writes into the production archive), waits until it is ready, checks the data
 * (the RPO against the source's newest rows at the drill's start, up to `--target-time`),
 * reports the measured recovery time and what it proved and did not, and deletes the cluster,
 * its PVCs, PVs and Longhorn volumes even when something fails.
 * The kubeconfig comes from `--kubeconfig` or the stack output `kubeconfig`.
 *
 * Exit codes: 0 recovered and every check passed, 1 the drill failed, 2 bad arguments or config.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parseStackConfig } from "../stacks/config";
import { drillManifest, drillSource } from "./lib/drill-target";
import { type DrillCheck, parseCheck, parseDuration, runDrill } from "./lib/restore-drill";
import { readProjectName, readStackFile } from "./lib/stack-file";
import { readStackOutputs } from "./lib/stack-outputs";

const USAGE =
  "usage: npm run restore:drill -- --stack <name> [--cluster postgres|janua-<slug>] --database <db> --check <table[:minRows][:timestampColumn]> ... [--rpo 15m] [--timeout 30m] [--target-time <RFC 3339>] [--kubeconfig <file>] [--json]";

async function main(): Promise<number> {
  const root = join(__dirname, "..");
  let values: Record<string, string | string[] | boolean | undefined>;
  try {
    ({ values } = parseArgs({
      options: {
        stack: { type: "string" },
        cluster: { type: "string", default: "postgres" },
        database: { type: "string" },
        check: { type: "string", multiple: true },
        rpo: { type: "string", default: "15m" },
        timeout: { type: "string", default: "30m" },
        "target-time": { type: "string" },
        kubeconfig: { type: "string" },
        "config-file": { type: "string" },
        json: { type: "boolean" },
      },
    }));
  } catch (e) {
    process.stderr.write(`restore-drill: ${(e as Error).message}\n${USAGE}\n`);
    return 2;
  }
  const problems: string[] = [];
  const stack = values.stack as string | undefined;
  if (!stack) problems.push("--stack is required");
  if (!values.database) problems.push("--database is required (the database the checks query, e.g. janua)");
  const specs = (values.check as string[] | undefined) ?? [];
  if (specs.length === 0) problems.push("at least one --check is required (e.g. --check users:1:created_at)");
  const checks: DrillCheck[] = [];
  let rpoSeconds = 0;
  let timeoutSeconds = 0;
  for (const spec of specs) {
    try {
      checks.push(parseCheck(spec));
    } catch (e) {
      problems.push((e as Error).message);
    }
  }
  try {
    rpoSeconds = parseDuration(values.rpo as string, "--rpo");
  } catch (e) {
    problems.push((e as Error).message);
  }
  try {
    timeoutSeconds = parseDuration(values.timeout as string, "--timeout");
  } catch (e) {
    problems.push((e as Error).message);
  }
  const targetTime = values["target-time"] as string | undefined;
  if (targetTime && Number.isNaN(Date.parse(targetTime)))
    problems.push(`--target-time must be RFC 3339 (got ${targetTime})`);
  if (problems.length > 0 || !stack) {
    process.stderr.write(`restore-drill:\n  ${problems.join("\n  ")}\n${USAGE}\n`);
    return 2;
  }

  let manifest: Record<string, unknown>;
  let kubeconfig = values.kubeconfig as string | undefined;
  let tempDir: string | undefined;
  try {
    const file = readStackFile(
      (values["config-file"] as string | undefined) ?? join(root, `Pulumi.${stack}.yaml`),
      readProjectName(join(root, "Pulumi.yaml")),
    );
    const config = parseStackConfig(file.config, stack, { checkSecrets: false });
    manifest = drillManifest(drillSource(config, values.cluster as string), new Date(), targetTime);
    if (!kubeconfig) {
      const outputs = readStackOutputs({ stack }, USAGE) as { kubeconfig?: unknown };
      if (typeof outputs.kubeconfig !== "string")
        throw new Error("the stack has no `kubeconfig` output; pass --kubeconfig");
      tempDir = mkdtempSync(join(tmpdir(), "restore-drill-"));
      kubeconfig = join(tempDir, "kubeconfig");
      writeFileSync(kubeconfig, outputs.kubeconfig, { mode: 0o600 });
    }
  } catch (e) {
    process.stderr.write(`restore-drill: ${(e as Error).message}\n`);
    return 2;
  }
  try {
    const report = await runDrill({
      manifest,
      source: values.cluster as string,
      ...(targetTime ? { targetTime } : {}),
      database: values.database as string,
      checks,
      rpoSeconds,
      timeoutSeconds,
      kubectlArgs: ["--kubeconfig", kubeconfig],
      log: values.json ? undefined : (line) => process.stderr.write(`${line}\n`),
    });
    if (values.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    else {
      for (const c of report.checks)
        process.stdout.write(`${c.ok ? "ok  " : "FAIL"} ${c.table}: ${c.detail}\n`);
      if (report.recoverySeconds !== undefined)
        process.stdout.write(`recovery time: ${report.recoverySeconds} s\n`);
      if (report.error) process.stdout.write(`error: ${report.error}\n`);
      process.stdout.write(`proved:\n${report.proved.map((p) => `  - ${p}\n`).join("") || "  (nothing)\n"}`);
      process.stdout.write(`not proved:\n${report.notProved.map((p) => `  - ${p}\n`).join("")}`);
      process.stdout.write(
        `${report.ok ? "drill passed" : "drill FAILED"} (${report.cluster}, cleaned up: ${report.cleanedUp ? `yes, ${report.volumes.length} volume(s) deleted` : "NO"})\n`,
      );
    }
    return report.ok ? 0 : 1;
  } finally {
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (e: unknown) => {
    process.stderr.write(`restore-drill: ${(e as Error).message}\n`);
    process.exit(2);
  },
);
