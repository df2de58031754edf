/**
 * Backup freshness: what R2 really holds for each backup series, against the thresholds of
 * `monitoring.backupFreshness`. Series and how each is judged (layouts in ./backup-layout.ts):
 * - CloudNativePG base backups per archive (barman-cloud `<server>/base/<id>/backup.info`, in the
 *   bucket of each cluster's consumer: `cnpg` shared, `cnpg-janua-<slug>` per tenant): the newest
 *   backup whose backup.info says `status=DONE`, judged on its `end_time` (barman uploads
 *   backup.info for FAILED backups too);
 * - their WAL (`<server>/wals/`): fresh within `walMinutes`; older but archived at or after the
 *   newest DONE base backup ended is `idle` (a quiet database writes no WAL; the base backup
 *   forces one), older than that is stale;
 * - which archives are expected comes from the config (each cluster's current `archiveServerName`);
 *   any other archive in the bucket is `retired` (an earlier recovery's source), never stale;
 * - etcd snapshots (`etcd/`);
 * - Longhorn backups per volume (`backups/backup_<name>.cfg`, judged on its `CreatedTime`): every
 *   live PVC of the backup group must have one (`missing` otherwise); volumes in R2 without a live
 *   PVC are `retired`. A cfg with an empty `CreatedTime` is a backup in progress (Longhorn writes
 *   it before the blocks, backup-layout.ts): skipped and counted in the detail. A cfg that cannot
 *   be read is its own `error` row, so it hides no other volume.
 * Each series is listed with the credentials of its own consumer (least privilege).
 */
import { GetObjectCommand, ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { isCnpgConsumer } from "../../components/edge/r2-plan";
import {
  type BarmanBackupInfo,
  barmanKey,
  type LiveVolume,
  type LonghornBackup,
  longhornKey,
  parseBackupInfo,
  parseLonghornBackupCfg,
} from "./backup-layout";
import {
  type Freshness,
  formatAge,
  judge,
  judgeBaseBackups,
  judgeLonghornVolume,
  judgeWal,
  type Listed,
  PASSING,
  type SeriesResult,
  seriesBase,
} from "./backup-verdicts";
import type { R2Outputs } from "./r2-check";
import { r2Client } from "./r2-check";

export * from "./backup-verdicts";

/** Every object under a prefix (all pages). */
export async function listAll(s3: S3Client, bucket: string, prefix: string): Promise<Listed[]> {
  const out: Listed[] = [];
  let token: string | undefined;
  do {
    const page = await s3.send(
      new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }),
    );
    for (const o of page.Contents ?? [])
      if (o.Key && o.LastModified) out.push({ key: o.Key, at: o.LastModified });
    token = page.IsTruncated ? page.NextContinuationToken : undefined;
  } while (token);
  return out;
}

/** An object's body as text. */
async function readText(s3: S3Client, bucket: string, key: string): Promise<string> {
  const r = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  return (await r.Body?.transformToString()) ?? "";
}

/** Options of {@link runBackupCheck}. */
export interface BackupCheckOptions {
  readonly now?: Date;
  /** The archives each CNPG consumer's clusters write to now (`cnpg`, `cnpg-janua-<slug>`). */
  readonly expectedCnpgServers?: Readonly<Record<string, readonly string[]>>;
  /** PVCs of the Longhorn backup group in the cluster; undefined when the cluster was not asked. */
  readonly liveVolumes?: readonly LiveVolume[];
}

/** Checks every backup series of a stack. */
export async function runBackupCheck(
  outputs: R2Outputs,
  freshness: Freshness,
  options: BackupCheckOptions = {},
): Promise<SeriesResult[]> {
  const now = options.now ?? new Date();
  const results: SeriesResult[] = [];
  const consumer = (name: string) => outputs.consumers[name];
  const guard = async (
    series: string,
    bucket: string,
    prefix: string,
    maxAge: number,
    fn: () => Promise<void>,
  ) => {
    try {
      await fn();
    } catch (e) {
      results.push({
        ...seriesBase(series, bucket, prefix, maxAge),
        status: "error",
        detail: `${(e as Error).name}: ${(e as Error).message}`,
      });
    }
  };
  const baseMax = freshness.baseBackupHours * 3600;

  const cnpgConsumers = [
    ...new Set([...Object.keys(outputs.consumers), ...Object.keys(options.expectedCnpgServers ?? {})]),
  ]
    .filter(isCnpgConsumer)
    .sort();
  for (const name of cnpgConsumers) {
    const cnpg = consumer(name);
    const expected = options.expectedCnpgServers?.[name] ?? [];
    if (!cnpg) {
      for (const server of expected)
        results.push({
          ...seriesBase(`cnpg ${server}`, "?", "cnpg/", baseMax),
          status: "error",
          detail: `the outputs have no R2 consumer ${name} for this cluster's archive`,
        });
      continue;
    }
    const s3 = r2Client(cnpg.endpoint ?? outputs.endpoint, outputs.region, cnpg);
    await guard(name, cnpg.bucket, cnpg.prefix, baseMax, async () => {
      const all = await listAll(s3, cnpg.bucket, cnpg.prefix);
      const keyed = all.flatMap((o) => {
        const k = barmanKey(o.key, cnpg.prefix);
        return k ? [{ ...o, k }] : [];
      });
      const servers = [...new Set([...keyed.map((o) => o.k.server), ...expected])].sort();
      if (servers.length === 0)
        results.push(judgeBaseBackups(`${name} base backups`, cnpg.bucket, cnpg.prefix, [], baseMax, now));
      for (const server of servers) {
        const basePrefix = `${cnpg.prefix}${server}/base/`;
        const walPrefix = `${cnpg.prefix}${server}/wals/`;
        const mine = keyed.filter((o) => o.k.server === server);
        const wal = mine.filter((o) => o.k.kind === "wal");
        if (!expected.includes(server)) {
          const newest = mine.reduce<Listed | undefined>((a, b) => (!a || b.at > a.at ? b : a), undefined);
          results.push({
            ...seriesBase(`cnpg ${server}`, cnpg.bucket, `${cnpg.prefix}${server}/`, baseMax),
            status: "retired",
            ...(newest ? { newestKey: newest.key, newestAt: newest.at.toISOString() } : {}),
            detail: `not the archive any cluster of the config writes to (postgres.recovery moved it); kept for recovery${newest ? `, newest object ${formatAge((now.getTime() - newest.at.getTime()) / 1000)} old` : ""}`,
          });
          continue;
        }
        const infos: BarmanBackupInfo[] = [];
        for (const o of mine)
          if (o.k.kind === "backup.info")
            infos.push(parseBackupInfo(o.k.id, await readText(s3, cnpg.bucket, o.key)));
        const baseResult = judgeBaseBackups(
          `cnpg ${server}: base backups`,
          cnpg.bucket,
          basePrefix,
          infos,
          baseMax,
          now,
        );
        results.push(
          baseResult,
          judgeWal(
            `cnpg ${server}: WAL`,
            cnpg.bucket,
            walPrefix,
            wal,
            freshness.walMinutes * 60,
            now,
            baseResult.newestAt ? new Date(baseResult.newestAt) : undefined,
          ),
        );
      }
    });
  }
  const etcd = consumer("etcd");
  if (etcd) {
    const s3 = r2Client(etcd.endpoint ?? outputs.endpoint, outputs.region, etcd);
    await guard("etcd snapshots", etcd.bucket, etcd.prefix, freshness.etcdSnapshotHours * 3600, async () => {
      results.push(
        judge(
          "etcd snapshots",
          etcd.bucket,
          etcd.prefix,
          await listAll(s3, etcd.bucket, etcd.prefix),
          freshness.etcdSnapshotHours * 3600,
          now,
        ),
      );
    });
  }
  const longhorn = consumer("longhorn");
  if (longhorn) {
    const s3 = r2Client(longhorn.endpoint ?? outputs.endpoint, outputs.region, longhorn);
    const maxAge = freshness.longhornBackupHours * 3600;
    const volumesPrefix = `${longhorn.prefix}backupstore/volumes/`;
    await guard("longhorn backups", longhorn.bucket, longhorn.prefix, maxAge, async () => {
      const backups = new Map<string, LonghornBackup[]>();
      const inProgress = new Map<string, number>();
      const unreadable: SeriesResult[] = [];
      for (const o of await listAll(s3, longhorn.bucket, longhorn.prefix)) {
        const k = longhornKey(o.key, longhorn.prefix);
        if (!k) continue;
        const list = backups.get(k.volume) ?? [];
        backups.set(k.volume, list);
        if (!k.backupCfg) continue;
        // One cfg that cannot be read is its own error row; the volume is still judged on the others.
        try {
          const cfg = parseLonghornBackupCfg(o.key, await readText(s3, longhorn.bucket, o.key));
          if ("inProgress" in cfg) inProgress.set(k.volume, (inProgress.get(k.volume) ?? 0) + 1);
          else list.push(cfg);
        } catch (e) {
          unreadable.push({
            ...seriesBase(
              `longhorn ${k.volume}: ${o.key.slice(o.key.lastIndexOf("/") + 1)}`,
              longhorn.bucket,
              volumesPrefix,
              maxAge,
            ),
            status: "error",
            detail: `${(e as Error).name}: ${(e as Error).message}`,
          });
        }
      }
      const live = options.liveVolumes;
      const volumes = [...new Set([...backups.keys(), ...(live ?? []).map((v) => v.volume)])].sort();
      if (volumes.length === 0 && !live)
        results.push(judge("longhorn backups", longhorn.bucket, longhorn.prefix, [], maxAge, now));
      for (const volume of volumes) {
        const verdict = judgeLonghornVolume(
          volume,
          longhorn.bucket,
          volumesPrefix,
          backups.get(volume) ?? [],
          maxAge,
          now,
          live?.find((v) => v.volume === volume),
          live !== undefined,
        );
        const running = inProgress.get(volume) ?? 0;
        results.push(
          running === 0
            ? verdict
            : {
                ...verdict,
                detail: `${verdict.detail}; ${running} backup${running === 1 ? "" : "s"} in progress`,
              },
        );
      }
      results.push(...unreadable);
    });
  }
  return results;
}

/** The report for terminals. */
export function renderBackupReport(results: readonly SeriesResult[]): string {
  const width = Math.max(...results.map((r) => r.series.length), 6);
  const lines = results.map(
    (r) => `${r.status.toUpperCase().padEnd(7)} ${r.series.padEnd(width)}  ${r.detail}`,
  );
  const bad = results.filter((r) => !PASSING.includes(r.status)).length;
  lines.push(
    "",
    bad === 0
      ? `all ${results.length} backup series pass (fresh, idle or retired)`
      : `${bad} of ${results.length} backup series are not fresh`,
  );
  return `${lines.join("\n")}\n`;
}
