/**
 * The restore drill: recover a production PostgreSQL cluster from its R2 archive into a throwaway
 * cluster, wait until it is ready, check the data, report the recovery time, and delete what it
 * created even on failure, volumes included. The checks run SQL through `psql` (in the source's
 * primary and the recovered pod via `kubectl exec`, or against any server in tests); the cluster
 * is driven with `kubectl`.
 *
 * RPO: each timestamp check compares the recovered table's newest row with the source's newest
 * row when the drill started (up to `--target-time` for a point-in-time drill), never with the
 * clock, so an idle table is not a loss. Volumes: CloudNativePG's PVCs are owned by the Cluster
 * and go with it, but the `longhorn` StorageClass keeps released volumes (`reclaimPolicy: Retain`,
 * components/storage/longhorn-values.ts), so the drill deletes the PVs and the Longhorn volumes it
 * created and checks they are gone.
 */
import { execFile } from "node:child_process";
import { stringify } from "yaml";
import { cleanupDrill } from "./drill-cleanup";

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

/**
 * One SQL statement answering every check: `table|rows|newest epoch seconds` per line. With
 * `until`, the newest value at or before it (the source's side of a point-in-time drill).
 */
export function checkSql(checks: readonly DrillCheck[], until?: Date): string {
  return checks
    .map((c) => {
      const quoted = c.table
        .split(".")
        .map((p) => `"${p}"`)
        .join(".");
      const bound = until
        ? ` FILTER (WHERE "${c.timestampColumn}" <= to_timestamp(${Math.floor(until.getTime() / 1000)}))`
        : "";
      const newest = c.timestampColumn
        ? `extract(epoch from max("${c.timestampColumn}")${bound})::bigint`
        : "NULL::bigint";
      return `SELECT '${c.table}', count(*), ${newest} FROM ${quoted}`;
    })
    .join(" UNION ALL ");
}

/** Rows of `psql -At -F '|'` output of {@link checkSql}, by table. */
export function parseCheckOutput(output: string): Map<string, { count: number; newest?: number }> {
  return new Map(
    output
      .trim()
      .split("\n")
      .filter(Boolean)
      .map((line) => {
        const [table = "", count = "0", newest = ""] = line.split("|");
        return [
          table,
          { count: Number(count), ...(newest === "" ? {} : { newest: Number(newest) }) },
        ] as const;
      }),
  );
}

/** What the recovered data is measured against. */
export interface RpoReference {
  /** When the source was read (the drill's start). */
  readonly at: Date;
  /** The source's newest timestamp per table (epoch seconds), from the same SQL; absent when unreadable. */
  readonly sourceNewest?: ReadonlyMap<string, number | undefined>;
  /** The recovery target of a point-in-time drill: nothing newer may come back. */
  readonly targetTime?: Date;
  /** Why the source could not be read, when it could not. */
  readonly sourceError?: string;
}

/** Judges the recovered `psql -At -F '|'` output of {@link checkSql} against the source. */
export function judgeChecks(
  output: string,
  checks: readonly DrillCheck[],
  rpoSeconds: number,
  reference: RpoReference,
): CheckOutcome[] {
  const rows = parseCheckOutput(output);
  return checks.map((c) => {
    const row = rows.get(c.table);
    if (!row) return { table: c.table, ok: false, rows: 0, detail: "no answer for this table" };
    const min = c.minRows ?? 1;
    const problems: string[] = [];
    if (row.count < min) problems.push(`${row.count} rows, expected at least ${min}`);
    let newest: string | undefined;
    let behind = "";
    if (c.timestampColumn) {
      const source = reference.sourceNewest?.get(c.table);
      const target = reference.targetTime;
      const sourceSide = `the source's newest at ${reference.at.toISOString()}${target ? ` up to the target ${target.toISOString()}` : ""}`;
      if (row.newest === undefined) problems.push(`no ${c.timestampColumn} value`);
      else {
        newest = new Date(row.newest * 1000).toISOString();
        if (target && row.newest * 1000 > target.getTime())
          problems.push(
            `newest ${c.timestampColumn} ${newest} is after the recovery target ${target.toISOString()}`,
          );
        if (source === undefined) {
          problems.push(
            reference.sourceError
              ? `no RPO: the source could not be read (${reference.sourceError})`
              : `no RPO: the source has no ${c.timestampColumn} value to compare with`,
          );
        } else {
          const lag = Math.max(0, source - row.newest);
          behind = `, ${lag} s behind ${sourceSide}`;
          if (lag > rpoSeconds)
            problems.push(
              `newest ${c.timestampColumn} ${newest} is ${lag} s behind ${sourceSide} (${new Date(source * 1000).toISOString()}), more than the RPO of ${rpoSeconds} s`,
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
        : `${row.count} rows${newest ? `, newest ${newest}${behind}` : ""}`,
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
  /** The production cluster recovered from (the RPO is measured against its data). */
  readonly source: string;
  readonly database: string;
  readonly checks: readonly DrillCheck[];
  readonly rpoSeconds: number;
  readonly timeoutSeconds: number;
  /** The recovery target of a point-in-time drill (RFC 3339). */
  readonly targetTime?: string;
  /** Extra kubectl arguments (e.g. `--kubeconfig <file>`). */
  readonly kubectlArgs: readonly string[];
  /** Where Longhorn keeps its `volumes.longhorn.io`. @default "longhorn-system" */
  readonly longhornNamespace?: string;
  readonly runner?: Runner;
  readonly log?: (line: string) => void;
  readonly now?: () => Date;
}

/** What the drill measured, and what it did and did not prove. */
export interface DrillReport {
  readonly cluster: string;
  readonly ok: boolean;
  readonly recoverySeconds?: number;
  readonly checks: CheckOutcome[];
  readonly error?: string;
  /** The cluster, its PVCs, PVs and Longhorn volumes are verified gone. */
  readonly cleanedUp: boolean;
  /** The volumes (PV = Longhorn volume names) the drill created and deleted. */
  readonly volumes: string[];
  readonly proved: string[];
  readonly notProved: string[];
}

/** Runs the drill. Never leaves the throwaway cluster or its volumes behind: cleanup runs in `finally`. */
export async function runDrill(o: DrillOptions): Promise<DrillReport> {
  const runner = o.runner ?? run;
  const log = o.log ?? (() => {});
  const now = o.now ?? (() => new Date());
  const meta = o.manifest.metadata as { name: string; namespace: string };
  const lhNamespace = o.longhornNamespace ?? "longhorn-system";
  const kubectl = (args: string[], input?: string) => runner("kubectl", [...o.kubectlArgs, ...args], input);
  const psql = (pod: string, sql: string) =>
    kubectl([
      "exec",
      "-n",
      meta.namespace,
      pod,
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
      sql,
    ]);
  const yaml = stringify(o.manifest);
  const targetTime = o.targetTime ? new Date(o.targetTime) : undefined;
  const timed = o.checks.some((c) => c.timestampColumn);
  let reference: RpoReference = { at: now(), ...(targetTime ? { targetTime } : {}) };
  let checks: CheckOutcome[] = [];
  let recoverySeconds: number | undefined;
  let error: string | undefined;
  let cleanedUp = false;
  let volumes: string[] = [];
  try {
    if (timed) {
      // The source's newest rows now: what a loss of the source at this moment would cost.
      try {
        const primary = (
          await kubectl([
            "get",
            `cluster.postgresql.cnpg.io/${o.source}`,
            "-n",
            meta.namespace,
            "-o",
            "jsonpath={.status.currentPrimary}",
          ])
        ).trim();
        const at = now();
        const newest = parseCheckOutput(await psql(primary, checkSql(o.checks, targetTime)));
        reference = {
          ...reference,
          at,
          sourceNewest: new Map(o.checks.map((c) => [c.table, newest.get(c.table)?.newest])),
        };
      } catch (e) {
        reference = { ...reference, sourceError: (e as Error).message };
      }
    }
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
    checks = judgeChecks(await psql(`${meta.name}-1`, checkSql(o.checks)), o.checks, o.rpoSeconds, reference);
  } catch (e) {
    error = (e as Error).message;
  } finally {
    const cleanup = await cleanupDrill(kubectl, meta, yaml, lhNamespace, log);
    volumes = cleanup.volumes;
    cleanedUp = cleanup.error === undefined;
    if (cleanup.error)
      error = `${error ? `${error}; ` : ""}cleanup failed, delete cluster ${meta.namespace}/${meta.name}, its PVCs, PVs and Longhorn volumes by hand: ${cleanup.error}`;
  }
  const ok = !error && checks.length > 0 && checks.every((c) => c.ok);
  return {
    cluster: meta.name,
    ok,
    ...(recoverySeconds !== undefined ? { recoverySeconds } : {}),
    checks,
    ...(error ? { error } : {}),
    cleanedUp,
    volumes,
    ...provedAndNot(o, { ok, recoverySeconds, checks, cleanedUp, volumes, reference, targetTime }),
  };
}

/** The report's two lists: what this run proved, and what no run of the drill proves. */
function provedAndNot(
  o: DrillOptions,
  r: {
    ok: boolean;
    recoverySeconds?: number;
    checks: CheckOutcome[];
    cleanedUp: boolean;
    volumes: string[];
    reference: RpoReference;
    targetTime?: Date;
  },
): { proved: string[]; notProved: string[] } {
  const proved: string[] = [];
  if (r.recoverySeconds !== undefined)
    proved.push(
      `the archive of ${o.source} restores${r.targetTime ? ` to ${r.targetTime.toISOString()}` : ""} into a running PostgreSQL, Ready after ${r.recoverySeconds} s`,
    );
  for (const c of r.checks.filter((x) => x.ok)) proved.push(`${c.table}: ${c.detail}`);
  if (r.cleanedUp)
    proved.push(
      `the drill cluster and its ${r.volumes.length} volume(s) are gone (PVC, PV, Longhorn volume)`,
    );
  const notProved = [
    "that Janua and the other consumers work on the recovered data (only the listed tables were read)",
    "the recovery of a lost node: etcd, Longhorn volumes and the node rebuild are not part of this drill (docs/backups.md states their RPO and RTO)",
    `the other PostgreSQL clusters of the stack (this drill read ${o.source} only)`,
  ];
  if (!o.checks.some((c) => c.timestampColumn))
    notProved.push("any RPO: no --check names a timestamp column");
  else
    notProved.push(
      "the archiver's lag at the moment of a loss: WAL archived between the drill's start and the recovery also came back (PostgresWalArchivingStalled and backup:check watch the archiver)",
    );
  if (!r.ok) notProved.push("a passing restore: the drill failed (see error and checks)");
  return { proved, notProved };
}
