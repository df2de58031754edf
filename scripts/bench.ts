/**
 * `npm run bench`: times the offline plan of each stack as a user runs it (a fresh process per
 * run, module loading included) and prints min / median / max wall time.
 *
 *   npm run bench -- [--runs 5] [--stack staging --stack production]
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: { runs: { type: "string", default: "5" }, stack: { type: "string", multiple: true } },
});
const runs = Number(values.runs);
const stacks = values.stack?.length ? values.stack : ["staging", "production"];
const root = join(__dirname, "..");
const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");

process.stdout.write(`node ${process.version}, ${cpus().length} cpus, ${runs} runs per stack\n`);
for (const stack of stacks) {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const out = mkdtempSync(join(tmpdir(), "bench-"));
    const start = process.hrtime.bigint();
    const result = spawnSync(process.execPath, [tsx, "scripts/plan.ts", "--stack", stack, "--out", out], {
      cwd: root,
      encoding: "utf8",
    });
    times.push(Number(process.hrtime.bigint() - start) / 1e9);
    rmSync(out, { recursive: true, force: true });
    if (result.status !== 0) {
      process.stderr.write(result.stderr);
      process.exit(1);
    }
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)] ?? 0;
  process.stdout.write(
    `plan ${stack}: min ${times[0]?.toFixed(2)} s, median ${median.toFixed(2)} s, max ${times.at(-1)?.toFixed(2)} s\n`,
  );
}
