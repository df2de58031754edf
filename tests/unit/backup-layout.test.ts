/**
 * Reading barman-cloud's and Longhorn's object layouts (scripts/lib/backup-layout.ts cites the
 * upstream files) and the verdicts built on them.
 */
import { describe, expect, it } from "vitest";
import {
  barmanKey,
  longhornKey,
  longhornVolumePath,
  parseBackupInfo,
  parseLonghornBackupCfg,
  parsePvcList,
  parsePythonTime,
} from "../../scripts/lib/backup-layout";
import { judgeBaseBackups, judgeWal } from "../../scripts/lib/backup-verdicts";

const NOW = new Date("2026-11-22T12:00:00Z");

describe("barman-cloud layout", () => {
  it("reads backup.info's status and Python-formatted end_time (barman/infofile.py FieldListFile.save)", () => {
    const info = parseBackupInfo(
      "20261122T030000",
      "begin_time=2026-11-22 03:00:01.482913+00:00\nend_time=2026-11-22 03:09:57.001245+00:00\nerror=None\nstatus=DONE\n",
    );
    expect(info).toEqual({
      id: "20261122T030000",
      status: "DONE",
      beginTime: new Date("2026-11-22T03:00:01.482Z"),
      endTime: new Date("2026-11-22T03:09:57.001Z"),
    });
    expect(
      parseBackupInfo("x", "end_time=None\nstatus=FAILED\nerror=failure uploading data (boom)\n"),
    ).toEqual({
      id: "x",
      status: "FAILED",
      error: "failure uploading data (boom)",
    });
    expect(parsePythonTime("2026-11-22 05:00:00+02:00")).toEqual(new Date("2026-11-22T03:00:00Z"));
    expect(parsePythonTime("None")).toBeUndefined();
  });

  it("classifies keys: backup.info, base files, WAL segments, .backup labels, .history, .partial", () => {
    expect(barmanKey("cnpg/postgres/base/20261122T030000/backup.info", "cnpg/")).toEqual({
      server: "postgres",
      kind: "backup.info",
      id: "20261122T030000",
    });
    expect(barmanKey("cnpg/postgres/base/20261122T030000/data.tar.gz", "cnpg/")?.kind).toBe("base");
    for (const file of [
      "0000000100000000/000000010000000000000042",
      "0000000100000000/000000010000000000000042.gz",
      "0000000100000000/000000010000000000000040.00000028.backup",
      "0000000100000000/000000010000000000000043.partial",
      "00000002.history",
    ])
      expect(barmanKey(`cnpg/postgres/wals/${file}`, "cnpg/"), file).toMatchObject({ kind: "wal" });
    expect(barmanKey("cnpg/postgres/wals/README", "cnpg/")).toBeUndefined();
    expect(barmanKey("etcd/snap", "cnpg/")).toBeUndefined();
  });
});

describe("Longhorn backupstore layout", () => {
  it("puts a volume under the first two byte pairs of its name's SHA-512, not SHA-256 (backupstore config.go getVolumePath)", () => {
    // longhorn/backupstore ab5179e util/util.go 76-79 GetChecksum = hex(sha512.Sum512(data))[:64]
    // (its comment says SHA256). `printf %s pvc-3fa1c2d4-8b7e-4c21-9a0f-1e2d3c4b5a69 | sha512sum`
    // = 3184...; its sha256 would be b618... (the layout the fixture used to have).
    expect(longhornVolumePath("longhorn/", "pvc-3fa1c2d4-8b7e-4c21-9a0f-1e2d3c4b5a69")).toBe(
      "longhorn/backupstore/volumes/31/84/pvc-3fa1c2d4-8b7e-4c21-9a0f-1e2d3c4b5a69/",
    );
    expect(longhornKey("longhorn/backupstore/volumes/b6/18/pvc-a/backups/backup_x.cfg", "longhorn/")).toEqual(
      {
        volume: "pvc-a",
        backupCfg: true,
      },
    );
    expect(longhornKey("longhorn/backupstore/volumes/b6/18/pvc-a/blocks/aa/bb/c.blk", "longhorn/")).toEqual({
      volume: "pvc-a",
      backupCfg: false,
    });
  });

  it("reads a backup config's CreatedTime and refuses what is not one", () => {
    expect(
      parseLonghornBackupCfg(
        "k",
        '{"Name":"backup-1","VolumeName":"pvc-a","CreatedTime":"2026-11-22T03:30:12Z"}',
      ),
    ).toEqual({ name: "backup-1", volume: "pvc-a", createdAt: new Date("2026-11-22T03:30:12Z"), key: "k" });
    expect(() => parseLonghornBackupCfg("k", "{}")).toThrow(/k is not a Longhorn backup config/);
    expect(() =>
      parseLonghornBackupCfg("k", '{"Name":"backup-1","VolumeName":"pvc-a","CreatedTime":"yesterday"}'),
    ).toThrow(/k has CreatedTime "yesterday", not an RFC 3339 time/);
    expect(() => parseLonghornBackupCfg("k", "<xml/>")).toThrow(/not JSON/);
  });

  it("calls a backup config with an empty or absent CreatedTime in progress, not broken", () => {
    // longhorn/backupstore ab5179e deltablock.go 578-582 writes the cfg with CreatedTime "" before
    // the blocks; config.go 324-326 isBackupInProgress is CreatedTime == "".
    expect(parseLonghornBackupCfg("k", '{"Name":"b","VolumeName":"v","CreatedTime":""}')).toEqual({
      inProgress: true,
      name: "b",
      key: "k",
    });
    expect(parseLonghornBackupCfg("k", '{"Name":"b","VolumeName":"v"}')).toEqual({
      inProgress: true,
      name: "b",
      key: "k",
    });
  });

  it("takes the live volumes from bound PVCs only", () => {
    const list = JSON.stringify({
      items: [
        { metadata: { name: "data-redis-0", namespace: "data" }, spec: { volumeName: "pvc-b" } },
        { metadata: { name: "data-redis-1", namespace: "data" }, spec: {} },
      ],
    });
    expect(parsePvcList(list)).toEqual([{ namespace: "data", pvc: "data-redis-0", volume: "pvc-b" }]);
  });
});

describe("verdicts", () => {
  const done = (id: string, end: string) => ({ id, status: "DONE", endTime: new Date(end) });
  it("takes the newest DONE backup by end time and ignores newer FAILED ones for freshness", () => {
    const r = judgeBaseBackups(
      "s",
      "b",
      "p/",
      [
        done("20261121T030000", "2026-11-21T03:10:00Z"),
        { id: "20261122T030000", status: "FAILED", error: "failure uploading data (x)" },
      ],
      26 * 3600,
      NOW,
    );
    expect(r.status).toBe("stale");
    expect(r.detail).toContain(
      "1 later attempt(s) FAILED, newest 20261122T030000: failure uploading data (x)",
    );
  });

  it("calls old WAL idle only when it follows the newest base backup's end", () => {
    const wal = [{ key: "w", at: new Date("2026-11-22T03:09:00Z") }];
    expect(judgeWal("s", "b", "p/", wal, 900, NOW, new Date("2026-11-22T03:10:00Z")).status).toBe("idle");
    expect(judgeWal("s", "b", "p/", wal, 900, NOW, new Date("2026-11-22T04:00:00Z")).status).toBe("stale");
    expect(judgeWal("s", "b", "p/", wal, 900, NOW).status).toBe("stale");
  });
});
