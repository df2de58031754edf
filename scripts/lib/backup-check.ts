/**
 * Backup freshness: the newest object of each backup series in R2 and its age, against the
 * thresholds of `monitoring.backupFreshness`. Series: CNPG base backups and WAL per server
 * (barman-cloud layout `cnpg/<server>/base/` and `cnpg/<server>/wals/`, in the bucket of each
 * cluster's consumer: `cnpg` for the shared cluster, `cnpg-janua-<slug>` per tenant), etcd snapshots
 * (`etcd/`), and Longhorn backups per volume (`longhorn/backupstore/volumes/<xx>/<yy>/<volume>/backups/`).
 * Each series is listed with the credentials of its own consumer (least privilege).
 */
import { ListObjectsV2Command, type S3Client } from "@aws-sdk/client-s3";
import { isCnpgConsumer } from "../../components/edge/r2-plan";
import type { R2Outputs } from "./r2-check";
import { r2Client } from "./r2-check";

/** Thresholds, as in the stack config. */
export interface Freshness {
  readonly baseBackupHours: number;
  readonly walMinutes: number;
  readonly etcdSnapshotHours: number;
  readonly longhornBackupHours: number;
}

/** The verdict on one series. */
export interface SeriesResult {
  readonly series: string;
  readonly bucket: string;
  readonly prefix: string;
  readonly status: "fresh" | "stale" | "missing" | "error";
  readonly newestKey?: string;
  readonly newestAt?: string;
  readonly ageSeconds?: number;
  readonly maxAgeSeconds: number;
  readonly detail: string;
}

interface Listed {
  readonly key: string;
  readonly at: Date;
}

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

/** Groups Longhorn backup objects by volume name. */
export function byLonghornVolume(objects: readonly Listed[], prefix: string): Map<string, Listed[]> {
  const groups = new Map<string, Listed[]>();
  for (const o of objects) {
    // <prefix>backupstore/volumes/<xx>/<yy>/<volume>/backups/backup_<name>.cfg
    const rest = o.key.slice(prefix.length).split("/");
    if (rest[0] !== "backupstore" || rest[1] !== "volumes" || rest[5] !== "backups") continue;
    const volume = rest[4] as string;
    groups.set(volume, [...(groups.get(volume) ?? []), o]);
  }
  return groups;
}

/** CNPG server names under `cnpg/` (the first path segment). */
export function cnpgServers(objects: readonly Listed[], prefix: string): string[] {
  return [...new Set(objects.map((o) => o.key.slice(prefix.length).split("/")[0] as string))]
    .filter(Boolean)
    .sort();
}

/** Checks every backup series of a stack. */
export async function runBackupCheck(
  outputs: R2Outputs,
  freshness: Freshness,
  options: {
    now?: Date;
    /** Server names that must have backups, by CNPG consumer (`cnpg`, `cnpg-janua-<slug>`). */
    expectedCnpgServers?: Readonly<Record<string, readonly string[]>>;
  } = {},
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
        series,
        bucket,
        prefix,
        maxAgeSeconds: maxAge,
        status: "error",
        detail: `${(e as Error).name}: ${(e as Error).message}`,
      });
    }
  };

  const cnpgConsumers = [
    ...new Set([...Object.keys(outputs.consumers), ...Object.keys(options.expectedCnpgServers ?? {})]),
  ]
    .filter(isCnpgConsumer)
    .sort();
  for (const name of cnpgConsumers) {
    const cnpg = consumer(name);
    const expected = options.expectedCnpgServers?.[name] ?? [];
    if (!cnpg) {
      for (const server of expected) {
        results.push({
          series: `cnpg ${server}`,
          bucket: "?",
          prefix: "cnpg/",
          maxAgeSeconds: freshness.baseBackupHours * 3600,
          status: "error",
          detail: `the outputs have no R2 consumer ${name} for this cluster's archive`,
        });
      }
      continue;
    }
    const s3 = r2Client(cnpg.endpoint ?? outputs.endpoint, outputs.region, cnpg);
    await guard(name, cnpg.bucket, cnpg.prefix, freshness.baseBackupHours * 3600, async () => {
      const all = await listAll(s3, cnpg.bucket, cnpg.prefix);
      const servers = [...new Set([...cnpgServers(all, cnpg.prefix), ...expected])].sort();
      if (servers.length === 0) {
        results.push(
          judge(`${name} base backups`, cnpg.bucket, cnpg.prefix, [], freshness.baseBackupHours * 3600, now),
        );
      }
      for (const server of servers) {
        const basePrefix = `${cnpg.prefix}${server}/base/`;
        const walPrefix = `${cnpg.prefix}${server}/wals/`;
        results.push(
          judge(
            `cnpg ${server}: base backups`,
            cnpg.bucket,
            basePrefix,
            all.filter((o) => o.key.startsWith(basePrefix)),
            freshness.baseBackupHours * 3600,
            now,
          ),
          judge(
            `cnpg ${server}: WAL`,
            cnpg.bucket,
            walPrefix,
            all.filter((o) => o.key.startsWith(walPrefix)),
            freshness.walMinutes * 60,
            now,
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
    await guard("longhorn backups", longhorn.bucket, longhorn.prefix, maxAge, async () => {
      const volumes = byLonghornVolume(await listAll(s3, longhorn.bucket, longhorn.prefix), longhorn.prefix);
      if (volumes.size === 0)
        results.push(judge("longhorn backups", longhorn.bucket, longhorn.prefix, [], maxAge, now));
      for (const [volume, objects] of [...volumes].sort(([a], [b]) => a.localeCompare(b))) {
        results.push(
          judge(
            `longhorn ${volume}`,
            longhorn.bucket,
            `${longhorn.prefix}backupstore/volumes/`,
            objects,
            maxAge,
            now,
          ),
        );
      }
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
  const bad = results.filter((r) => r.status !== "fresh").length;
  lines.push(
    "",
    bad === 0
      ? `all ${results.length} backup series are fresh`
      : `${bad} of ${results.length} backup series are not fresh`,
  );
  return `${lines.join("\n")}\n`;
}
