/**
 * `npm run bench`: times the offline plan as a user runs it (a fresh process per run).
 *
 *   npm run bench -- [--runs 5] [--stack staging --stack production]   the committed stacks
 *   npm run bench -- --tenants 10,100,1000                               generated tenants
 *
 * With --tenants it plans production-shaped stacks with that many tenants (an existing cluster,
 * so node sizing does not limit them) and, for each, the floor: a program registering the same
 * number of plain resources under the same mock runtime. It prints wall time, the plan's own
 * time and peak RSS, the floor's, the ratios to the floor, and t(largest)/t(10x smaller).
 */
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { join } from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    stack: { type: "string", multiple: true },
    tenants: { type: "string" },
  },
});
const root = join(__dirname, "..");
const tsx = join(root, "node_modules", "tsx", "dist", "cli.mjs");

interface Measure {
  wall: number;
  inner: number;
  /** The policy pack's part of `inner` (start, Analyze and AnalyzeStack); NaN for the floor. */
  pack: number;
  rssMb: number;
  resources: number;
}

function run(args: string[]): Measure {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, [tsx, ...args], {
    cwd: root,
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const text = `${result.stdout}${result.stderr}`;
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed:\n${text}`);
  const inner = Number(
    /\((\d+(?:\.\d+)?) s, peak RSS/.exec(text)?.[1] ??
      /: (\d+(?:\.\d+)?) s, peak RSS/.exec(text)?.[1] ??
      "NaN",
  );
  const rssMb = Number(/peak RSS (\d+) MB/.exec(text)?.[1] ?? "NaN");
  const pack = Number(/policy pack (\d+(?:\.\d+)?) s/.exec(text)?.[1] ?? "NaN");
  const resources = Number(/(\d+) resources/.exec(text)?.[1] ?? "NaN");
  return { wall, inner, pack, rssMb, resources };
}

function benchStacks(): void {
  const runs = Number(values.runs);
  const stacks = values.stack?.length ? values.stack : ["staging", "production"];
  process.stdout.write(`node ${process.version}, ${cpus().length} cpus, ${runs} runs per stack\n`);
  for (const stack of stacks) {
    const times: number[] = [];
    for (let i = 0; i < runs; i++) {
      const out = mkdtempSync(join(tmpdir(), "bench-"));
      times.push(run(["scripts/plan.ts", "--stack", stack, "--out", out]).wall);
      rmSync(out, { recursive: true, force: true });
    }
    times.sort((a, b) => a - b);
    const median = times[Math.floor(times.length / 2)] ?? 0;
    process.stdout.write(
      `plan ${stack}: min ${times[0]?.toFixed(2)} s, median ${median.toFixed(2)} s, max ${times.at(-1)?.toFixed(2)} s\n`,
    );
  }
}

/** A production-shaped config with `count` generated starter tenants on an existing cluster. */
function tenantsConfig(count: number, dir: string): string {
  const doc = parse(readFileSync(join(root, "Pulumi.production.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  const tenants = Array.from({ length: count }, (_, i) => ({
    slug: `t${String(i).padStart(4, "0")}`,
    tier: "starter",
    ...(i % 10 === 0 ? { domains: [`t${i}.customers.example`] } : {}),
  }));
  const config = {
    ...doc.config,
    "enclii-infra:nodes": [{ name: "existing-0", kind: "existing", role: "server" }],
    "enclii-infra:tenants": tenants,
  };
  const file = join(dir, `Pulumi.bench-${count}.yaml`);
  writeFileSync(file, stringify({ config }));
  return file;
}

function benchTenants(counts: number[]): void {
  process.stdout.write(`node ${process.version}, ${cpus().length} cpus\n`);
  const rows: { count: number; plan: Measure; floor: Measure }[] = [];
  for (const count of counts) {
    const dir = mkdtempSync(join(tmpdir(), "bench-tenants-"));
    const plan = run([
      "scripts/plan.ts",
      "--stack",
      "production",
      "--config-file",
      tenantsConfig(count, dir),
      "--out",
      join(dir, "out"),
    ]);
    const floor = run(["scripts/floor.ts", String(plan.resources)]);
    rmSync(dir, { recursive: true, force: true });
    rows.push({ count, plan, floor });
    process.stdout.write(
      `${count} tenants: ${plan.resources} resources; plan ${plan.wall.toFixed(2)} s wall (${plan.inner.toFixed(2)} s inside: program and files ${(plan.inner - plan.pack).toFixed(2)} s, policy pack ${plan.pack.toFixed(2)} s), peak RSS ${plan.rssMb} MB; ` +
        `floor ${floor.wall.toFixed(2)} s wall (${floor.inner.toFixed(2)} s), ${floor.rssMb} MB; ` +
        `ratio to floor: time ${(plan.inner / floor.inner).toFixed(2)}x, memory ${(plan.rssMb / floor.rssMb).toFixed(2)}x\n`,
    );
  }
  for (let i = 1; i < rows.length; i++) {
    const a = rows[i - 1] as (typeof rows)[number];
    const b = rows[i] as (typeof rows)[number];
    process.stdout.write(
      `t(${b.count})/t(${a.count}) = ${(b.plan.inner / a.plan.inner).toFixed(2)} (program time)\n`,
    );
  }
}

if (values.tenants) benchTenants(values.tenants.split(",").map(Number));
else benchStacks();
