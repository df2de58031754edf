/**
 * Real local binaries for tests. Under CI=true a missing binary fails the test; on a user's
 * machine the test is reported as skipped with the command that installs it.
 */
import { spawnSync } from "node:child_process";

/** Debian packages providing the binaries the tests use. */
export const BINARY_PACKAGES: Record<string, string> = {
  shellcheck: "shellcheck",
  "cloud-init": "cloud-init",
  "redis-server": "redis-server",
  "redis-sentinel": "redis-sentinel",
  postgres: "postgresql",
  promtool: "prometheus",
  amtool: "prometheus-alertmanager",
  "prometheus-blackbox-exporter": "prometheus-blackbox-exporter",
  "prometheus-redis-exporter": "prometheus-redis-exporter",
};

/** True when `name` is on the PATH. */
export function hasBinary(name: string): boolean {
  return spawnSync("sh", ["-c", `command -v ${name}`], { encoding: "utf8" }).status === 0;
}

/**
 * Makes sure `name` exists: returns when it does; otherwise fails under CI or skips the test
 * with the install command.
 */
export function requireBinary(name: string, ctx: { skip(note?: string): void }): void {
  if (hasBinary(name)) return;
  const hint = `${name} is not installed: sudo apt-get install -y ${BINARY_PACKAGES[name] ?? name}`;
  if (process.env.CI === "true") throw new Error(hint);
  ctx.skip(hint);
}
