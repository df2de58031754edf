/**
 * Binaries the project builds from their Go modules (`npm run tools:build`, scripts/lib/tools.ts)
 * for a test: like the Debian binaries (binaries.ts), a missing one fails the test under CI=true
 * and skips it elsewhere with the build command.
 */
import { join } from "node:path";
import { TOOLS_BIN_DIR, toolPath } from "../../scripts/lib/tools";

/** The path of the built tool `name`, or a skip (a failure under CI=true) with the build command. */
export function requireTool(name: string, ctx: { skip(note?: string): void }): string {
  const path = toolPath(name);
  if (path !== undefined) return path;
  const hint = `${name} is not built: npm run tools:build (writes ${join(TOOLS_BIN_DIR, name)})`;
  if (process.env.CI === "true") throw new Error(hint);
  ctx.skip(hint);
  return join(TOOLS_BIN_DIR, name);
}
