/**
 * Serializes a dynamic provider the way `pulumi up` does (in a separate process that compiles
 * the TypeScript like the CLI), then runs operations from the serialized text in a fresh Node
 * process, asynchronously so a test server in this process keeps answering.
 */
import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./plan-cli";

/** Serializes `exportName` of `modulePath`; returns the file and its text. */
export function serializeProvider(
  modulePath: string,
  exportName: string,
): { file: string; text: string; dir: string } {
  mkdirSync(join(ROOT, ".test-tmp"), { recursive: true });
  const dir = mkdtempSync(join(ROOT, ".test-tmp", "provider-"));
  const file = join(dir, `${exportName}.js`);
  const tsx = join(ROOT, "node_modules", "tsx", "dist", "cli.mjs");
  const result = spawnSync(
    process.execPath,
    [tsx, "tests/helpers/serialize-provider.ts", modulePath, exportName, file],
    {
      cwd: ROOT,
      encoding: "utf8",
    },
  );
  if (result.status !== 0) throw new Error(`serializing ${exportName} failed:\n${result.stderr}`);
  return { file, text: readFileSync(file, "utf8"), dir };
}

/** One operation: a method of provider `provider` (an index into the files), or a parallel group. */
export type SerializedOp =
  | { method: string; args: unknown[]; provider?: number }
  | { parallel: { method: string; args: unknown[]; provider?: number }[] };

/**
 * Runs operations against the serialized provider (or providers: `file` may list several, loaded
 * into one process as the engine's dynamic provider host does); resolves with their results.
 */
export async function runSerialized(
  file: string | string[],
  dir: string,
  ops: SerializedOp[],
): Promise<unknown[]> {
  const child = spawn(
    process.execPath,
    [
      join(ROOT, "tests/helpers/run-serialized-provider.cjs"),
      typeof file === "string" ? file : JSON.stringify(file),
      JSON.stringify(ops),
    ],
    { cwd: dir },
  );
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c) => (stdout += c));
  child.stderr.on("data", (c) => (stderr += c));
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  if (code !== 0) throw new Error(`the serialized provider failed (exit ${code}):\n${stderr}`);
  return JSON.parse(stdout) as unknown[];
}
