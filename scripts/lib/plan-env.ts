/**
 * `npm run plan -- --env <env>`: plans an environment, its platform stack first, then every
 * tenant stack of it (stacks/tenant-stack-config.ts readTenantStacks), each in a process of its
 * own (the program is a module: one stack per process, as `pulumi preview` runs it), the tenant
 * stacks `parallel` at a time, their StackReference fed from the platform's `plan.json`. Writes
 * `DIR/<stack>/{plan.json,manifests/,summary.md}` per stack.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { cpus } from "node:os";
import { join, resolve } from "node:path";
import { parse } from "yaml";
import { readTenantStacks, stackFileName } from "../../stacks/tenant-stack-config";

/** One stack's plan run inside an environment plan. */
export interface StackRun {
  readonly stack: string;
  readonly exitCode: number;
  /** Wall time of its process, start included. */
  readonly seconds: number;
  /** Peak RSS of its process as it printed it (MB), when it got that far. */
  readonly rssMb?: number;
  readonly outDir: string;
}

/** Options of {@link planEnvironment}. */
export interface EnvPlanOptions {
  /** The platform stack's name (`staging`, `production`). */
  readonly env: string;
  /** @default `.plan` in the project directory */
  readonly outDir?: string;
  /** @default the repository root */
  readonly projectDir?: string;
  /** Tenant stacks planned at once. @default the number of CPUs */
  readonly parallel?: number;
  /** Only these tenant stacks (the platform is always planned first). @default all */
  readonly only?: readonly string[];
  /** More arguments for every stack's plan (`--preview`). @default none */
  readonly extraArgs?: readonly string[];
  /** Where the stacks' output goes, line by line, prefixed with the stack. @default stdout/stderr */
  readonly log?: (line: string) => void;
  readonly error?: (line: string) => void;
}

/** What an environment plan did. */
export interface EnvPlanResult {
  /** The worst exit code: a program error (3) over a policy violation (2) over a bad config (1). */
  readonly exitCode: number;
  readonly platform: StackRun;
  readonly tenants: StackRun[];
  /** Wall time of the whole environment. */
  readonly seconds: number;
}

/** The role a committed stack file declares. */
export function stackRole(projectDir: string, stack: string): "platform" | "tenants" | undefined {
  const file = join(projectDir, `Pulumi.${stack}.yaml`);
  if (!existsSync(file)) return undefined;
  const doc = parse(readFileSync(file, "utf8")) as { config?: Record<string, unknown> } | null;
  return doc?.config?.["enclii-infra:role"] === "tenants" ? "tenants" : "platform";
}

/** The platform stack a committed tenant stack names. */
export function platformOf(projectDir: string, stack: string): string | undefined {
  const doc = parse(readFileSync(join(projectDir, `Pulumi.${stack}.yaml`), "utf8")) as {
    config?: Record<string, unknown>;
  } | null;
  const named = doc?.config?.["enclii-infra:platformStack"];
  return typeof named === "string" ? stackFileName(named) : undefined;
}

/** Runs `scripts/plan.ts` with `args` in a child process; relays its lines prefixed with `stack`. */
export function planProcess(
  projectDir: string,
  stack: string,
  args: readonly string[],
  outDir: string,
  sink: { log: (l: string) => void; error: (l: string) => void },
): Promise<StackRun> {
  const started = process.hrtime.bigint();
  const tsx = join(projectDir, "node_modules", "tsx", "dist", "cli.mjs");
  return new Promise((done) => {
    const child = spawn(
      process.execPath,
      [tsx, "scripts/plan.ts", "--stack", stack, "--out", outDir, ...args],
      {
        cwd: projectDir,
        stdio: ["ignore", "pipe", "pipe"],
      },
    );
    let rssMb: number | undefined;
    const relay = (write: (l: string) => void) => {
      let rest = "";
      return (chunk: Buffer) => {
        const lines = (rest + chunk.toString("utf8")).split("\n");
        rest = lines.pop() ?? "";
        for (const line of lines) {
          const rss = /peak RSS (\d+) MB/.exec(line);
          if (rss) rssMb = Number(rss[1]);
          // The SDK's note for outputs another role has: noise, not a warning about this stack.
          if (!line.includes("will not show as a stack output")) write(`[${stack}] ${line}`);
        }
      };
    };
    child.stdout.on("data", relay(sink.log));
    child.stderr.on("data", relay(sink.error));
    child.on("close", (code) =>
      done({
        stack,
        exitCode: code ?? 3,
        seconds: Number(process.hrtime.bigint() - started) / 1e9,
        ...(rssMb !== undefined ? { rssMb } : {}),
        outDir,
      }),
    );
  });
}

/** Runs `tasks` with at most `limit` running at once, results in input order. */
export async function boundedAll<T>(tasks: readonly (() => Promise<T>)[], limit: number): Promise<T[]> {
  const results: T[] = new Array(tasks.length);
  let next = 0;
  const worker = async () => {
    while (next < tasks.length) {
      const i = next++;
      results[i] = await (tasks[i] as () => Promise<T>)();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, tasks.length)) }, worker));
  return results;
}

/** The worst of several exit codes (3 > 2 > 1 > 0). */
export function worstExit(codes: readonly number[]): number {
  return codes.reduce((a, b) => Math.max(a, b), 0);
}

/** Plans an environment: the platform, then its tenant stacks in parallel. */
export async function planEnvironment(o: EnvPlanOptions): Promise<EnvPlanResult> {
  const started = process.hrtime.bigint();
  const projectDir = resolve(o.projectDir ?? join(__dirname, "..", ".."));
  const outDir = resolve(o.outDir ?? join(projectDir, ".plan"));
  const sink = {
    log: o.log ?? ((l: string) => process.stdout.write(`${l}\n`)),
    error: o.error ?? ((l: string) => process.stderr.write(`${l}\n`)),
  };
  const extra = o.extraArgs ?? [];
  const platform = await planProcess(projectDir, o.env, extra, join(outDir, o.env), sink);
  const platformPlan = join(outDir, o.env, "plan.json");
  const stacks = readTenantStacks(projectDir, o.env)
    .map((s) => s.stack)
    .filter((s) => !o.only || o.only.includes(s));
  // Tenant stacks read the platform's outputs: without its plan there is nothing to read.
  const tenants =
    platform.exitCode === 0 || platform.exitCode === 2
      ? await boundedAll(
          stacks.map(
            (stack) => () =>
              planProcess(
                projectDir,
                stack,
                [...extra, "--platform-plan", platformPlan],
                join(outDir, stack),
                sink,
              ),
          ),
          o.parallel ?? cpus().length,
        )
      : [];
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return {
    exitCode: worstExit([platform.exitCode, ...tenants.map((t) => t.exitCode)]),
    platform,
    tenants,
    seconds,
  };
}
