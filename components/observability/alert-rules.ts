/**
 * The alert rules of the monitoring stack, as data and as a `PrometheusRule`. Pure: the
 * Monitoring component deploys what this renders, the runbook documents the same list, and tests
 * parse every expression with Prometheus's own PromQL grammar.
 *
 * Metrics: barman-cloud plugin (`barman_cloud_cloudnative_pg_io_*`), CloudNativePG's
 * `pg_stat_archiver` collector (`cnpg_pg_stat_archiver_*`), Longhorn (`longhorn_volume_robustness`:
 * 1 healthy, 2 degraded, 3 faulted), node-exporter, cloudflared (`cloudflared_tunnel_ha_connections`),
 * kube-state-metrics, cert-manager (`certmanager_certificate_ready_status`), the blackbox exporter's
 * probes of the public hostnames (`probe_success`, `probe_ssl_earliest_cert_expiry`).
 */
import { commonLabels } from "../shared/labels";

type Obj = Record<string, unknown>;

/** Thresholds of the rules (from `monitoring.backupFreshness` and fixed limits). */
export interface AlertThresholds {
  readonly baseBackupHours: number;
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

/** Expressions shared by the alerts and the dashboard. */
export const SIGNALS = {
  /** Seconds since the newest base backup, per namespace. */
  baseBackupAge:
    "time() - max by (namespace) (barman_cloud_cloudnative_pg_io_last_available_backup_timestamp)",
  /** Percent used of each real node filesystem. */
  diskUsedPercent: `(1 - node_filesystem_avail_bytes{${fs}} / node_filesystem_size_bytes{${fs}}) * 100`,
  /** Connections from cloudflared to Cloudflare's edge (0 when cloudflared reports none). */
  tunnelConnections: "max(cloudflared_tunnel_ha_connections) or vector(0)",
} as const;

/** Every alert rule. */
export function alertRules(t: AlertThresholds): AlertRule[] {
  const disk = t.diskPercent ?? 80;
  return [
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
      alert: "PostgresWalArchivingFailing",
      expr: "max by (namespace, pod) (cnpg_pg_stat_archiver_last_failed_time) > max by (namespace, pod) (cnpg_pg_stat_archiver_last_archived_time)",
      for: "10m",
      severity: "critical",
      summary: "WAL archiving to R2 is failing",
      description:
        "{{ $labels.pod }} cannot archive WAL: point-in-time recovery stops at the last archived segment and pg_wal grows. Check the plugin sidecar's logs and the R2 credentials (`npm run r2:check`).",
    },
    {
      alert: "LonghornVolumeDegraded",
      expr: "max by (volume) (longhorn_volume_robustness) == 2",
      for: "10m",
      severity: "warning",
      summary: "Longhorn volume {{ $labels.volume }} is degraded",
      description:
        "A replica is missing; Longhorn rebuilds it when a node with room is available. With one node there is only one replica by design.",
    },
    {
      alert: "LonghornVolumeFaulted",
      expr: "max by (volume) (longhorn_volume_robustness) == 3",
      for: "2m",
      severity: "critical",
      summary: "Longhorn volume {{ $labels.volume }} is faulted",
      description:
        "No healthy replica: the workload using it is down. Restore from the latest backup; see docs/runbooks/lost-node.md.",
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
      expr: 'max by (namespace, name) (certmanager_certificate_ready_status{condition="True"}) == 0',
      for: "15m",
      severity: "warning",
      summary: "Certificate {{ $labels.namespace }}/{{ $labels.name }} is not ready",
      description:
        "cert-manager could not issue or renew it. `kubectl -n {{ $labels.namespace }} describe certificate {{ $labels.name }}`.",
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
