/**
 * `npm run backup:check` against a real S3 server (s3rver behind the R2-like front) on
 * 127.0.0.1, seeded through each consumer's own scoped key with objects laid out as barman-cloud
 * and Longhorn write them (scripts/lib/backup-layout.ts cites the upstream files), and a stub
 * `kubectl` on the PATH answering `get pvc` as the API server does.
 */
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { afterEach, describe, expect, it } from "vitest";
import type { SeriesResult } from "../../scripts/lib/backup-check";
import { longhornVolumePath } from "../../scripts/lib/backup-layout";
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
const ago = (minutes: number) => new Date(NOW.getTime() - minutes * 60_000);
/** Python's str(datetime) of a UTC time, as barman's FieldListFile.save writes end_time. */
const py = (d: Date) => `${d.toISOString().replace("T", " ").replace("Z", "")}000+00:00`;

/** A backup.info as barman/infofile.py BackupInfo.save writes it (sorted `name=value` lines). */
function backupInfo(
  status: "DONE" | "FAILED" | "STARTED",
  beganAgo: number,
  endedAgo?: number,
  error?: string,
) {
  return [
    "backup_label=None",
    "backup_name=None",
    `begin_time=${py(ago(beganAgo))}`,
    "begin_wal=000000010000000000000040",
    "begin_xlog=0/40000028",
    "compression=None",
    `end_time=${endedAgo === undefined ? "None" : py(ago(endedAgo))}`,
    `error=${error ?? "None"}`,
    "mode=concurrent",
    "pgdata=/var/lib/postgresql/data/pgdata",
    "server_name=postgres",
    `status=${status}`,
    "systemid=7439104271390752791",
    "timeline=1",
    "version=170006",
    "",
  ].join("\n");
}

/**
 * A Longhorn `backup_<name>.cfg` as `saveBackup` marshals the `Backup` struct (longhorn/backupstore
 * ab5179e backupstore.go 38-55: every field, `Size`/`NewlyUploadedDataSize`/`ReUploadedDataSize`
 * `json:",string"`, `Blocks` omitted when empty; `CreatedTime` is `util.Now()`, RFC 3339 UTC seconds).
 */
const longhornBackupCfg = (name: string, volume: string, createdAgo: number) =>
  JSON.stringify({
    Name: name,
    VolumeName: volume,
    SnapshotName: `snap-${name}`,
    SnapshotCreatedAt: ago(createdAgo + 1).toISOString(),
    CreatedTime: ago(createdAgo)
      .toISOString()
      .replace(/\.\d{3}Z$/, "Z"),
    Size: "1073741824",
    Labels: { KubernetesStatus: '{"pvcName":"data-redis-0","namespace":"data"}' },
    Parameters: { backupBlockSize: "2097152" },
    IsIncremental: true,
    CompressionMethod: "lz4",
    NewlyUploadedDataSize: "4194304",
    ReUploadedDataSize: "0",
    ProcessingBlocks: null,
    SingleFile: { FilePath: "" },
  });

/**
 * The stub `backup_<name>.cfg` Longhorn saves before uploading the blocks (deltablock.go 578-582:
 * `&Backup{Name, VolumeName, CompressionMethod, CreatedTime: ""}`, marshalled with every other field
 * at its zero value); config.go 324-326 calls it in progress.
 */
const longhornBackupInProgressCfg = (name: string, volume: string) =>
  JSON.stringify({
    Name: name,
    VolumeName: volume,
    SnapshotName: "",
    SnapshotCreatedAt: "",
    CreatedTime: "",
    Size: "0",
    Labels: null,
    Parameters: null,
    IsIncremental: false,
    CompressionMethod: "lz4",
    NewlyUploadedDataSize: "0",
    ReUploadedDataSize: "0",
    ProcessingBlocks: null,
    SingleFile: { FilePath: "" },
  });

const REDIS_VOLUME = "pvc-3fa1c2d4-8b7e-4c21-9a0f-1e2d3c4b5a69";
const OLD_VOLUME = "pvc-0b1e9d2c-77aa-4e5f-8c3d-2a1b0c9d8e7f";

/** One seeded object: consumer, key, body, minutes before NOW (its LastModified). */
type Seed = [consumer: string, key: string, body: string, minutesAgo: number];

/** A fresh, realistic archive set: two CNPG clusters, etcd, one live Longhorn volume. */
function freshObjects(): Seed[] {
  const lh = longhornVolumePath("longhorn/", REDIS_VOLUME);
  return [
    ["cnpg", "cnpg/postgres/base/20261122T030000/backup.info", backupInfo("DONE", 540, 530), 530],
    ["cnpg", "cnpg/postgres/base/20261122T030000/data.tar.gz", "tar", 531],
    ["cnpg", "cnpg/postgres/base/20261121T030000/backup.info", backupInfo("DONE", 1980, 1970), 1970],
    ["cnpg", "cnpg/postgres/wals/0000000100000000/000000010000000000000040.00000028.backup.gz", "label", 531],
    ["cnpg", "cnpg/postgres/wals/0000000100000000/000000010000000000000042.gz", "wal", 5],
    [
      "cnpg-janua-globex",
      "cnpg/janua-globex/base/20261122T030000/backup.info",
      backupInfo("DONE", 545, 540),
      540,
    ],
    ["cnpg-janua-globex", "cnpg/janua-globex/wals/0000000100000000/000000010000000000000007.gz", "wal", 3],
    ["etcd", "etcd/etcd-snapshot-ax41-fsn1-1-1763805600", "snapshot", 240],
    ["longhorn", `${lh}volume.cfg`, JSON.stringify({ Name: REDIS_VOLUME, Size: "1073741824" }), 500],
    [
      "longhorn",
      `${lh}backups/backup_b1c2d3e4f5a64b7c.cfg`,
      longhornBackupCfg("backup-b1c2d3e4f5a64b7c", REDIS_VOLUME, 500),
      499,
    ],
    ["longhorn", `${lh}blocks/aa/bb/aabbccdd.blk`, "block", 501],
  ];
}

let server: FakeR2 | undefined;
const path = process.env.PATH;
afterEach(async () => {
  await server?.stop();
  server = undefined;
  process.env.PATH = path;
});

/** Starts the server, seeds the objects, writes the outputs file. */
async function seed(objects: Seed[]): Promise<string> {
  server = new FakeR2(
    TEST_SPECS.map((s) => s.name),
    keys,
    {},
  );
  const endpoint = await server.start();
  for (const [consumer, key, body, minutesAgo] of objects) {
    const k = keys[CONSUMERS.findIndex((c) => c.name === consumer)] as (typeof keys)[number];
    await r2Client(endpoint, "auto", k).send(
      new PutObjectCommand({ Bucket: consumerBucket(consumer), Key: key, Body: body }),
    );
    server.backdate(consumerBucket(consumer), key, ago(minutesAgo));
  }
  return writeR2Outputs(endpoint, keys);
}

/**
 * A `kubectl` on the PATH that answers `get pvc` with these PVCs (the API's PersistentVolumeClaimList
 * shape) and records its arguments.
 */
function stubKubectl(pvcs: { namespace: string; name: string; volume: string }[]): string {
  const dir = mkdtempSync(join(tmpdir(), "kubectl-"));
  const list = {
    apiVersion: "v1",
    kind: "List",
    items: pvcs.map((p) => ({
      apiVersion: "v1",
      kind: "PersistentVolumeClaim",
      metadata: {
        name: p.name,
        namespace: p.namespace,
        labels: {
          "recurring-job-group.longhorn.io/volume-backup": "enabled",
          "recurring-job.longhorn.io/source": "enabled",
        },
      },
      spec: { storageClassName: "longhorn", volumeName: p.volume },
      status: { phase: "Bound" },
    })),
  };
  writeFileSync(join(dir, "pvcs.json"), JSON.stringify(list));
  writeFileSync(
    join(dir, "kubectl"),
    `#!/bin/sh\nprintf '%s\\n' "$*" > "${dir}/args"\ncat "${dir}/pvcs.json"\n`,
  );
  chmodSync(join(dir, "kubectl"), 0o755);
  process.env.PATH = `${dir}:${path}`;
  return dir;
}

const LIVE = [{ namespace: "data", name: "data-redis-0", volume: REDIS_VOLUME }];

function run(outputs: string, opts: { json?: boolean; config?: string; cluster?: boolean } = {}) {
  const args = [
    "--outputs",
    outputs,
    "--config-file",
    opts.config ?? "Pulumi.production.yaml",
    "--now",
    NOW.toISOString(),
    ...(opts.cluster === false ? ["--no-cluster"] : ["--kubeconfig", "/dev/null"]),
  ];
  return runScript("backup-check.ts", opts.json === false ? args : [...args, "--json"]);
}

const results = (stdout: string) => (JSON.parse(stdout) as { results: SeriesResult[] }).results;
const status = (stdout: string) => Object.fromEntries(results(stdout).map((r) => [r.series, r.status]));
const replace = (objects: Seed[], key: string, seedRow: Seed | undefined): Seed[] => [
  ...objects.filter(([, k]) => k !== key),
  ...(seedRow ? [seedRow] : []),
];

/** The production config with the shared cluster recovered into archive postgres-2. */
function recoveredConfig(): string {
  const text = readFileSync("Pulumi.production.yaml", "utf8").replace(
    "  enclii-infra:postgres:\n",
    "  enclii-infra:postgres:\n    recovery:\n      postgres:\n        fromServerName: postgres\n        archiveServerName: postgres-2\n",
  );
  const file = join(mkdtempSync(join(tmpdir(), "stack-")), "Pulumi.production.yaml");
  writeFileSync(file, text);
  return file;
}

describe("backup-check against a real S3 server", () => {
  it("passes when every series is fresh, judging base backups by backup.info's end_time", async () => {
    const dir = stubKubectl(LIVE);
    const result = await run(await seed(freshObjects()));
    expect(result.status, result.stderr).toBe(0);
    expect(status(result.stdout)).toEqual({
      "cnpg postgres: base backups": "fresh",
      "cnpg postgres: WAL": "fresh",
      "cnpg janua-globex: base backups": "fresh",
      "cnpg janua-globex: WAL": "fresh",
      "etcd snapshots": "fresh",
      [`longhorn ${REDIS_VOLUME}`]: "fresh",
    });
    const base = results(result.stdout).find((r) => r.series === "cnpg postgres: base backups");
    expect(base).toMatchObject({
      newestKey: "cnpg/postgres/base/20261122T030000/backup.info",
      newestAt: ago(530).toISOString(),
      ageSeconds: 530 * 60,
      maxAgeSeconds: 26 * 3600,
    });
    expect(readFileSync(join(dir, "args"), "utf8")).toContain(
      "get pvc --all-namespaces -l recurring-job-group.longhorn.io/volume-backup=enabled -o json",
    );
  });

  it("does not count a FAILED base backup (barman uploads its backup.info too) and names the failure", async () => {
    stubKubectl(LIVE);
    // The only recent backup failed; the last DONE one is 33 h old.
    const objects = freshObjects()
      .filter(([, k]) => !k.startsWith("cnpg/postgres/base/20261122T030000/"))
      .concat([
        [
          "cnpg",
          "cnpg/postgres/base/20261122T030000/backup.info",
          backupInfo("FAILED", 540, undefined, "failure uploading data (connection reset)"),
          530,
        ],
      ]);
    const result = await run(await seed(objects), { json: false });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(
      /STALE +cnpg postgres: base backups +newest DONE 20261121T030000 ended 32\.8 h ago \(limit 26\.0 h\); 1 later attempt\(s\) FAILED, newest 20261122T030000: failure uploading data \(connection reset\)/,
    );
  });

  it("reports an archive whose every backup failed as failed, and one still running as missing", async () => {
    stubKubectl(LIVE);
    const failedOnly = freshObjects()
      .filter(([, k]) => !k.includes("postgres/base/"))
      .concat([["cnpg", "cnpg/postgres/base/20261122T030000/backup.info", backupInfo("FAILED", 540), 530]])
      .filter(([, k]) => !k.includes("janua-globex/base/"))
      .concat([
        [
          "cnpg-janua-globex",
          "cnpg/janua-globex/base/20261122T110000/backup.info",
          backupInfo("STARTED", 60),
          59,
        ],
      ]);
    const result = await run(await seed(failedOnly));
    expect(result.status).toBe(1);
    expect(status(result.stdout)).toMatchObject({
      "cnpg postgres: base backups": "failed",
      "cnpg janua-globex: base backups": "missing",
    });
    expect(
      results(result.stdout).find((r) => r.series === "cnpg janua-globex: base backups")?.detail,
    ).toContain("newest 20261122T110000 is STARTED");
  });

  it("calls an idle database's old WAL idle when it follows the newest base backup, and stale when it does not", async () => {
    stubKubectl(LIVE);
    const wal = "cnpg/postgres/wals/0000000100000000/000000010000000000000042.gz";
    // No WAL for 8 h, but the newest segment (the backup's own) was archived as the backup ended.
    const idle = replace(freshObjects(), wal, ["cnpg", wal, "wal", 532]).filter(
      ([, k]) => !k.endsWith(".backup.gz"),
    );
    const quiet = await run(await seed(idle));
    expect(quiet.status, quiet.stdout).toBe(0);
    expect(status(quiet.stdout)["cnpg postgres: WAL"]).toBe("idle");
    await server?.stop();
    server = undefined;
    // Nothing archived since before the newest base backup: archiving stopped.
    const stalled = replace(freshObjects(), wal, ["cnpg", wal, "wal", 900]).filter(
      ([, k]) => !k.endsWith(".backup.gz"),
    );
    const red = await run(await seed(stalled), { json: false });
    expect(red.status).toBe(1);
    expect(red.stdout).toMatch(
      /STALE +cnpg postgres: WAL +newest 15\.0 h old \(limit 15 min\).*nothing archived since before the newest base backup ended/,
    );
  });

  it("reports the archive of a recovered cluster's predecessor as retired and expects the new one", async () => {
    stubKubectl(LIVE);
    // postgres.recovery moved the shared cluster to archive postgres-2; postgres stopped a week ago.
    const objects: Seed[] = freshObjects().map(([c, k, b, m]) =>
      k.startsWith("cnpg/postgres/") ? [c, k, b, m + 7 * 1440] : [c, k, b, m],
    );
    const result = await run(await seed(objects), { config: recoveredConfig() });
    expect(result.status).toBe(1);
    expect(status(result.stdout)).toMatchObject({
      "cnpg postgres": "retired",
      "cnpg postgres-2: base backups": "missing",
      "cnpg postgres-2: WAL": "missing",
      "cnpg janua-globex: base backups": "fresh",
    });
  });

  it("makes a live volume without any backup red and a deleted PVC's volume retired", async () => {
    const second = "pvc-9c8b7a69-5d4e-4f3a-8b2c-1d0e9f8a7b6c";
    stubKubectl([...LIVE, { namespace: "janua-globex", name: "data-redis-0", volume: second }]);
    const old = longhornVolumePath("longhorn/", OLD_VOLUME);
    const objects = freshObjects().concat([
      [
        "longhorn",
        `${old}backups/backup_0a0b0c0d0e0f4a1b.cfg`,
        longhornBackupCfg("backup-0a0b0c0d0e0f4a1b", OLD_VOLUME, 40 * 1440),
        40 * 1440,
      ],
    ]);
    const result = await run(await seed(objects));
    expect(result.status).toBe(1);
    expect(status(result.stdout)).toMatchObject({
      [`longhorn ${REDIS_VOLUME}`]: "fresh",
      [`longhorn ${second}`]: "missing",
      [`longhorn ${OLD_VOLUME}`]: "retired",
    });
    expect(results(result.stdout).find((r) => r.series === `longhorn ${second}`)?.detail).toContain(
      "(janua-globex/data-redis-0)",
    );
  });

  it("judges a Longhorn volume on its backup's CreatedTime, not the object's upload time", async () => {
    stubKubectl(LIVE);
    const lh = longhornVolumePath("longhorn/", REDIS_VOLUME);
    const key = `${lh}backups/backup_b1c2d3e4f5a64b7c.cfg`;
    // Re-uploaded a minute ago (e.g. a bucket copy), but the backup itself is 30 h old.
    const objects = replace(freshObjects(), key, [
      "longhorn",
      key,
      longhornBackupCfg("backup-b1c2d3e4f5a64b7c", REDIS_VOLUME, 1800),
      1,
    ]);
    const result = await run(await seed(objects));
    expect(result.status).toBe(1);
    expect(status(result.stdout)[`longhorn ${REDIS_VOLUME}`]).toBe("stale");
  });

  it("skips a Longhorn backup still in progress (empty CreatedTime) and judges the volume on its completed one", async () => {
    stubKubectl(LIVE);
    const lh = longhornVolumePath("longhorn/", REDIS_VOLUME);
    const objects = freshObjects().concat([
      [
        "longhorn",
        `${lh}backups/backup_c0ffee0123456789.cfg`,
        longhornBackupInProgressCfg("backup-c0ffee0123456789", REDIS_VOLUME),
        2,
      ],
    ]);
    const result = await run(await seed(objects));
    expect(result.status, result.stderr).toBe(0);
    const row = results(result.stdout).find((r) => r.series === `longhorn ${REDIS_VOLUME}`);
    expect(row?.status).toBe("fresh");
    expect(row?.newestKey).toBe(`${lh}backups/backup_b1c2d3e4f5a64b7c.cfg`);
    expect(row?.detail).toContain("1 backup in progress");
  });

  it("reports an unreadable Longhorn backup cfg as its own error row and still judges every volume", async () => {
    const second = "pvc-9c8b7a69-5d4e-4f3a-8b2c-1d0e9f8a7b6c";
    stubKubectl([...LIVE, { namespace: "janua-globex", name: "data-redis-0", volume: second }]);
    const lh = longhornVolumePath("longhorn/", REDIS_VOLUME);
    const lh2 = longhornVolumePath("longhorn/", second);
    const objects = freshObjects().concat([
      ["longhorn", `${lh}backups/backup_badbadbadbad0000.cfg`, "<Error>truncated</Error>", 3],
      [
        "longhorn",
        `${lh2}backups/backup_2222333344445555.cfg`,
        longhornBackupCfg("backup-2222333344445555", second, 60),
        60,
      ],
    ]);
    const result = await run(await seed(objects));
    expect(result.status).toBe(1);
    expect(status(result.stdout)).toMatchObject({
      [`longhorn ${REDIS_VOLUME}`]: "fresh",
      [`longhorn ${second}`]: "fresh",
      [`longhorn ${REDIS_VOLUME}: backup_badbadbadbad0000.cfg`]: "error",
    });
    expect(
      results(result.stdout).find((r) => r.series === `longhorn ${REDIS_VOLUME}: backup_badbadbadbad0000.cfg`)
        ?.detail,
    ).toContain("is not a Longhorn backup config (not JSON)");
  });

  it("fails when a declared cluster has no backups at all, and without the cluster judges R2's volumes only", async () => {
    const result = await run(
      await seed(freshObjects().filter(([c, k]) => !k.includes("janua-globex") && c !== "longhorn")),
      { cluster: false },
    );
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout).liveVolumesChecked).toBe(false);
    expect(status(result.stdout)).toMatchObject({
      "cnpg janua-globex: base backups": "missing",
      "cnpg janua-globex: WAL": "missing",
      "longhorn backups": "missing",
      "cnpg postgres: WAL": "fresh",
    });
  });

  it("exits 2 with the fix when it has no thresholds, or when the cluster cannot be asked", async () => {
    const noConfig = await runScript("backup-check.ts", ["--outputs", "/nonexistent.json"]);
    expect(noConfig.status).toBe(2);
    expect(noConfig.stderr).toContain("--config-file is required with --outputs");
    const dir = mkdtempSync(join(tmpdir(), "kubectl-"));
    writeFileSync(
      join(dir, "kubectl"),
      "#!/bin/sh\necho 'The connection to the server was refused' >&2\nexit 1\n",
    );
    chmodSync(join(dir, "kubectl"), 0o755);
    process.env.PATH = `${dir}:${path}`;
    const noCluster = await run(await seed(freshObjects()));
    expect(noCluster.status).toBe(2);
    expect(noCluster.stderr).toMatch(
      /connection to the server was refused; pass --kubeconfig <file>, or --no-cluster/,
    );
  });
});
