/**
 * The restore drill's data checks against a real PostgreSQL server on 127.0.0.1: the SQL it
 * sends, the `psql -At -F '|'` output it reads, and the verdicts on row counts and RPO. The RPO
 * is the recovered newest row against the source's newest row (the same SQL on the source),
 * never against the clock: here database `janua` plays the source and `recovered` the drill.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSql, judgeChecks, parseCheckOutput, type RpoReference } from "../../scripts/lib/restore-drill";
import { LocalPostgres, postgresBinDir, requirePostgres } from "../helpers/postgres-server";

const NOW = new Date("2026-11-22T12:00:00Z");
let pg: LocalPostgres | undefined;

beforeAll(async () => {
  const bin = postgresBinDir();
  if (!bin) return;
  pg = new LocalPostgres(bin);
  await pg.start();
  pg.psql("postgres", "CREATE DATABASE janua");
  pg.psql(
    "janua",
    [
      "CREATE TABLE users (id serial primary key, email text not null, created_at timestamptz not null)",
      "CREATE SCHEMA audit",
      "CREATE TABLE audit.events (id serial primary key, at timestamptz not null)",
      "CREATE TABLE empty_table (id int)",
      "INSERT INTO users (email, created_at) SELECT 'u' || g || '@example.dev', TIMESTAMPTZ '2026-11-22T11:50:00Z' - g * INTERVAL '1 hour' FROM generate_series(0, 99) g",
      "INSERT INTO audit.events (at) VALUES (TIMESTAMPTZ '2026-11-22T09:00:00Z')",
    ].join("; "),
  );
  // The recovered copy lost the source's last 20 minutes of users.
  pg.psql("postgres", "CREATE DATABASE recovered");
  pg.psql(
    "recovered",
    [
      "CREATE TABLE users (id serial primary key, email text not null, created_at timestamptz not null)",
      "CREATE SCHEMA audit",
      "CREATE TABLE audit.events (id serial primary key, at timestamptz not null)",
      "INSERT INTO users (email, created_at) SELECT 'u' || g || '@example.dev', TIMESTAMPTZ '2026-11-22T11:30:00Z' - g * INTERVAL '1 hour' FROM generate_series(0, 99) g",
      "INSERT INTO audit.events (at) VALUES (TIMESTAMPTZ '2026-11-22T09:00:00Z')",
    ].join("; "),
  );
});

/** The source's side: the same SQL on `janua`, at NOW (optionally up to a target time). */
function sourceReference(checks: Parameters<typeof checkSql>[0], targetTime?: Date): RpoReference {
  const rows = parseCheckOutput((pg as LocalPostgres).psql("janua", checkSql(checks, targetTime)));
  return {
    at: NOW,
    sourceNewest: new Map(checks.map((c) => [c.table, rows.get(c.table)?.newest])),
    ...(targetTime ? { targetTime } : {}),
  };
}

afterAll(() => pg?.stop());

describe("restore drill checks on a real PostgreSQL", () => {
  it("pass when the tables have their rows and the newest row is within the RPO", (ctx) => {
    requirePostgres(ctx);
    const checks = [
      { table: "users", minRows: 100, timestampColumn: "created_at" },
      { table: "audit.events" },
    ];
    const outcomes = judgeChecks(
      (pg as LocalPostgres).psql("janua", checkSql(checks)),
      checks,
      15 * 60,
      sourceReference(checks),
    );
    expect(outcomes).toEqual([
      {
        table: "users",
        ok: true,
        rows: 100,
        newest: "2026-11-22T11:50:00.000Z",
        detail:
          "100 rows, newest 2026-11-22T11:50:00.000Z, 0 s behind the source's newest at 2026-11-22T12:00:00.000Z",
      },
      { table: "audit.events", ok: true, rows: 1, detail: "1 rows" },
    ]);
  });

  it("fail when the recovered data is behind the source's by more than the RPO", (ctx) => {
    requirePostgres(ctx);
    const checks = [{ table: "users", timestampColumn: "created_at" }];
    const [outcome] = judgeChecks(
      (pg as LocalPostgres).psql("recovered", checkSql(checks)),
      checks,
      15 * 60,
      sourceReference(checks),
    );
    expect(outcome?.ok).toBe(false);
    expect(outcome?.detail).toBe(
      "newest created_at 2026-11-22T11:30:00.000Z is 1200 s behind the source's newest at 2026-11-22T12:00:00.000Z (2026-11-22T11:50:00.000Z), more than the RPO of 900 s",
    );
  });

  it("pass an idle table whose newest row is hours old, as long as the source has nothing newer", (ctx) => {
    requirePostgres(ctx);
    // The old check compared with the clock: 3 h "lost" although nothing was written since.
    const checks = [{ table: "audit.events", timestampColumn: "at" }];
    const [outcome] = judgeChecks(
      (pg as LocalPostgres).psql("recovered", checkSql(checks)),
      checks,
      15 * 60,
      sourceReference(checks),
    );
    expect(outcome).toMatchObject({ ok: true, newest: "2026-11-22T09:00:00.000Z" });
  });

  it("measure a point-in-time drill against the source up to the target, and refuse rows after it", (ctx) => {
    requirePostgres(ctx);
    const checks = [{ table: "users", timestampColumn: "created_at" }];
    const target = new Date("2026-11-22T11:35:00Z");
    // The source's newest row up to the target is 11:30 (FILTER in the SQL): the recovery lost nothing.
    const [ok] = judgeChecks(
      (pg as LocalPostgres).psql("recovered", checkSql(checks)),
      checks,
      15 * 60,
      sourceReference(checks, target),
    );
    expect(ok?.ok, ok?.detail).toBe(true);
    // A recovery that went past its target (rows at 11:50) fails.
    const [past] = judgeChecks(
      (pg as LocalPostgres).psql("janua", checkSql(checks)),
      checks,
      15 * 60,
      sourceReference(checks, target),
    );
    expect(past?.detail).toContain("is after the recovery target 2026-11-22T11:35:00.000Z");
  });

  it("say there is no RPO when the source could not be read", (ctx) => {
    requirePostgres(ctx);
    const checks = [{ table: "users", timestampColumn: "created_at" }];
    const [outcome] = judgeChecks((pg as LocalPostgres).psql("recovered", checkSql(checks)), checks, 900, {
      at: NOW,
      sourceError: "kubectl exec: pod postgres-1 not found",
    });
    expect(outcome?.ok).toBe(false);
    expect(outcome?.detail).toBe(
      "no RPO: the source could not be read (kubectl exec: pod postgres-1 not found)",
    );
  });

  it("fail when a table has fewer rows than expected, or none with a timestamp", (ctx) => {
    requirePostgres(ctx);
    const checks = [
      { table: "users", minRows: 101 },
      { table: "empty_table", timestampColumn: "id" },
    ];
    const sql = checkSql([{ table: "users", minRows: 101 }, { table: "empty_table" }]);
    const outcomes = judgeChecks((pg as LocalPostgres).psql("janua", sql), checks, 900, { at: NOW });
    expect(outcomes.map((o) => [o.ok, o.detail])).toEqual([
      [false, "100 rows, expected at least 101"],
      [false, "0 rows, expected at least 1; no id value"],
    ]);
  });

  it("the SQL quotes identifiers, so PostgreSQL rejects a table that does not exist instead of guessing", (ctx) => {
    requirePostgres(ctx);
    expect(() => (pg as LocalPostgres).psql("janua", checkSql([{ table: "Users" }]))).toThrow(
      /relation "Users" does not exist/,
    );
  });
});
