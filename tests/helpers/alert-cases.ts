/**
 * promtool cases for every alert rule: series from the exporter fixtures (exporter-metrics.ts)
 * that must fire the alert and series that must not. promtool evaluates from Unix time 0, so
 * `time()` at `eval` is the eval time in seconds; timestamps below are seconds since then.
 * Thresholds are the defaults of `alertRules` with `RULE_OPTIONS`.
 */
import type { AlertThresholds } from "../../components/observability/alert-rules";
import { series } from "./exporter-metrics";

/** The thresholds the cases are written for (the config defaults; two PostgreSQL namespaces). */
export const RULE_OPTIONS: AlertThresholds = {
  baseBackupHours: 26,
  walMinutes: 15,
  etcdSnapshotHours: 13,
  longhornBackupHours: 26,
  postgresNamespaces: ["data", "janua-globex"],
};

/** One promtool test group. */
export interface AlertCase {
  readonly alert: string;
  readonly name: string;
  /** `[series, promtool values]` sampled every minute. */
  readonly input: readonly (readonly [string, string])[];
  /** promtool duration, e.g. `30h`. */
  readonly eval: string;
  /** Labels of each alert expected at `eval` (severity added by the test); empty: must not fire. */
  readonly fires: readonly Record<string, string>[];
}

const H = 3600;
const pg = { namespace: "data", pod: "postgres-1" };
const barman = (m: string) => series(`barman_cloud_cloudnative_pg_io_${m}`);
const archiver = (m: string) => series(`cnpg_pg_stat_archiver_${m}`);
const walReady = series("cnpg_collector_pg_wal_archive_status", { value: "ready" });
const robustness = (state: string) => series("longhorn_volume_robustness", { state });
const volume = { volume: "pvc-3fa1", pvc: "data-redis-0", pvc_namespace: "data" };
const lastBackup = (pvc = "data-redis-0") => series("longhorn_volume_last_backup_at", {}, { pvc });
const pvcCreated = series("kube_persistentvolumeclaim_created");
const s3 = (status: string) => series("k3s_etcd_snapshot_save_s3_duration_seconds_count", { status });
const k3sStart = series("process_start_time_seconds");
const apiserver = { instance: "10.0.0.2:6443" };
const certReady = (condition: string) => series("certmanager_certificate_ready_status", { condition });
const cert = { namespace: "cnpg-system", exported_namespace: "cnpg-system", name: "barman-cloud-server" };
const probe = (kind: string, name = "probe_success") =>
  series(name, {}, { probe_kind: kind, job: `${kind}-hostnames` });
const constant = (v: number, n = 3000) => `${v}+0x${n}`;
/** Four robustness series of one volume: 1 for `state`, 0 for the others. */
const robustnessIs = (state: string): [string, string][] =>
  ["unknown", "healthy", "degraded", "faulted"].map((s) => [
    robustness(s),
    constant(s === state ? 1 : 0, 60),
  ]);

export const ALERT_CASES: readonly AlertCase[] = [
  {
    alert: "PostgresBaseBackupTooOld",
    name: "the newest base backup ended 29 h ago",
    input: [[barman("last_available_backup_timestamp"), constant(1 * H)]],
    eval: "30h",
    fires: [{ namespace: "data" }],
  },
  {
    alert: "PostgresBaseBackupTooOld",
    name: "the newest base backup ended 3 h ago",
    input: [[barman("last_available_backup_timestamp"), constant(27 * H)]],
    eval: "30h",
    fires: [],
  },
  {
    alert: "PostgresBackupFailed",
    name: "a backup failed after the last success",
    input: [
      [barman("last_available_backup_timestamp"), constant(1 * H)],
      [barman("last_failed_backup_timestamp"), constant(2 * H)],
    ],
    eval: "3h",
    fires: [{ namespace: "data" }],
  },
  {
    alert: "PostgresBackupFailed",
    name: "no backup ever failed (the plugin reports 0)",
    input: [
      [barman("last_available_backup_timestamp"), constant(1 * H)],
      [barman("last_failed_backup_timestamp"), constant(0)],
    ],
    eval: "3h",
    fires: [],
  },
  {
    alert: "PostgresBackupMetricsAbsent",
    name: "the dedicated cluster's instance reports no metrics",
    input: [[barman("last_available_backup_timestamp"), constant(1 * H, 60)]],
    eval: "30m",
    fires: [{ namespace: "janua-globex" }],
  },
  {
    alert: "PostgresBackupMetricsAbsent",
    name: "every namespace's instance reports them",
    input: [
      [barman("last_available_backup_timestamp"), constant(1 * H, 60)],
      [
        series(
          "barman_cloud_cloudnative_pg_io_last_available_backup_timestamp",
          {},
          {
            namespace: "janua-globex",
            pod: "janua-globex-1",
          },
        ),
        constant(1 * H, 60),
      ],
    ],
    eval: "30m",
    fires: [],
  },
  {
    alert: "PostgresWalArchivingFailing",
    name: "the last failure is newer than the last success",
    input: [
      [archiver("last_failed_time"), constant(7000, 60)],
      [archiver("last_archived_time"), constant(6000, 60)],
    ],
    eval: "30m",
    fires: [pg],
  },
  {
    alert: "PostgresWalArchivingFailing",
    name: "nothing ever failed (-1)",
    input: [
      [archiver("last_failed_time"), constant(-1, 60)],
      [archiver("last_archived_time"), constant(6000, 60)],
    ],
    eval: "30m",
    fires: [],
  },
  {
    alert: "PostgresWalArchivingStalled",
    name: "three segments wait and nothing was archived for an hour",
    input: [
      [walReady, constant(3, 100)],
      [archiver("seconds_since_last_archival"), "0+60x100"],
    ],
    eval: "60m",
    fires: [pg],
  },
  {
    alert: "PostgresWalArchivingStalled",
    name: "segments wait and the instance never archived one (-1)",
    input: [
      [walReady, constant(2, 100)],
      [archiver("seconds_since_last_archival"), constant(-1, 100)],
    ],
    eval: "60m",
    fires: [pg],
  },
  {
    alert: "PostgresWalArchivingStalled",
    name: "an idle database: nothing archived for hours, nothing waiting",
    input: [
      [walReady, constant(0, 600)],
      [archiver("seconds_since_last_archival"), "3600+300x600"],
    ],
    eval: "8h",
    fires: [],
  },
  {
    alert: "PostgresWalArchivingStalled",
    name: "a busy database whose archiver keeps up",
    input: [
      [walReady, constant(1, 100)],
      [archiver("seconds_since_last_archival"), constant(30, 100)],
    ],
    eval: "60m",
    fires: [],
  },
  {
    alert: "LonghornVolumeDegraded",
    name: "the degraded state series is 1",
    input: robustnessIs("degraded"),
    eval: "30m",
    fires: [volume],
  },
  {
    alert: "LonghornVolumeDegraded",
    name: "a healthy volume (the old `== 2` rule read the 0/1 value)",
    input: robustnessIs("healthy"),
    eval: "30m",
    fires: [],
  },
  {
    alert: "LonghornVolumeFaulted",
    name: "the faulted state series is 1",
    input: robustnessIs("faulted"),
    eval: "30m",
    fires: [volume],
  },
  {
    alert: "LonghornVolumeFaulted",
    name: "a degraded volume is not faulted",
    input: robustnessIs("degraded"),
    eval: "30m",
    fires: [],
  },
  {
    alert: "LonghornBackupFailed",
    name: "a backup in state Error (4)",
    input: [[series("longhorn_backup_state"), constant(4, 60)]],
    eval: "30m",
    fires: [{ volume: "pvc-3fa1", backup: "backup-5d1c0e2a" }],
  },
  {
    alert: "LonghornBackupFailed",
    name: "a completed backup (3)",
    input: [[series("longhorn_backup_state"), constant(3, 60)]],
    eval: "30m",
    fires: [],
  },
  {
    alert: "LonghornVolumeBackupTooOld",
    name: "the Redis volume's last backup is 29 h old",
    input: [
      [lastBackup(), constant(1 * H)],
      [pvcCreated, constant(60)],
    ],
    eval: "30h",
    fires: [volume],
  },
  {
    alert: "LonghornVolumeBackupTooOld",
    name: "a Redis volume older than the limit was never backed up (0)",
    input: [
      [lastBackup(), constant(0)],
      [pvcCreated, constant(60)],
    ],
    eval: "30h",
    fires: [volume],
  },
  {
    alert: "LonghornVolumeBackupTooOld",
    name: "a Redis volume created an hour ago has no backup yet",
    input: [
      [lastBackup(), constant(0)],
      [pvcCreated, constant(29 * H)],
    ],
    eval: "30h",
    fires: [],
  },
  {
    alert: "LonghornVolumeBackupTooOld",
    name: "a volume outside the backup group (Prometheus) never backed up",
    input: [
      [
        lastBackup(
          "prometheus-kube-prometheus-stack-prometheus-db-prometheus-kube-prometheus-stack-prometheus-0",
        ),
        constant(0),
      ],
      [
        series(
          "kube_persistentvolumeclaim_created",
          {},
          {
            persistentvolumeclaim:
              "prometheus-kube-prometheus-stack-prometheus-db-prometheus-kube-prometheus-stack-prometheus-0",
          },
        ),
        constant(60),
      ],
    ],
    eval: "30h",
    fires: [],
  },
  {
    alert: "EtcdSnapshotTooOld",
    name: "no upload succeeded in 13 h on a server up for 15 h",
    input: [
      [s3("success"), constant(5, 1000)],
      [k3sStart, constant(0, 1000)],
    ],
    eval: "15h",
    fires: [apiserver],
  },
  {
    alert: "EtcdSnapshotTooOld",
    name: "no upload ever succeeded (no success series at all)",
    input: [
      [s3("error"), "0+1x1000"],
      [k3sStart, constant(0, 1000)],
    ],
    eval: "15h",
    fires: [apiserver],
  },
  {
    alert: "EtcdSnapshotTooOld",
    name: "uploads succeed",
    input: [
      [s3("success"), "0+1x1000"],
      [k3sStart, constant(0, 1000)],
    ],
    eval: "15h",
    fires: [],
  },
  {
    alert: "EtcdSnapshotTooOld",
    name: "k3s restarted an hour ago (the counters restarted with it)",
    input: [[k3sStart, constant(14 * H, 1000)]],
    eval: "15h",
    fires: [],
  },
  // Real k3s never exposes a snapshot counter at 0: each `status` child of the HistogramVec is born
  // at its first observation with `_count` 1 (k3s pkg/etcd/snapshotmetrics/snapshotmetrics.go,
  // pkg/util/metrics ObserveWithStatus), which `increase()` cannot see. `_xN` = N samples missing
  // (the series does not exist yet); cases evaluated at 4 h or later are sampled every 5 min.
  {
    alert: "EtcdSnapshotTooOld",
    name: "the first snapshot since a restart 14 h ago is the only one (the success series appears at 1, 12-hourly cron)",
    input: [
      [s3("success"), "_x144 1+0x100"],
      [k3sStart, constant(0, 1000)],
    ],
    eval: "14h",
    fires: [],
  },
  {
    alert: "EtcdSnapshotTooOld",
    name: "the only snapshot since the restart is older than 13 h (the success series appeared at 1 14 h ago)",
    input: [
      [s3("success"), "_x12 1+0x300"],
      [k3sStart, constant(0, 1000)],
    ],
    eval: "15h",
    fires: [apiserver],
  },
  {
    alert: "EtcdSnapshotUploadFailing",
    name: "the first upload since k3s started failed (the error series appears at 1)",
    input: [[s3("error"), "_x120 1+0x100"]],
    eval: "150m",
    fires: [apiserver],
  },
  {
    alert: "EtcdSnapshotUploadFailing",
    name: "the only failure since k3s started was 3 h ago (the error series appeared at 1)",
    input: [[s3("error"), "_x12 1+0x100"]],
    eval: "4h",
    fires: [],
  },
  {
    alert: "EtcdSnapshotUploadFailing",
    name: "an upload failed in the last hour",
    input: [[s3("error"), "0x100 1+0x100"]],
    eval: "150m",
    fires: [apiserver],
  },
  {
    alert: "EtcdSnapshotUploadFailing",
    name: "old failures only",
    input: [[s3("error"), constant(2, 300)]],
    eval: "4h",
    fires: [],
  },
  {
    alert: "NodeDiskAlmostFull",
    name: "/ is 90 % full",
    input: [
      [series("node_filesystem_avail_bytes", { mountpoint: "/" }), constant(10, 60)],
      [series("node_filesystem_size_bytes", { mountpoint: "/" }), constant(100, 60)],
    ],
    eval: "30m",
    fires: [{ device: "/dev/md2", fstype: "ext4", mountpoint: "/", ...nodeTarget() }],
  },
  {
    alert: "NodeDiskAlmostFull",
    name: "/ is half full and a full tmpfs is ignored",
    input: [
      [series("node_filesystem_avail_bytes", { mountpoint: "/" }), constant(50, 60)],
      [series("node_filesystem_size_bytes", { mountpoint: "/" }), constant(100, 60)],
      [series("node_filesystem_avail_bytes", { mountpoint: "/run" }), constant(0, 60)],
      [series("node_filesystem_size_bytes", { mountpoint: "/run" }), constant(100, 60)],
    ],
    eval: "30m",
    fires: [],
  },
  {
    alert: "CloudflaredNoConnection",
    name: "cloudflared reports 0 connections",
    input: [[series("cloudflared_tunnel_ha_connections"), constant(0, 60)]],
    eval: "30m",
    fires: [{}],
  },
  {
    alert: "CloudflaredNoConnection",
    name: "cloudflared is not scraped at all",
    input: [[series("process_start_time_seconds"), constant(0, 60)]],
    eval: "30m",
    fires: [{}],
  },
  {
    alert: "CloudflaredNoConnection",
    name: "four connections",
    input: [[series("cloudflared_tunnel_ha_connections"), constant(4, 60)]],
    eval: "30m",
    fires: [],
  },
  {
    alert: "JanuaNotReady",
    name: "no available replica",
    input: [[series("kube_deployment_status_replicas_available"), constant(0, 60)]],
    eval: "30m",
    fires: [{ namespace: "janua" }],
  },
  {
    alert: "JanuaNotReady",
    name: "two available replicas",
    input: [[series("kube_deployment_status_replicas_available"), constant(2, 60)]],
    eval: "30m",
    fires: [],
  },
  {
    alert: "CertificateNotReady",
    name: "Ready=False, alerting in the Certificate's own namespace",
    input: [
      [certReady("True"), constant(0, 60)],
      [certReady("False"), constant(1, 60)],
    ],
    eval: "30m",
    fires: [cert],
  },
  {
    alert: "CertificateNotReady",
    name: "Ready=True",
    input: [
      [certReady("True"), constant(1, 60)],
      [certReady("False"), constant(0, 60)],
    ],
    eval: "30m",
    fires: [],
  },
  {
    alert: "CertificateExpiringSoon",
    name: "the certificate expires in 7 days",
    input: [
      [series("certmanager_certificate_expiration_timestamp_seconds"), constant(2 * H + 7 * 86400, 180)],
    ],
    eval: "2h",
    fires: [cert],
  },
  {
    alert: "CertificateExpiringSoon",
    name: "60 days left, and a certificate not issued yet (0)",
    input: [
      [series("certmanager_certificate_expiration_timestamp_seconds"), constant(60 * 86400, 180)],
      [
        series(
          "certmanager_certificate_expiration_timestamp_seconds",
          {},
          { name: "plugin-barman-cloud-client" },
        ),
        constant(0, 180),
      ],
    ],
    eval: "2h",
    fires: [],
  },
  {
    alert: "PublicHostnameDown",
    name: "a platform hostname fails its probe",
    input: [[probe("platform"), constant(0, 60)]],
    eval: "30m",
    fires: [{ instance: "https://auth.example.com/" }],
  },
  {
    alert: "PublicHostnameDown",
    name: "the platform probe succeeds while a custom hostname fails",
    input: [
      [probe("platform"), constant(1, 60)],
      [probe("custom"), constant(0, 60)],
    ],
    eval: "30m",
    fires: [],
  },
  {
    alert: "CustomHostnameNotActive",
    name: "a custom hostname fails for an hour",
    input: [[probe("custom"), constant(0, 90)]],
    eval: "60m",
    fires: [{ instance: "https://auth.example.com/" }],
  },
  {
    alert: "CustomHostnameNotActive",
    name: "a custom hostname answers",
    input: [[probe("custom"), constant(1, 90)]],
    eval: "60m",
    fires: [],
  },
  {
    alert: "EdgeCertificateExpiringSoon",
    name: "the edge certificate expires in 7 days",
    input: [[probe("platform", "probe_ssl_earliest_cert_expiry"), constant(2 * H + 7 * 86400, 180)]],
    eval: "2h",
    fires: [{ instance: "https://auth.example.com/" }],
  },
  {
    alert: "EdgeCertificateExpiringSoon",
    name: "60 days left",
    input: [[probe("platform", "probe_ssl_earliest_cert_expiry"), constant(60 * 86400, 180)]],
    eval: "2h",
    fires: [],
  },
];

/** node-exporter's series keep their target labels through the rule (no aggregation). */
function nodeTarget(): Record<string, string> {
  const s = series("node_filesystem_avail_bytes", { mountpoint: "/" });
  const labels: Record<string, string> = {};
  for (const [, k, v] of s.matchAll(/([a-z_]+)="([^"]*)"/g)) labels[k as string] = v as string;
  return labels;
}
