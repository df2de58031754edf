/**
 * The alert rules of the monitoring stack, as data and as a `PrometheusRule`. Pure: the
 * Monitoring component deploys what this renders, the runbook documents the same list, and tests
 * run every rule with `promtool test rules` on series written from each exporter's source
 * (tests/fixtures/exporter-metrics.ts cites the file and version of every metric used here).
 *
 * Metrics and the labels they really carry:
 * - barman-cloud plugin v0.14.0 (`internal/cnpgi/instance/metrics.go`):
 *   `barman_cloud_cloudnative_pg_io_{last_available_backup,last_failed_backup}_timestamp`, no
 *   labels of their own (0 when the ObjectStore has no recovery window for the server); the
 *   instance manager exports them under exactly that name (cloudnative-pg v1.30.0
 *   `internal/cnpi/plugin/client/metrics.go`, `prometheus.NewDesc(element.FqName, ...)`).
 * - CloudNativePG v1.30.0: `cnpg_pg_stat_archiver_*` (`config/manager/default-monitoring.yaml`,
 *   primary only; `-1` when PostgreSQL has no such time) and
 *   `cnpg_collector_pg_wal_archive_status{value="ready"|"done"}`
 *   (`pkg/management/postgres/webserver/metricserver/pg_collector.go`).
 * - Longhorn v1.12.1 (`metrics_collector/volume_collector.go`): `longhorn_volume_robustness` is
 *   0/1 per `state` label (unknown, healthy, degraded, faulted), `longhorn_volume_last_backup_at`
 *   a Unix time (0 when never backed up); `backup_collector.go`: `longhorn_backup_state` 0-5
 *   (4 = Error).
 * - k3s (`pkg/etcd/snapshotmetrics/snapshotmetrics.go`, `pkg/util/metrics/metrics.go`):
 *   `k3s_etcd_snapshot_save_s3_duration_seconds` histogram with `status` success|error; k3s
 *   serves its metrics on every embedded component's endpoint (one registry per process,
 *   docs.k3s.io reference/metrics): read from the API server's (`job="apiserver"`).
 * - cert-manager (`pkg/metrics/certificates.go`): `certmanager_certificate_*{name,namespace,...}`.
 *   Scraped with honorLabels off, the Certificate's `namespace` arrives as `exported_namespace`
 *   (the target's own `namespace` is cert-manager); the rules put it back into `namespace`.
 * - cloudflared (`supervisor/metrics.go`): `cloudflared_tunnel_ha_connections`; node-exporter,
 *   kube-state-metrics (honorLabels on in kube-prometheus-stack), the blackbox exporter.
 */
import { REDIS } from "../data/redis-manifests";
import { commonLabels } from "../shared/labels";

type Obj = Record<string, unknown>;

/** Thresholds of the rules (from `monitoring.backupFreshness` and fixed limits). */
export interface AlertThresholds {
  readonly baseBackupHours: number;
  /** Longest a WAL segment may wait in pg_wal for the archiver. @default 15 */
  readonly walMinutes?: number;
  /** Longest without a successful etcd snapshot upload to R2. @default 13 */
  readonly etcdSnapshotHours?: number;
  /**
   * Whether k3s takes etcd snapshots to R2 (the program provisions the nodes); an existing
   * cluster has no snapshot metrics and gets no etcd rules. @default true
   */
  readonly etcdSnapshots?: boolean;
  /** Longest a backed-up Longhorn volume may go without a backup. @default 26 */
  readonly longhornBackupHours?: number;
  /** Namespaces holding a CloudNativePG cluster (their backup metrics must exist). @default ["data"] */
  readonly postgresNamespaces?: readonly string[];
  /** Node filesystem use that warns, in percent. @default 80 */
  readonly diskPercent?: number;
}

/** One alert rule. */
export interface AlertRule {
  readonly alert: string;
  readonly expr: string;
  readonly for: string;
  readonly severity: "critical" | "warning";
  readonly summary: string;
  /** What it means and what to do first. */
  readonly description: string;
}

const fs = 'fstype!~"tmpfs|overlay|squashfs|nsfs",mountpoint!~"/run.*|/var/lib/kubelet/.*"';

/**
 * The PVCs Longhorn backs up (the Redis data volumes, `data-<statefulset>-<ordinal>`, in the
 * recurring-job group volume-backup): only they are held to a backup age.
 */
export const LONGHORN_BACKED_UP_PVCS = `data-${REDIS.name}-[0-9]+`;

/** Longhorn's `longhorn_backup_state` value of a failed backup (backup_collector.go getBackupStateValue). */
export const LONGHORN_BACKUP_STATE_ERROR = 4;

/** The Certificate's own namespace, from cert-manager's `exported_namespace`, as `namespace`. */
const certNamespace = (expr: string) =>
  `label_replace(${expr}, "namespace", "$1", "exported_namespace", "(.+)")`;

/** Expressions shared by the alerts and the dashboard. */
export const SIGNALS = {
  /** Seconds since the newest base backup, per namespace. */
  baseBackupAge:
    "time() - max by (namespace) (barman_cloud_cloudnative_pg_io_last_available_backup_timestamp)",
  /** Percent used of each real node filesystem. */
  diskUsedPercent: `(1 - node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${fs}}) * 100`,
  /** Connections from cloudflared to Cloudflare's edge (0 when cloudflared reports none). */
  tunnelConnections: "max(cloudflared_tunnel_ha_connections) or vector(0)",
  /**
   * Longhorn volumes degraded or faulted (0 when none is). Not `unknown`: Longhorn sets that for
   * every detached volume that is not faulted (longhorn-manager v1.12.1 controller/
   * volume_controller.go 3213-3218 `closeVolumeDependentResources`), e.g. a StatefulSet scaled to 0.
   */
  longhornVolumesNotHealthy:
    'count(max by (volume) (longhorn_volume_robustness{state=~"degraded|faulted"}) == 1) or vector(0)',
  /** WAL segments waiting in pg_wal for the archiver, per instance. */
  walReady: 'max by (namespace, pod) (cnpg_collector_pg_wal_archive_status{value="ready"})',
} as const;

/** Every alert rule. */
export function alertRules(t: AlertThresholds): AlertRule[] {
  const disk = t.diskPercent ?? 80;
  const walSeconds = (t.walMinutes ?? 15) * 60;
  const etcdSeconds = (t.etcdSnapshotHours ?? 13) * 3600;
  const longhornSeconds = (t.longhornBackupHours ?? 26) * 3600;
  const pgNamespaces = t.postgresNamespaces?.length ? [...t.postgresNamespaces] : ["data"];
  const s3Uploads = 'k3s_etcd_snapshot_save_s3_duration_seconds_count{job="apiserver"';
  // k3s's uptime per API server instance: a counter increase needs the whole window to exist.
  const k3sUp = 'max by (instance) (time() - process_start_time_seconds{job="apiserver"})';
  // At least one upload with `status` in the last `window`. k3s's snapshot counters are children of
  // a HistogramVec by status (k3s pkg/etcd/snapshotmetrics/snapshotmetrics.go; pkg/util/metrics
  // ObserveWithStatus -> WithLabelValues(...).Observe): a child only exists after its first
  // observation, born with `_count` 1, and `increase()` has no sample before that. So a series that
  // exists now but did not `window` ago counts as an upload too (listed first: `or` keeps the left).
  // A Prometheus with less than `window` of history sees every series as new.
  const uploadedWithin = (status: string, window: string) =>
    `(sum by (instance) (${s3Uploads},status="${status}"}) unless on (instance) sum by (instance) (${s3Uploads},status="${status}"} offset ${window})) or sum by (instance) (increase(${s3Uploads},status="${status}"}[${window}]))`;
  const etcdRules = new Set(["EtcdSnapshotTooOld", "EtcdSnapshotUploadFailing"]);
  const rules: AlertRule[] = [
    {
      alert: "PostgresBaseBackupTooOld",
      expr: `${SIGNALS.baseBackupAge} > ${t.baseBackupHours * 3600}`,
      for: "15m",
      severity: "critical",
      summary: "The newest PostgreSQL base backup in R2 is older than {{ $value | humanizeDuration }}",
      description: `No base backup of the cluster in {{ $labels.namespace }} for more than ${t.baseBackupHours} h. Check the ScheduledBackup and the last Backup's status; see docs/runbooks/backup-freshness.md.`,
    },
    {
      alert: "PostgresBackupFailed",
      expr: "max by (namespace) (barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp) > max by (namespace) (barman_cloud_cloudnative_pg_io_last_available_backup_timestamp)",
      for: "5m",
      severity: "warning",
      summary: "The last PostgreSQL base backup failed",
      description:
        "The newest backup attempt in {{ $labels.namespace }} failed after the newest successful one. `kubectl -n {{ $labels.namespace }} get backup` shows the error.",
    },
    {
      alert: "PostgresBackupMetricsAbsent",
      // absent() keeps the equality matcher's label, so each namespace alerts on its own.
      expr: pgNamespaces
        .map(
          (ns) => `absent(barman_cloud_cloudnative_pg_io_last_available_backup_timestamp{namespace="${ns}"})`,
        )
        .join(" or "),
      for: "15m",
      severity: "critical",
      summary: "No PostgreSQL backup metrics from {{ $labels.namespace }}",
      description:
        "No instance in {{ $labels.namespace }} reports the barman-cloud plugin's backup metrics: the instance is down, its metrics port is unreachable or the plugin is not loaded. The backup alerts cannot fire while this one does. `kubectl -n {{ $labels.namespace }} get cluster,pods`.",
    },
    {
      alert: "PostgresWalArchivingFailing",
      expr: "max by (namespace, pod) (cnpg_pg_stat_archiver_last_failed_time) > max by (namespace, pod) (cnpg_pg_stat_archiver_last_archived_time)",
      for: "10m",
      severity: "critical",
      summary: "WAL archiving to R2 is failing",
      description:
        "{{ $labels.pod }} cannot archive WAL: point-in-time recovery stops at the last archived segment and pg_wal grows. Check the plugin sidecar's logs and the R2 credentials (`npm run r2:check`).",
    },
    {
      alert: "PostgresWalArchivingStalled",
      // Ready segments prove there is WAL to archive, so an idle database (no new WAL, nothing
      // ready) never fires; -1 is pg_stat_archiver's "never archived".
      expr: `${SIGNALS.walReady} > 0 and on (namespace, pod) (max by (namespace, pod) (cnpg_pg_stat_archiver_seconds_since_last_archival) > ${walSeconds} or max by (namespace, pod) (cnpg_pg_stat_archiver_seconds_since_last_archival) < 0)`,
      for: "10m",
      severity: "critical",
      summary: "WAL waits in pg_wal of {{ $labels.pod }} and nothing was archived for a while",
      description: `WAL segments are ready to archive but none reached R2 for more than ${walSeconds / 60} min (no failure reported: the archiver is stuck or slow). Point-in-time recovery stops at the last archived segment. Check the plugin sidecar's logs; see docs/runbooks/backup-freshness.md.`,
    },
    {
      alert: "LonghornVolumeDegraded",
      expr: 'max by (volume, pvc, pvc_namespace) (longhorn_volume_robustness{state="degraded"}) == 1',
      for: "10m",
      severity: "warning",
      summary: "Longhorn volume {{ $labels.volume }} is degraded",
      description:
        "A replica is missing; Longhorn rebuilds it when a node with room is available. With one node there is only one replica by design.",
    },
    {
      alert: "LonghornVolumeFaulted",
      expr: 'max by (volume, pvc, pvc_namespace) (longhorn_volume_robustness{state="faulted"}) == 1',
      for: "2m",
      severity: "critical",
      summary: "Longhorn volume {{ $labels.volume }} is faulted",
      description:
        "No healthy replica: the workload using it is down. Restore from the latest backup; see docs/runbooks/lost-node.md.",
    },
    {
      alert: "LonghornBackupFailed",
      expr: `max by (volume, backup) (longhorn_backup_state) == ${LONGHORN_BACKUP_STATE_ERROR}`,
      for: "5m",
      severity: "warning",
      summary: "Longhorn backup {{ $labels.backup }} of {{ $labels.volume }} failed",
      description:
        "The backup is in state Error. `kubectl -n longhorn-system describe backups.longhorn.io {{ $labels.backup }}` says why (backup target credentials, R2 reachability). Delete the failed Backup once a new one completed.",
    },
    {
      alert: "LonghornVolumeBackupTooOld",
      // 0 (never backed up) counts as infinitely old, but only once the PVC is older than the limit.
      expr: `time() - max by (volume, pvc, pvc_namespace) (longhorn_volume_last_backup_at{pvc=~"${LONGHORN_BACKED_UP_PVCS}"}) > ${longhornSeconds} and on (pvc, pvc_namespace) label_replace(label_replace(time() - kube_persistentvolumeclaim_created > ${longhornSeconds}, "pvc", "$1", "persistentvolumeclaim", "(.+)"), "pvc_namespace", "$1", "namespace", "(.+)")`,
      for: "30m",
      severity: "critical",
      summary:
        "Longhorn volume {{ $labels.pvc_namespace }}/{{ $labels.pvc }} has no backup newer than {{ $value | humanizeDuration }}",
      description: `No successful Longhorn backup of this volume for more than ${longhornSeconds / 3600} h (or none at all). Check the RecurringJob of the volume-backup group; see docs/runbooks/backup-freshness.md.`,
    },
    {
      alert: "EtcdSnapshotTooOld",
      // With the born-at-1 guard the threshold only needs to exceed the snapshot interval: a server
      // up for the threshold whose first snapshot since the restart is its only one does not fire.
      expr: `(${uploadedWithin("success", `${etcdSeconds}s`)} or ${k3sUp} * 0) == 0 and on (instance) ${k3sUp} > ${etcdSeconds}`,
      for: "15m",
      severity: "critical",
      summary: `No etcd snapshot reached R2 from {{ $labels.instance }} in the last ${etcdSeconds / 3600} h`,
      description: `k3s uploaded no etcd snapshot to R2 for ${etcdSeconds / 3600} h: after losing the server the cluster state would come back older than that. See docs/runbooks/backup-freshness.md (etcd snapshots).`,
    },
    {
      alert: "EtcdSnapshotUploadFailing",
      // Also the first failure after k3s started (the error series appears at 1).
      expr: `(${uploadedWithin("error", "1h")}) > 0`,
      for: "5m",
      severity: "warning",
      summary: "An etcd snapshot upload to R2 failed on {{ $labels.instance }}",
      description:
        "k3s took the snapshot but the S3 upload failed (credentials in /etc/default/k3s, R2 reachability). `journalctl -u k3s | grep -i s3` on the server; see docs/runbooks/backup-freshness.md.",
    },
    {
      alert: "NodeDiskAlmostFull",
      expr: `${SIGNALS.diskUsedPercent} > ${disk}`,
      for: "15m",
      severity: "warning",
      summary: "{{ $labels.instance }} {{ $labels.mountpoint }} is {{ $value | humanize }}% full",
      description: `Above ${disk}%: Longhorn stops scheduling replicas and PostgreSQL stops when the disk fills. Free space or add a node (docs/runbooks/add-node.md).`,
    },
    {
      alert: "CloudflaredNoConnection",
      expr: `(${SIGNALS.tunnelConnections}) < 1`,
      for: "5m",
      severity: "critical",
      summary: "cloudflared has no connection to Cloudflare",
      description:
        "The tunnel is the only way in: every hostname is down. Check `kubectl -n cloudflare-tunnel logs deploy/cloudflared` and the tunnel token.",
    },
    {
      alert: "JanuaNotReady",
      expr: 'max by (namespace) (kube_deployment_status_replicas_available{deployment="janua"}) < 1',
      for: "5m",
      severity: "critical",
      summary: "Janua in {{ $labels.namespace }} has no ready replica",
      description:
        "Sign-in and token validation fail for everyone using this Janua. Check its pods' readiness probe and its database and Redis.",
    },
    {
      alert: "CertificateNotReady",
      expr: certNamespace(
        'max by (exported_namespace, name) (certmanager_certificate_ready_status{condition="True"}) == 0',
      ),
      for: "15m",
      severity: "warning",
      summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready",
      description:
        "cert-manager could not issue or renew it. `kubectl -n {{ $labels.namespace }} describe certificate {{ $labels.name }}`.",
    },
    {
      alert: "CertificateExpiringSoon",
      // 0 is "no certificate issued yet" (certificates.go updateCertificateExpiry): CertificateNotReady's case.
      expr: certNamespace(
        "min by (exported_namespace, name) (certmanager_certificate_expiration_timestamp_seconds > 0) - time() < 14 * 86400",
      ),
      for: "1h",
      severity: "warning",
      summary:
        "Certificate {{ $labels.namespace }}/{{ $labels.name }} expires in {{ $value | humanizeDuration }}",
      description:
        "cert-manager renews a third of the lifetime ahead (30 days for the default 90): one this close to expiry means renewal is stuck. `kubectl -n {{ $labels.namespace }} describe certificate {{ $labels.name }}` and the cert-manager logs.",
    },
    {
      alert: "PublicHostnameDown",
      expr: 'max by (instance) (probe_success{probe_kind="platform"}) == 0',
      for: "5m",
      severity: "critical",
      summary: "{{ $labels.instance }} does not answer through Cloudflare",
      description:
        "The probe from the cluster out through Cloudflare and back through the tunnel fails (DNS, certificate or a 5xx from the edge). Check CloudflaredNoConnection first, then the service behind the route.",
    },
    {
      alert: "CustomHostnameNotActive",
      expr: 'max by (instance) (probe_success{probe_kind="custom"}) == 0',
      for: "30m",
      severity: "warning",
      summary: "Custom hostname {{ $labels.instance }} is not active",
      description:
        "The tenant's domain does not resolve to the zone, its Cloudflare for SaaS validation is pending or its certificate is not issued. `pulumi stack output customHostnames` lists the records the tenant must create.",
    },
    {
      alert: "EdgeCertificateExpiringSoon",
      expr: "min by (instance) (probe_ssl_earliest_cert_expiry) - time() < 14 * 86400",
      for: "1h",
      severity: "warning",
      summary: "The certificate of {{ $labels.instance }} expires in {{ $value | humanizeDuration }}",
      description:
        "Cloudflare renews edge certificates 30 days ahead; one this close to expiry means renewal is stuck (often a custom hostname whose DNS moved away).",
    },
  ];
  return t.etcdSnapshots === false ? rules.filter((r) => !etcdRules.has(r.alert)) : rules;
}

/** The rules as one `PrometheusRule` (picked up by the operator's default rule selector). */
export function renderPrometheusRule(rules: readonly AlertRule[], namespace: string): Obj {
  return {
    apiVersion: "monitoring.coreos.com/v1",
    kind: "PrometheusRule",
    metadata: {
      name: "enclii-alerts",
      namespace,
      labels: {
        ...commonLabels({ name: "enclii-alerts", component: "alerts" }),
        release: "kube-prometheus-stack",
      },
    },
    spec: {
      groups: [
        {
          name: "enclii",
          rules: rules.map((r) => ({
            alert: r.alert,
            expr: r.expr,
            for: r.for,
            labels: { severity: r.severity },
            annotations: { summary: r.summary, description: r.description },
          })),
        },
      ],
    },
  };
}
