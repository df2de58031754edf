/**
 * The restore drill's data checks against a real PostgreSQL server on 127.0.0.1: the SQL it
 * sends, the `psql -At -F '|'` output it reads, and the verdicts on row counts and RPO.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSql, judgeChecks } from "../../scripts/lib/restore-drill";
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
});

afterAll(() => pg?.stop());

describe("restore drill checks on a real PostgreSQL", () => {
  it("pass when the tables have their rows and the newest row is within the RPO", (ctx) => {
    requirePostgres(ctx);
    const checks = [
      { table: "users", minRows: 100, timestampColumn: "created_at" },
      { table: "audit.events" },
    ];
    const outcomes = judgeChecks((pg as LocalPostgres).psql("janua", checkSql(checks)), checks, 15 * 60, NOW);
    expect(outcomes).toEqual([
      {
        table: "users",
        ok: true,
        rows: 100,
        newest: "2026-11-22T11:50:00.000Z",
        detail: "100 rows, newest 2026-11-22T11:50:00.000Z",
      },
      { table: "audit.events", ok: true, rows: 1, detail: "1 rows" },
    ]);
  });

  it("fail when the newest row is older than the RPO", (ctx) => {
    requirePostgres(ctx);
    const checks = [{ table: "audit.events", timestampColumn: "at" }];
    const [outcome] = judgeChecks(
      (pg as LocalPostgres).psql("janua", checkSql(checks)),
      checks,
      15 * 60,
      NOW,
    );
    expect(outcome?.ok).toBe(false);
    expect(outcome?.detail).toBe(
      "newest at 2026-11-22T09:00:00.000Z is 10800 s before 2026-11-22T12:00:00.000Z, more than the RPO of 900 s",
    );
  });

  it("fail when a table has fewer rows than expected, or none with a timestamp", (ctx) => {
    requirePostgres(ctx);
    const checks = [
      { table: "users", minRows: 101 },
      { table: "empty_table", timestampColumn: "id" },
    ];
    const sql = checkSql([{ table: "users", minRows: 101 }, { table: "empty_table" }]);
    const outcomes = judgeChecks((pg as LocalPostgres).psql("janua", sql), checks, 900, NOW);
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
