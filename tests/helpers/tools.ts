/**
 * Binaries the project builds from their Go modules (`npm run tools:build`, into the ignored
 * tools/bin). Like the Debian binaries (binaries.ts): under CI=true a missing one fails the test;
 * on a user's machine the test is reported as skipped with the build command.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./plan-cli";

/** Where `npm run tools:build` writes the binaries. */
export const TOOLS_BIN = join(ROOT, "tools", "bin");

/** The path of a built tool (it may not exist yet). */
export function toolPath(name: string): string {
  return join(TOOLS_BIN, name);
}

/**
 * The path of a built tool: returns it when it exists; otherwise fails under CI or skips the
 * test with the build command.
 */
export function requireTool(name: string, ctx: { skip(note?: string): void }): string {
  const path = toolPath(name);
  if (existsSync(path)) return path;
  const hint = `${name} is not built: npm run tools:build (writes ${path})`;
  if (process.env.CI === "true") throw new Error(hint);
  ctx.skip(hint);
  return path;
}
