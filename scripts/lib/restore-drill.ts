/**
 * The restore drill: recover a production PostgreSQL cluster from its R2 archive into a throwaway
 * cluster, wait until it is ready, check the data, report the recovery time, and delete what it
 * created even on failure. The checks run SQL through `psql` (in the recovered pod via
 * `kubectl exec`, or against any server in tests); the cluster is driven with `kubectl`.
 */
import { execFile } from "node:child_process";
import { stringify } from "yaml";

/** One data check: the table must have rows; its newest timestamp must be within the RPO. */
export interface DrillCheck {
  /** `table` or `schema.table`. */
  readonly table: string;
  /** @default 1 */
  readonly minRows?: number;
  /** A timestamp column whose newest value must be within the RPO of the reference time. */
  readonly timestampColumn?: string;
}

/** The verdict on one check. */
export interface CheckOutcome {
  readonly table: string;
  readonly ok: boolean;
  readonly rows: number;
  readonly newest?: string;
  readonly detail: string;
}

const IDENT = /^[a-z_][a-z0-9_]*$/;

/** Parses `table[:minRows][:timestampColumn]`, rejecting anything that is not a plain identifier. */
export function parseCheck(spec: string): DrillCheck {
  const [table = "", min, column] = spec.split(":");
  const parts = table.split(".");
  if (parts.length > 2 || !parts.every((p) => IDENT.test(p))) {
    throw new Error(
      `--check ${spec}: the table must be a lowercase identifier, optionally schema-qualified (e.g. public.users)`,
    );
  }
  if (min !== undefined && min !== "" && !/^\d+$/.test(min)) {
    throw new Error(
      `--check ${spec}: the minimum row count must be a whole number (e.g. users:100:created_at)`,
    );
  }
  if (column !== undefined && !IDENT.test(column)) {
    throw new Error(`--check ${spec}: the timestamp column must be a lowercase identifier`);
  }
  return { table, ...(min ? { minRows: Number(min) } : {}), ...(column ? { timestampColumn: column } : {}) };
}

/** Parses `15m`, `1h`, `30s`, `2d` into seconds. */
export function parseDuration(text: string, flag: string): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(text);
  if (!m) throw new Error(`${flag} must be a duration such as 15m, 1h or 30s (got ${text})`);
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86_400 }[m[2] as "s" | "m" | "h" | "d"];
}

/** One SQL statement answering every check: `table|rows|newest epoch seconds` per line. */
export function checkSql(checks: readonly DrillCheck[]): string {
  return checks
    .map((c) => {
      const quoted = c.table
        .split(".")
        .map((p) => `"${p}"`)
        .join(".");
      const newest = c.timestampColumn
        ? `extract(epoch from max("${c.timestampColumn}"))::bigint`
        : "NULL::bigint";
      return `SELECT '${c.table}', count(*), ${newest} FROM ${quoted}`;
    })
    .join(" UNION ALL ");
}

/** Judges `psql -At -F '|'` output of {@link checkSql}. */
export function judgeChecks(
  output: string,
  checks: readonly DrillCheck[],
  rpoSeconds: number,
  reference: Date,
): CheckOutcome[] {
  const rows = new Map(
    output
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [table = "", count = "0", newest = ""] = line.split("|");
        return [table, { count: Number(count), newest: newest === "" ? undefined : Number(newest) }] as const;
      }),
  );
  return checks.map((c) => {
    const row = rows.get(c.table);
    if (!row) return { table: c.table, ok: false, rows: 0, detail: "no answer for this table" };
    const min = c.minRows ?? 1;
    const problems: string[] = [];
    if (row.count < min) problems.push(`${row.count} rows, expected at least ${min}`);
    let newest: string | undefined;
    if (c.timestampColumn) {
      if (row.newest === undefined) problems.push(`no ${c.timestampColumn} value`);
      else {
        newest = new Date(row.newest * 1000).toISOString();
        const lag = (reference.getTime() - row.newest * 1000) / 1000;
        if (lag > rpoSeconds) {
          problems.push(
            `newest ${c.timestampColumn} ${newest} is ${Math.round(lag)} s before ${reference.toISOString()}, more than the RPO of ${rpoSeconds} s`,
          );
        }
      }
    }
    return {
      table: c.table,
      ok: problems.length === 0,
      rows: row.count,
      ...(newest ? { newest } : {}),
      detail: problems.length
        ? problems.join("; ")
        : `${row.count} rows${newest ? `, newest ${newest}` : ""}`,
    };
  });
}

/** Runs a command; resolves to stdout, rejects with stderr in the message. */
export type Runner = (command: string, args: readonly string[], input?: string) => Promise<string>;

/** The real runner (child processes). */
export const run: Runner = (command, args, input) =>
  new Promise((resolve, reject) => {
    const child = execFile(command, [...args], { maxBuffer: 64 * 1024 * 1024 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${command} ${args.join(" ")}: ${stderr.trim() || error.message}`));
      else resolve(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });

/** Options of {@link runDrill}. */
export interface DrillOptions {
  readonly manifest: Record<string, unknown>;
  readonly database: string;
  readonly checks: readonly DrillCheck[];
  readonly rpoSeconds: number;
  readonly timeoutSeconds: number;
  /** Extra kubectl arguments (e.g. `--kubeconfig <file>`). */
  readonly kubectlArgs: readonly string[];
  readonly runner?: Runner;
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
}

/** What the drill measured. */
export interface DrillReport {
  readonly cluster: string;
  readonly ok: boolean;
  readonly recoverySeconds?: number;
  readonly checks: CheckOutcome[];
  readonly error?: string;
  readonly cleanedUp: boolean;
}

/** Runs the drill. Never leaves the throwaway cluster behind: deletion runs in `finally`. */
export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const runner = o.runner ?? run;
  const log = o.log ?? (() => {});
  const now = o.now ?? (() => new Date());
  const meta = o.manifest.metadata as { name: string; namespace: string };
  const kubectl = (args: string[], input?: string) => runner("kubectl", [...o.kubectlArgs, ...args], input);
  const yaml = stringify(o.manifest);
  // The RPO is measured against the moment the drill starts: the archive can hold nothing newer.
  const reference = now();
  let checks: CheckOutcome[] = [];
  let recoverySeconds: number | undefined;
  let error: string | undefined;
  let cleanedUp = false;
  try {
    log(`creating ${meta.namespace}/${meta.name}`);
    await kubectl(["apply", "-f", "-"], yaml);
    const started = now().getTime();
    await kubectl([
      "wait",
      "--for=condition=Ready",
      `cluster.postgresql.cnpg.io/${meta.name}`,
      "-n",
      meta.namespace,
      `--timeout=${o.timeoutSeconds}s`,
    ]);
    recoverySeconds = Math.round((now().getTime() - started) / 1000);
    log(`ready after ${recoverySeconds} s; checking data`);
    const output = await kubectl([
      "exec",
      "-n",
      meta.namespace,
      `${meta.name}-1`,
      "-c",
      "postgres",
      "--",
      "psql",
      "-d",
      o.database,
      "-v",
      "ON_ERROR_STOP=1",
      "-At",
      "-F",
      "|",
      "-c",
      checkSql(o.checks),
    ]);
    checks = judgeChecks(output, o.checks, o.rpoSeconds, reference);
  } catch (e) {
    error = (e as Error).message;
  } finally {
    try {
      log(`deleting ${meta.namespace}/${meta.name}`);
      await kubectl(["delete", "-f", "-", "--ignore-not-found", "--wait=true"], yaml);
      cleanedUp = true;
    } catch (e) {
      error = `${error ? `${error}; ` : ""}cleanup failed, delete cluster ${meta.namespace}/${meta.name} by hand: ${(e as Error).message}`;
    }
  }
  return {
    cluster: meta.name,
    ok: !error && checks.length > 0 && checks.every((c) => c.ok),
    ...(recoverySeconds !== undefined ? { recoverySeconds } : {}),
    checks,
    ...(error ? { error } : {}),
    cleanedUp,
  };
}
