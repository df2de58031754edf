/**
 * The verdicts of `npm run backup:check`, pure: one series' objects or backup records in, fresh,
 * idle, retired, stale, failed or missing out. Where the records come from and what they mean:
 * ./backup-layout.ts; how the series are found: ./backup-check.ts.
 */
import type { BarmanBackupInfo, LiveVolume, LonghornBackup } from "./backup-layout";

/** Thresholds, as in the stack config. */
export interface Freshness {
  readonly baseBackupHours: number;
  readonly walMinutes: number;
  readonly etcdSnapshotHours: number;
  readonly longhornBackupHours: number;
}

/** The verdict words. */
export type SeriesStatus = "fresh" | "idle" | "retired" | "stale" | "failed" | "missing" | "error";

/** Statuses that do not fail the check. */
export const PASSING: readonly SeriesStatus[] = ["fresh", "idle", "retired"];

/** The verdict on one series. */
export interface SeriesResult {
  readonly series: string;
  readonly bucket: string;
  readonly prefix: string;
  /**
   * `fresh`, `idle` (WAL only: nothing new since the newest base backup of a quiet database) and
   * `retired` (an archive or volume no longer in use) pass; the others fail.
   */
  readonly status: SeriesStatus;
  readonly newestKey?: string;
  readonly newestAt?: string;
  readonly ageSeconds?: number;
  readonly maxAgeSeconds: number;
  readonly detail: string;
}

/** An object key and its time (LastModified, or the time the backup itself records). */
export interface Listed {
  readonly key: string;
  readonly at: Date;
}

/** Human-readable duration. */
export function formatAge(seconds: number): string {
  if (seconds < 90) return `${Math.round(seconds)} s`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

/** The verdict on one series from its objects. Pure. */
export function judge(
  series: string,
  bucket: string,
  prefix: string,
  objects: readonly Listed[],
  maxAgeSeconds: number,
  now: Date,
): SeriesResult {
  const base = { series, bucket, prefix, maxAgeSeconds };
  if (objects.length === 0) {
    return { ...base, status: "missing", detail: `no object under ${bucket}/${prefix}` };
  }
  const newest = objects.reduce((a, b) => (b.at > a.at ? b : a));
  const age = Math.max(0, (now.getTime() - newest.at.getTime()) / 1000);
  const fresh = age <= maxAgeSeconds;
  return {
    ...base,
    status: fresh ? "fresh" : "stale",
    newestKey: newest.key,
    newestAt: newest.at.toISOString(),
    ageSeconds: Math.round(age),
    detail: `newest ${formatAge(age)} old (limit ${formatAge(maxAgeSeconds)}): ${newest.key}`,
  };
}

/**
 * How long before a base backup's `end_time` its own WAL may reach the archive: barman stops the
 * backup with `pg_backup_stop`, which waits until the backup's last segment is archived
 * (PostgreSQL docs, continuous archiving: "wait_for_archive" defaults to true), then uploads the
 * backup label and backup.info.
 */
export const BACKUP_WAL_SLACK_SECONDS = 600;

/** The fields every verdict of a series carries. */
export const seriesBase = (series: string, bucket: string, prefix: string, maxAgeSeconds: number) => ({
  series,
  bucket,
  prefix,
  maxAgeSeconds,
});

/** The start of a barman backup id (`YYYYMMDDTHHMMSS`, UTC), for ordering attempts without begin_time. */
function idTime(info: BarmanBackupInfo): number {
  if (info.beginTime) return info.beginTime.getTime();
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})$/.exec(info.id);
  if (!m) return 0;
  const [y, mo, d, h, mi, se] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  return Date.UTC(y, mo - 1, d, h, mi, se);
}

/** The base backups of one archive: the newest DONE one, on its end time. Pure. */
export function judgeBaseBackups(
  series: string,
  bucket: string,
  prefix: string,
  infos: readonly BarmanBackupInfo[],
  maxAgeSeconds: number,
  now: Date,
): SeriesResult {
  const base = seriesBase(series, bucket, prefix, maxAgeSeconds);
  const done = infos
    .filter((i) => i.status === "DONE" && i.endTime)
    .sort((a, b) => (b.endTime as Date).getTime() - (a.endTime as Date).getTime());
  const failed = infos.filter((i) => i.status === "FAILED").sort((a, b) => idTime(b) - idTime(a));
  const newestDone = done[0];
  const failedAfter = failed.filter((f) => !newestDone || idTime(f) > (newestDone.endTime as Date).getTime());
  const failures = failedAfter[0]
    ? `; ${failedAfter.length} later attempt(s) FAILED, newest ${failedAfter[0].id}${failedAfter[0].error ? `: ${failedAfter[0].error}` : ""}`
    : "";
  if (!newestDone) {
    if (failed[0])
      return {
        ...base,
        status: "failed",
        detail: `no backup.info with status=DONE under ${bucket}/${prefix}${failures}`,
      };
    const unfinished = [...infos].sort((a, b) => idTime(b) - idTime(a))[0];
    return {
      ...base,
      status: "missing",
      detail: unfinished
        ? `no completed base backup under ${bucket}/${prefix} (newest ${unfinished.id} is ${unfinished.status})`
        : `no base backup under ${bucket}/${prefix}`,
    };
  }
  const end = newestDone.endTime as Date;
  const age = Math.max(0, (now.getTime() - end.getTime()) / 1000);
  return {
    ...base,
    status: age <= maxAgeSeconds ? "fresh" : "stale",
    newestKey: `${prefix}${newestDone.id}/backup.info`,
    newestAt: end.toISOString(),
    ageSeconds: Math.round(age),
    detail: `newest DONE ${newestDone.id} ended ${formatAge(age)} ago (limit ${formatAge(maxAgeSeconds)})${failures}`,
  };
}

/**
 * The WAL of one archive. Older than the limit is `idle`, not stale, when the newest file was
 * archived at or after the newest DONE base backup ended (minus {@link BACKUP_WAL_SLACK_SECONDS}):
 * archiving worked since then, and a quiet database writes no WAL. Pure.
 */
export function judgeWal(
  series: string,
  bucket: string,
  prefix: string,
  wal: readonly Listed[],
  maxAgeSeconds: number,
  now: Date,
  lastBackupEnd?: Date,
): SeriesResult {
  const base = seriesBase(series, bucket, prefix, maxAgeSeconds);
  if (wal.length === 0) return { ...base, status: "missing", detail: `no WAL under ${bucket}/${prefix}` };
  const newest = wal.reduce((a, b) => (b.at > a.at ? b : a));
  const age = Math.max(0, (now.getTime() - newest.at.getTime()) / 1000);
  const found = {
    newestKey: newest.key,
    newestAt: newest.at.toISOString(),
    ageSeconds: Math.round(age),
  };
  const line = `newest ${formatAge(age)} old (limit ${formatAge(maxAgeSeconds)}): ${newest.key}`;
  if (age <= maxAgeSeconds) return { ...base, ...found, status: "fresh", detail: line };
  const sinceBackup =
    lastBackupEnd && newest.at.getTime() >= lastBackupEnd.getTime() - BACKUP_WAL_SLACK_SECONDS * 1000;
  if (sinceBackup)
    return {
      ...base,
      ...found,
      status: "idle",
      detail: `${line}; archived after the newest base backup ended (${lastBackupEnd.toISOString()}): a quiet database writes no WAL (a stuck archiver with WAL waiting fires PostgresWalArchivingStalled)`,
    };
  return {
    ...base,
    ...found,
    status: "stale",
    detail: lastBackupEnd
      ? `${line}; nothing archived since before the newest base backup ended (${lastBackupEnd.toISOString()})`
      : line,
  };
}

/**
 * One Longhorn volume. `live` is the PVC using it (undefined: none); `liveKnown` false when the
 * cluster was not asked (every volume in R2 is then judged on age alone). Pure.
 */
export function judgeLonghornVolume(
  volume: string,
  bucket: string,
  prefix: string,
  backups: readonly LonghornBackup[],
  maxAgeSeconds: number,
  now: Date,
  live: LiveVolume | undefined,
  liveKnown: boolean,
): SeriesResult {
  const base = seriesBase(`longhorn ${volume}`, bucket, prefix, maxAgeSeconds);
  const owner = live ? ` (${live.namespace}/${live.pvc})` : "";
  const newest = [...backups].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())[0];
  if (!newest)
    return {
      ...base,
      status: "missing",
      detail: `no backup of volume ${volume}${owner} under ${bucket}/${prefix}`,
    };
  const age = Math.max(0, (now.getTime() - newest.createdAt.getTime()) / 1000);
  const found = {
    newestKey: newest.key,
    newestAt: newest.createdAt.toISOString(),
    ageSeconds: Math.round(age),
  };
  const line = `newest ${newest.name} created ${formatAge(age)} ago (limit ${formatAge(maxAgeSeconds)})`;
  if (liveKnown && !live)
    return {
      ...base,
      ...found,
      status: "retired",
      detail: `no live PVC of the backup group uses it; ${line}`,
    };
  return {
    ...base,
    ...found,
    status: age <= maxAgeSeconds ? "fresh" : "stale",
    detail: `${line}${owner}${liveKnown ? "" : " (live volumes not checked: --no-cluster)"}`,
  };
}
