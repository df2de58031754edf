/**
 * How barman-cloud and Longhorn lay out their backups in object storage, and how to read what
 * they write there. Pure.
 *
 * barman-cloud (EnterpriseDB/barman barman/cloud.py, release 3.17; the barman-cloud plugin v0.14.0
 * sidecar pins barman 3.19.1, containers/sidecar-requirements.in):
 * - base backups: `<path>/<server>/base/<backup_id>/backup.info` (`_upload_backup_info`), uploaded
 *   in a `finally` block, so a backup that FAILED has a backup.info too, with `status=FAILED`;
 * - `backup.info` is `name=value` lines (barman/infofile.py `FieldListFile.save`), `status` one of
 *   EMPTY, STARTED, WAITING_FOR_WALS, DONE, SYNCING, FAILED (`BackupInfo`), `end_time` Python's
 *   `str(datetime)` (`2026-11-22 03:04:05.123456+00:00`);
 * - WAL: `<path>/<server>/wals/<first 16 hex of the segment>/<segment>[.gz|.bz2|.snappy|...]`, plus
 *   `.history` and `.backup` files (barman/cloud.py `CloudWalUploader`, barman/xlog.py names).
 *
 * Longhorn backupstore (longhorn/backupstore backupstore.go, config.go): a volume's backups are in
 * `backupstore/volumes/<sha512(volume) hex[0:2]>/<[2:4]>/<volume>/`, `volume.cfg` and
 * `backups/backup_<name>.cfg`, a JSON `Backup` (`Name`, `VolumeName`, `CreatedTime` RFC 3339,
 * `Labels`), first written with an empty `CreatedTime` before the blocks are uploaded and again
 * with it once they are (an empty one means in progress); `blocks/` holds the deduplicated data.
 */
import { createHash } from "node:crypto";

/** What one backup.info says. */
export interface BarmanBackupInfo {
  readonly id: string;
  /** EMPTY, STARTED, WAITING_FOR_WALS, DONE, SYNCING or FAILED. */
  readonly status: string;
  readonly beginTime?: Date;
  readonly endTime?: Date;
  readonly error?: string;
}

/** Parses Python's `str(datetime)` (`2026-11-22 03:04:05.123456+00:00`) or an ISO time. */
export function parsePythonTime(text: string | undefined): Date | undefined {
  if (!text || text === "None") return undefined;
  const m = /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}:\d{2})(\.\d+)?([+-]\d{2}:?\d{2}|Z)?$/.exec(text.trim());
  if (!m) return undefined;
  const fraction = m[3] ? m[3].slice(0, 4) : "";
  const zone = m[4] ?? "Z";
  const d = new Date(`${m[1]}T${m[2]}${fraction}${zone}`);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

/** Parses a backup.info file (`name=value` lines). */
export function parseBackupInfo(id: string, text: string): BarmanBackupInfo {
  const fields = new Map<string, string>();
  for (const line of text.split("\n")) {
    const at = line.indexOf("=");
    if (at > 0) fields.set(line.slice(0, at), line.slice(at + 1));
  }
  const error = fields.get("error");
  const beginTime = parsePythonTime(fields.get("begin_time"));
  const endTime = parsePythonTime(fields.get("end_time"));
  return {
    id,
    status: fields.get("status") ?? "EMPTY",
    ...(beginTime ? { beginTime } : {}),
    ...(endTime ? { endTime } : {}),
    ...(error && error !== "None" ? { error } : {}),
  };
}

/** Where a key of a barman-cloud archive belongs: a server's base backup or WAL. */
export type BarmanKey =
  | { readonly server: string; readonly kind: "backup.info"; readonly id: string }
  | { readonly server: string; readonly kind: "base"; readonly id: string }
  | { readonly server: string; readonly kind: "wal"; readonly file: string };

/** A WAL segment, `.partial`, `.history` or `.backup` file name (barman/xlog.py `_xlog_re`), compressed or not. */
const WAL_FILE =
  /^(?:[0-9A-Fa-f]{24}(?:\.[0-9A-Fa-f]{8}\.backup|\.partial)?|[0-9A-Fa-f]{8}\.history)(?:\.[a-z0-9]+)?$/;

/** Classifies `key` under `prefix` (the archive's path, e.g. `cnpg/`); undefined for anything else. */
export function barmanKey(key: string, prefix: string): BarmanKey | undefined {
  if (!key.startsWith(prefix)) return undefined;
  const [server, kind, ...rest] = key.slice(prefix.length).split("/");
  if (!server) return undefined;
  if (kind === "base" && rest.length >= 2 && rest[0]) {
    return rest.length === 2 && rest[1] === "backup.info"
      ? { server, kind: "backup.info", id: rest[0] }
      : { server, kind: "base", id: rest[0] };
  }
  if (kind === "wals") {
    const file = rest[rest.length - 1] ?? "";
    if (WAL_FILE.test(file)) return { server, kind: "wal", file };
  }
  return undefined;
}

/**
 * The backupstore directory of a Longhorn volume: longhorn/backupstore (ab5179e) config.go 166-170
 * `getVolumePath` = `backupstore/volumes/<sum[0:2]>/<sum[2:4]>/<volume>/` with `util.GetChecksum`
 * (util/util.go 76-79) = hex of SHA-512 truncated to 64 characters. Its doc comment (75) says
 * "SHA256", but the code is `sha512.Sum512`.
 */
export function longhornVolumePath(prefix: string, volume: string): string {
  const sum = createHash("sha512").update(volume).digest("hex").slice(0, 64);
  return `${prefix}backupstore/volumes/${sum.slice(0, 2)}/${sum.slice(2, 4)}/${volume}/`;
}

/** A completed Longhorn backup, from its `backup_<name>.cfg`. */
export interface LonghornBackup {
  readonly name: string;
  readonly volume: string;
  readonly createdAt: Date;
  readonly key: string;
}

/** The volume a key belongs to and whether it is a backup config (`backups/backup_<name>.cfg`). */
export function longhornKey(key: string, prefix: string): { volume: string; backupCfg: boolean } | undefined {
  const rest = key.slice(prefix.length).split("/");
  if (!key.startsWith(prefix) || rest[0] !== "backupstore" || rest[1] !== "volumes" || !rest[4])
    return undefined;
  return {
    volume: rest[4],
    backupCfg: rest.length === 7 && rest[5] === "backups" && /^backup_.+\.cfg$/.test(rest[6] ?? ""),
  };
}

/** A `backup_<name>.cfg` Longhorn wrote before the blocks were uploaded (`CreatedTime` empty). */
export interface LonghornBackupInProgress {
  readonly inProgress: true;
  readonly name: string;
  readonly key: string;
}

/**
 * Parses a `backup_<name>.cfg`; throws naming the key when it is not Longhorn's JSON.
 *
 * An empty (or absent) `CreatedTime` is a backup in progress, not a bad config: longhorn/backupstore
 * deltablock.go (ab5179e) 578-582 saves the cfg with `CreatedTime: ""` before uploading the blocks
 * and sets `util.Now()` only at the end (631, saved again 639); config.go 324-326
 * `isBackupInProgress` is `CreatedTime == ""`. A backup that failed midway leaves that stub behind.
 */
export function parseLonghornBackupCfg(key: string, text: string): LonghornBackup | LonghornBackupInProgress {
  let doc: { Name?: unknown; VolumeName?: unknown; CreatedTime?: unknown };
  try {
    doc = JSON.parse(text) as typeof doc;
  } catch {
    throw new Error(`${key} is not a Longhorn backup config (not JSON)`);
  }
  if (typeof doc.Name !== "string" || typeof doc.VolumeName !== "string")
    throw new Error(`${key} is not a Longhorn backup config (needs Name, VolumeName, CreatedTime)`);
  if (doc.CreatedTime === undefined || doc.CreatedTime === "")
    return { inProgress: true, name: doc.Name, key };
  const createdAt = new Date(String(doc.CreatedTime));
  if (Number.isNaN(createdAt.getTime()))
    throw new Error(`${key} has CreatedTime ${JSON.stringify(doc.CreatedTime)}, not an RFC 3339 time`);
  return { name: doc.Name, volume: doc.VolumeName, createdAt, key };
}

/** A PVC Longhorn must back up, with the Longhorn volume behind it (`spec.volumeName`). */
export interface LiveVolume {
  readonly namespace: string;
  readonly pvc: string;
  readonly volume: string;
}

/** The bound PVCs of `kubectl get pvc -A -l <backup group label> -o json`. */
export function parsePvcList(json: string): LiveVolume[] {
  const doc = JSON.parse(json) as {
    items?: { metadata?: { name?: string; namespace?: string }; spec?: { volumeName?: string } }[];
  };
  return (doc.items ?? [])
    .filter((i) => i.metadata?.name && i.metadata.namespace && i.spec?.volumeName)
    .map((i) => ({
      namespace: i.metadata?.namespace as string,
      pvc: i.metadata?.name as string,
      volume: i.spec?.volumeName as string,
    }))
    .sort((a, b) => a.volume.localeCompare(b.volume));
}
