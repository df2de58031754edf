/**
 * `npm run bench`: times the offline plan as a user runs it (a fresh process per run).
 *
 *   npm run bench -- [--runs 5] [--stack staging --stack production]   the committed stacks
 *   npm run bench -- --tenants 10,100,1000                               generated tenants in one stack
 *   npm run bench -- --tenants 1000 --per-stack 100                      platform + tenant stacks
 *
 * With --tenants it plans production-shaped stacks with that many tenants (an existing cluster,
 * so node sizing does not limit them) and, for each, the floor: a program registering the same
 * number of plain resources under the same mock runtime. It prints wall time, the plan's own
 * time and peak RSS, the floor's, the ratios to the floor, and t(largest)/t(10x smaller).
 */
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { parseArgs } from "node:util";
import { parse, stringify } from "yaml";

const { values } = parseArgs({
  options: {
    runs: { type: "string", default: "5" },
    stack: { type: "string", multiple: true },
    tenants: { type: "string" },
    "per-stack": { type: "string" },
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

/** Generated tenant `i` (every tenth with a custom domain, as in benchTenants). */
const benchTenant = (i: number) => ({
  slug: `t${String(i).padStart(4, "0")}`,
  tier: "starter",
  ...(i % 10 === 0 ? { domains: [`t${i}.customers.example`] } : {}),
});

/**
 * `--tenants <n> --per-stack <m>`: an environment `bench` (production-shaped, an existing cluster)
 * with ceil(n/m) tenant stacks of m tenants, planned in full (`npm run plan -- --env`, policy
 * pack included), then one tenant added to the first tenant stack and only that stack re-planned;
 * beside the floor for the largest stack's resource count. Ends with the `bench:` line.
 */
function benchEnvironment(count: number, perStack: number): void {
  process.stdout.write(`node ${process.version}, ${cpus().length} cpus\n`);
  const dir = mkdtempSync(join(tmpdir(), "bench-env-"));
  const doc = parse(readFileSync(join(root, "Pulumi.production.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  copyFileSync(join(root, "Pulumi.yaml"), join(dir, "Pulumi.yaml"));
  writeFileSync(
    join(dir, "Pulumi.bench.yaml"),
    stringify({
      config: {
        ...doc.config,
        "enclii-infra:nodes": [{ name: "existing-0", kind: "existing", role: "server" }],
      },
    }),
  );
  const stacks = Math.ceil(count / perStack);
  const stackFile = (_k: number, tenants: unknown[]) =>
    stringify({
      config: {
        "enclii-infra:role": "tenants",
        "enclii-infra:platformStack": "bench",
        "enclii-infra:tenants": tenants,
      },
    });
  const name = (k: number) => `bench-tenants-${String(k).padStart(3, "0")}`;
  for (let k = 0; k < stacks; k++) {
    const tenants = Array.from({ length: Math.min(perStack, count - k * perStack) }, (_, i) =>
      benchTenant(k * perStack + i),
    );
    writeFileSync(join(dir, `Pulumi.${name(k)}.yaml`), stackFile(k, tenants));
  }
  const out = join(dir, "out");
  const lines: string[] = [];
  const start = process.hrtime.bigint();
  const full = spawnSync(
    process.execPath,
    [tsx, "scripts/plan.ts", "--env", "bench", "--stacks-dir", dir, "--out", out],
    {
      cwd: root,
      encoding: "utf8",
      maxBuffer: 256 * 1024 * 1024,
    },
  );
  const wall = Number(process.hrtime.bigint() - start) / 1e9;
  const text = `${full.stdout}${full.stderr}`;
  if (full.status !== 0) throw new Error(`plan --env bench failed:\n${text.slice(-4000)}`);
  for (const line of text.split("\n")) if (/\] plan /.test(line)) lines.push(line);
  const perStackRuns = lines.map((l) => ({
    stack: /\[([^\]]+)\]/.exec(l)?.[1] ?? "?",
    resources: Number(/(\d+) resources/.exec(l)?.[1] ?? "NaN"),
    inner: Number(/\((\d+(?:\.\d+)?) s, peak RSS/.exec(l)?.[1] ?? "NaN"),
    rssMb: Number(/peak RSS (\d+) MB/.exec(l)?.[1] ?? "NaN"),
  }));
  for (const r of perStackRuns)
    process.stdout.write(
      `${r.stack}: ${r.resources} resources, ${r.inner.toFixed(2)} s in process, peak RSS ${r.rssMb} MB\n`,
    );
  // One tenant more in the first tenant stack: only that stack is planned again.
  const first = name(0);
  const firstTenants = Array.from({ length: Math.min(perStack, count) }, (_, i) => benchTenant(i));
  const plusOne = join(dir, "plus-one", `Pulumi.${first}.yaml`);
  mkdirSync(dirname(plusOne), { recursive: true });
  writeFileSync(
    plusOne,
    stackFile(0, [
      ...firstTenants,
      { slug: "added-one", tier: "starter", domains: ["added.customers.example"] },
    ]),
  );
  const addStart = process.hrtime.bigint();
  const add = spawnSync(
    process.execPath,
    [
      tsx,
      "scripts/plan.ts",
      "--stack",
      first,
      "--config-file",
      plusOne,
      "--stacks-dir",
      dir,
      "--platform-plan",
      join(out, "bench", "plan.json"),
      "--out",
      join(dir, "plus-one", "out"),
    ],
    { cwd: root, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const addOne = Number(process.hrtime.bigint() - addStart) / 1e9;
  if (add.status !== 0) throw new Error(`re-plan of ${first} failed:\n${add.stderr.slice(-4000)}`);
  const before = JSON.parse(readFileSync(join(out, first, "plan.json"), "utf8")) as {
    resources: { urn: string }[];
  };
  const after = JSON.parse(readFileSync(join(dir, "plus-one", "out", "plan.json"), "utf8")) as {
    resources: { urn: string }[];
  };
  const known = new Set(before.resources.map((r) => r.urn));
  const added = after.resources.filter((r) => !known.has(r.urn)).map((r) => r.urn);
  process.stdout.write(
    `add one to ${first}: ${addOne.toFixed(2)} s wall, ${added.length} new resources, all the new tenant's: ${added.every((u) => u.includes("added-one") || u.includes("added.customers.example"))}\n`,
  );
  const largest = perStackRuns.reduce((a, b) => (b.resources > a.resources ? b : a));
  const floor = run(["scripts/floor.ts", String(largest.resources)]);
  process.stdout.write(
    `floor ${largest.resources} resources: ${floor.inner.toFixed(2)} s; ${largest.stack}: ${(largest.inner / floor.inner).toFixed(2)}x the floor (process time incl. policy pack)\n`,
  );
  rmSync(dir, { recursive: true, force: true });
  const peak = Math.max(...perStackRuns.map((r) => r.rssMb));
  process.stdout.write(
    `bench: tenants=${count} stacks=${stacks} wall_s=${wall.toFixed(2)} peak_rss_mb=${peak} add_one_s=${addOne.toFixed(2)}\n`,
  );
}

if (values.tenants && values["per-stack"])
  benchEnvironment(Number(values.tenants), Number(values["per-stack"]));
else if (values.tenants) benchTenants(values.tenants.split(",").map(Number));
else benchStacks();
