/**
 * `npm run backup:check` against a real S3 server (s3rver behind the R2-like front) on
 * 127.0.0.1, seeded with objects of chosen ages through each consumer's own scoped key.
 */
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import type { SeriesResult } from "../../scripts/lib/backup-check";
import { r2Client } from "../../scripts/lib/r2-check";
import {
  CONSUMERS,
  consumerBucket,
  keysFor,
  runScript,
  TEST_SPECS,
  writeR2Outputs,
} from "../helpers/r2-fixture";
import { FakeR2 } from "../helpers/r2-server";

const NOW = new Date("2026-11-22T12:00:00Z");
const keys = keysFor((_c, own) => [own]);

let server: FakeR2 | undefined;
afterEach(async () => {
  await server?.stop();
  server = undefined;
});

/** Starts the server, seeds `objects` (consumer, key, minutes before NOW), writes the outputs file. */
async function seed(objects: [consumer: string, key: string, minutesAgo: number][]): Promise<string> {
  server = new FakeR2(
    TEST_SPECS.map((s) => s.name),
    keys,
    {},
  );
  const endpoint = await server.start();
  for (const [consumer, key, minutesAgo] of objects) {
    const k = keys[CONSUMERS.findIndex((c) => c.name === consumer)] as (typeof keys)[number];
    await r2Client(endpoint, "auto", k).send(
      new PutObjectCommand({ Bucket: consumerBucket(consumer), Key: key, Body: key }),
    );
    server.backdate(consumerBucket(consumer), key, new Date(NOW.getTime() - minutesAgo * 60_000));
  }
  return writeR2Outputs(endpoint, keys);
}

function run(outputs: string, json = true) {
  const args = ["--outputs", outputs, "--config-file", "Pulumi.production.yaml", "--now", NOW.toISOString()];
  return runScript("backup-check.ts", json ? [...args, "--json"] : args);
}

const status = (stdout: string) =>
  Object.fromEntries(
    (JSON.parse(stdout) as { results: SeriesResult[] }).results.map((r) => [r.series, r.status]),
  );

/**
 * Every series of the production config, fresh: two CNPG clusters (each in its own bucket, written
 * with its own key), etcd, one Longhorn volume.
 */
const FRESH: [string, string, number][] = [
  ["cnpg", "cnpg/postgres/base/20261122T100000/data.tar", 120],
  ["cnpg", "cnpg/postgres/base/20261121T100000/data.tar", 1560],
  ["cnpg", "cnpg/postgres/wals/0000000100000000/000000010000000000000042.gz", 5],
  ["cnpg-janua-globex", "cnpg/janua-globex/base/20261122T030000/data.tar", 540],
  ["cnpg-janua-globex", "cnpg/janua-globex/wals/0000000100000000/000000010000000000000007.gz", 3],
  ["etcd", "etcd/etcd-snapshot-ax41-fsn1-1-1763805600", 240],
  ["longhorn", "longhorn/backupstore/volumes/3f/a1/pvc-redis-0/backups/backup_b1.cfg", 500],
  ["longhorn", "longhorn/backupstore/volumes/3f/a1/pvc-redis-0/blocks/aa/bb/block.blk", 500],
];

describe("backup-check against a real S3 server", () => {
  it("passes when every series is fresh and reports each newest object and age", async () => {
    const result = await run(await seed(FRESH));
    expect(result.status, result.stderr).toBe(0);
    expect(status(result.stdout)).toEqual({
      "cnpg postgres: base backups": "fresh",
      "cnpg postgres: WAL": "fresh",
      "cnpg janua-globex: base backups": "fresh",
      "cnpg janua-globex: WAL": "fresh",
      "etcd snapshots": "fresh",
      "longhorn pvc-redis-0": "fresh",
    });
    const base = (JSON.parse(result.stdout) as { results: SeriesResult[] }).results.find(
      (r) => r.series === "cnpg postgres: base backups",
    );
    expect(base).toMatchObject({
      newestKey: "cnpg/postgres/base/20261122T100000/data.tar",
      ageSeconds: 7200,
      maxAgeSeconds: 26 * 3600,
    });
  });

  it("fails naming the series when the newest WAL is older than its limit", async () => {
    const stale = FRESH.map(([c, k, m]): [string, string, number] =>
      k.includes("postgres/wals") ? [c, k, 60] : [c, k, m],
    );
    const result = await run(await seed(stale), false);
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /STALE {3}cnpg postgres: WAL +newest 60 min old \(limit 15 min\): cnpg\/postgres\/wals\//,
    );
    expect(result.stdout).toContain("1 of 6 backup series are not fresh");
  });

  it("fails when a declared cluster has no backups at all and when Longhorn has none", async () => {
    const result = await run(
      await seed(FRESH.filter(([c, k]) => !k.includes("janua-globex") && c !== "longhorn")),
    );
    expect(result.status).toBe(1);
    expect(status(result.stdout)).toMatchObject({
      "cnpg janua-globex: base backups": "missing",
      "cnpg janua-globex: WAL": "missing",
      "longhorn backups": "missing",
      "cnpg postgres: WAL": "fresh",
    });
  });

  it("exits 2 with the fix when it has no thresholds to check against", async () => {
    const result = await runScript("backup-check.ts", ["--outputs", "/nonexistent.json"]);
    expect(result.status).toBe(2);
    expect(result.stderr).toContain("--config-file is required with --outputs");
  });
});
