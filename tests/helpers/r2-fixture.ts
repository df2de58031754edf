/**
 * The R2 layout and stack outputs the operations scripts read, for tests against FakeR2: the
 * buckets of `bucketSpecs("enclii-test")` (with one dedicated tenant, globex, as in the production
 * stack), one key per consumer, the `r2` outputs file, and the
 * scripts run as child processes without blocking the server that runs in the test's process.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bucketSpecs, consumerSpecs } from "../../components/edge/r2-plan";
import { ROOT } from "./plan-cli";
import type { ScopedKey } from "./r2-server";

/** The test stack's buckets. */
export const TEST_SPECS = bucketSpecs(
  "enclii-test",
  { etcd: 30, audit: 90, artifacts: 180, infrequentAccessAfter: 30 },
  ["janua-globex"],
);

/** The test stack's consumers: the platform's and `cnpg-janua-globex`. */
export const CONSUMERS = consumerSpecs(["janua-globex"]);

/** A bucket's name by its key (the consumer's name: `etcd`, `cnpg`, `audit`, ...). */
export const bucketName = (key: string) => TEST_SPECS.find((s) => s.key === key)?.name as string;

/** The bucket a consumer writes to. */
export const consumerBucket = (consumer: string) =>
  bucketName(CONSUMERS.find((c) => c.name === consumer)?.bucket as string);

/** One key per consumer, in `CONSUMERS` order; `scope` says which buckets it may use. */
export function keysFor(scope: (consumer: string, own: string) => string[]): ScopedKey[] {
  return CONSUMERS.map((c) => ({
    accessKeyId: `AK${c.name.toUpperCase()}`,
    secretAccessKey: `secret-of-${c.name}`,
    buckets: scope(c.name, bucketName(c.bucket)),
  }));
}

/** Writes the `r2` stack output for `endpoint` and `keys`, as `--show-secrets` prints it; returns the file. */
export function writeR2Outputs(endpoint: string, keys: readonly ScopedKey[]): string {
  const outputs = {
    r2: {
      endpoint,
      region: "auto",
      buckets: TEST_SPECS.map((s) => ({
        key: s.key,
        name: s.name,
        prefixes: Object.keys(s.prefixes),
        toolRetained: Object.keys(s.toolRetained ?? {}),
        ...(s.lockDays !== undefined ? { lockDays: s.lockDays } : {}),
      })),
      consumers: Object.fromEntries(
        CONSUMERS.map((c, i) => [
          c.name,
          {
            bucket: bucketName(c.bucket),
            prefix: c.prefix,
            accessKeyId: keys[i]?.accessKeyId,
            secretAccessKey: keys[i]?.secretAccessKey,
          },
        ]),
      ),
    },
  };
  const file = join(mkdtempSync(join(tmpdir(), "r2-outputs-")), "outputs.json");
  writeFileSync(file, JSON.stringify(outputs));
  return file;
}

/** Runs `scripts/<script>` with tsx, asynchronously (the fake server must keep answering). */
export function runScript(
  script: string,
  args: readonly string[],
): Promise<{ status: number | null; stdout: string; stderr: string }> {
  const tsx = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const child = spawn(process.execPath, [tsx, join("scripts", script), ...args], { cwd: ROOT });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c;
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c;
  });
  return new Promise((resolve) => child.on("close", (status) => resolve({ status, stdout, stderr })));
}
