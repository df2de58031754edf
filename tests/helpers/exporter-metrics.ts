/**
 * What each exporter the alert rules read really exposes: lines of its `/metrics` output written
 * from its upstream source (file and version cited per exporter), and the labels the Prometheus
 * operator's scrape adds (target labels; with `honorLabels` off a scraped label that collides
 * with a target label is renamed `exported_<name>`, Prometheus `scrape/scrape.go` mutateSampleLabels).
 * The alert-rule tests check every selector of every rule against these series and build their
 * promtool inputs from them.
 */

/** One scrape: the exporter's exposition lines and the labels its monitor adds. */
export interface ExporterFixture {
  /** Upstream file(s) and version the lines follow. */
  readonly source: string;
  /** Target labels added by the ServiceMonitor/PodMonitor/Probe (and `job`, relabelled to the platform's name). */
  readonly target: Readonly<Record<string, string>>;
  /** kube-state-metrics: kube-prometheus-stack scrapes it with honorLabels on. */
  readonly honorLabels?: boolean;
  /** Exposition lines (`name{labels} value`); HELP/TYPE lines are kept for the reader. */
  readonly exposition: string;
}

export const EXPORTERS: Readonly<Record<string, ExporterFixture>> = {
  barmanCloudPlugin: {
    source:
      "cloudnative-pg/plugin-barman-cloud v0.14.0 internal/cnpgi/instance/metrics.go (metric names from the plugin name " +
      "barman-cloud.cloudnative-pg.io, no variable labels, 0 without a recovery window); exported by the instance " +
      "manager as-is: cloudnative-pg v1.30.0 internal/cnpi/plugin/client/metrics.go prometheus.NewDesc(element.FqName, ...)",
    target: {
      namespace: "data",
      pod: "postgres-1",
      container: "postgres",
      endpoint: "metrics",
      job: "cnpg",
      instance: "10.42.0.21:9187",
    },
    exposition: `# HELP barman_cloud_cloudnative_pg_io_first_recoverability_point The first point of recoverability for the cluster as a unix timestamp
# TYPE barman_cloud_cloudnative_pg_io_first_recoverability_point gauge
barman_cloud_cloudnative_pg_io_first_recoverability_point 1.7636e+09
# HELP barman_cloud_cloudnative_pg_io_last_available_backup_timestamp The last available backup as a unix timestamp
# TYPE barman_cloud_cloudnative_pg_io_last_available_backup_timestamp gauge
barman_cloud_cloudnative_pg_io_last_available_backup_timestamp 1.7637804e+09
# HELP barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp The last failed backup as a unix timestamp
# TYPE barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp gauge
barman_cloud_cloudnative_pg_io_last_failed_backup_timestamp 0`,
  },
  cnpg: {
    source:
      "cloudnative-pg/cloudnative-pg v1.30.0 config/manager/default-monitoring.yaml (pg_stat_archiver, primary only, " +
      "-1 when NULL) and pkg/management/postgres/webserver/metricserver/pg_collector.go " +
      "(cnpg_collector_pg_wal_archive_status{value=ready|done})",
    target: {
      namespace: "data",
      pod: "postgres-1",
      container: "postgres",
      endpoint: "metrics",
      job: "cnpg",
      instance: "10.42.0.21:9187",
    },
    exposition: `# TYPE cnpg_pg_stat_archiver_archived_count counter
cnpg_pg_stat_archiver_archived_count 4211
# TYPE cnpg_pg_stat_archiver_failed_count counter
cnpg_pg_stat_archiver_failed_count 0
# TYPE cnpg_pg_stat_archiver_seconds_since_last_archival gauge
cnpg_pg_stat_archiver_seconds_since_last_archival 212.5
# TYPE cnpg_pg_stat_archiver_seconds_since_last_failure gauge
cnpg_pg_stat_archiver_seconds_since_last_failure -1
# TYPE cnpg_pg_stat_archiver_last_archived_time gauge
cnpg_pg_stat_archiver_last_archived_time 1.7637862e+09
# TYPE cnpg_pg_stat_archiver_last_failed_time gauge
cnpg_pg_stat_archiver_last_failed_time -1
# TYPE cnpg_collector_pg_wal_archive_status gauge
cnpg_collector_pg_wal_archive_status{value="ready"} 0
cnpg_collector_pg_wal_archive_status{value="done"} 3`,
  },
  longhorn: {
    source:
      "longhorn/longhorn-manager v1.12.1 metrics_collector/volume_collector.go (robustness 0/1 per state: unknown, " +
      "healthy, degraded, faulted; last_backup_at Unix time or 0), backup_collector.go (longhorn_backup_state 0 New, " +
      "1 Pending, 2 InProgress, 3 Completed, 4 Error, 5 Unknown), types.go (label names)",
    target: {
      namespace: "longhorn-system",
      service: "longhorn-backend",
      pod: "longhorn-manager-x7k2p",
      container: "longhorn-manager",
      endpoint: "manager",
      job: "longhorn",
      instance: "10.42.0.9:9500",
    },
    exposition: `# HELP longhorn_volume_robustness Robustness of this volume
# TYPE longhorn_volume_robustness gauge
longhorn_volume_robustness{node="ax41-fsn1-1",pvc="data-redis-0",pvc_namespace="data",state="unknown",volume="pvc-3fa1"} 0
longhorn_volume_robustness{node="ax41-fsn1-1",pvc="data-redis-0",pvc_namespace="data",state="healthy",volume="pvc-3fa1"} 1
longhorn_volume_robustness{node="ax41-fsn1-1",pvc="data-redis-0",pvc_namespace="data",state="degraded",volume="pvc-3fa1"} 0
longhorn_volume_robustness{node="ax41-fsn1-1",pvc="data-redis-0",pvc_namespace="data",state="faulted",volume="pvc-3fa1"} 0
# HELP longhorn_volume_last_backup_at Unix timestamp of the last successful backup of this volume, or 0 if no such backup exists
# TYPE longhorn_volume_last_backup_at gauge
longhorn_volume_last_backup_at{node="ax41-fsn1-1",pvc="data-redis-0",pvc_namespace="data",volume="pvc-3fa1"} 1.7637732e+09
# HELP longhorn_backup_state State of this backup
# TYPE longhorn_backup_state gauge
longhorn_backup_state{backup="backup-5d1c0e2a",recurring_job="volume-backup",volume="pvc-3fa1"} 3`,
  },
  k3sApiserver: {
    source:
      "k3s-io/k3s pkg/etcd/snapshotmetrics/snapshotmetrics.go (histograms labelled status) and " +
      "pkg/util/metrics/metrics.go ObserveWithStatus (success|error); every k3s metrics endpoint serves the process's " +
      "one registry (docs.k3s.io reference/metrics), scraped here through kube-prometheus-stack's apiserver monitor",
    target: {
      namespace: "default",
      service: "kubernetes",
      endpoint: "https",
      job: "apiserver",
      instance: "10.0.0.2:6443",
    },
    exposition: `# TYPE k3s_etcd_snapshot_save_s3_duration_seconds histogram
k3s_etcd_snapshot_save_s3_duration_seconds_count{status="success"} 4
k3s_etcd_snapshot_save_s3_duration_seconds_sum{status="success"} 3.2
k3s_etcd_snapshot_save_s3_duration_seconds_count{status="error"} 0
k3s_etcd_snapshot_save_s3_duration_seconds_sum{status="error"} 0
# TYPE process_start_time_seconds gauge
process_start_time_seconds 1.7637e+09`,
  },
  certManager: {
    source:
      "cert-manager/cert-manager pkg/metrics/certificates.go (v1.20 line: ready_status per condition True/False/Unknown, " +
      "expiration 0 before the first issuance; labels name, namespace, issuer_name, issuer_kind, issuer_group)",
    target: {
      namespace: "cert-manager",
      service: "cert-manager",
      pod: "cert-manager-6d9f8c7b5-q2x8w",
      container: "cert-manager-controller",
      endpoint: "tcp-prometheus-servicemonitor",
      job: "cert-manager",
      instance: "10.42.0.12:9402",
    },
    exposition: `# TYPE certmanager_certificate_ready_status gauge
certmanager_certificate_ready_status{condition="True",issuer_group="cert-manager.io",issuer_kind="Issuer",issuer_name="selfsigned-issuer",name="barman-cloud-server",namespace="cnpg-system"} 1
certmanager_certificate_ready_status{condition="False",issuer_group="cert-manager.io",issuer_kind="Issuer",issuer_name="selfsigned-issuer",name="barman-cloud-server",namespace="cnpg-system"} 0
certmanager_certificate_ready_status{condition="Unknown",issuer_group="cert-manager.io",issuer_kind="Issuer",issuer_name="selfsigned-issuer",name="barman-cloud-server",namespace="cnpg-system"} 0
# TYPE certmanager_certificate_expiration_timestamp_seconds gauge
certmanager_certificate_expiration_timestamp_seconds{issuer_group="cert-manager.io",issuer_kind="Issuer",issuer_name="selfsigned-issuer",name="barman-cloud-server",namespace="cnpg-system"} 1.7714e+09`,
  },
  cloudflared: {
    source:
      "cloudflare/cloudflared supervisor/metrics.go (haConnections: namespace cloudflared, subsystem tunnel, no labels)",
    target: {
      namespace: "cloudflare-tunnel",
      pod: "cloudflared-7c9d5f6b8-m4n2p",
      container: "cloudflared",
      endpoint: "metrics",
      job: "cloudflared",
      instance: "10.42.0.30:2000",
    },
    exposition: `# HELP cloudflared_tunnel_ha_connections Number of active ha connections
# TYPE cloudflared_tunnel_ha_connections gauge
cloudflared_tunnel_ha_connections 4`,
  },
  kubeStateMetrics: {
    source:
      "kubernetes/kube-state-metrics docs/metrics/workload/deployment-metrics.md and " +
      "docs/metrics/storage/persistentvolumeclaim-metrics.md (kube_persistentvolumeclaim_created, experimental)",
    target: {
      namespace: "monitoring",
      service: "kube-prometheus-stack-kube-state-metrics",
      pod: "kube-prometheus-stack-kube-state-metrics-5b7f9-xk2lp",
      container: "kube-state-metrics",
      endpoint: "http",
      job: "kube-state-metrics",
      instance: "10.42.0.14:8080",
    },
    honorLabels: true,
    exposition: `kube_deployment_status_replicas_available{deployment="janua",namespace="janua"} 2
kube_persistentvolumeclaim_created{namespace="data",persistentvolumeclaim="data-redis-0"} 1.7630e+09`,
  },
  nodeExporter: {
    source: "prometheus/node_exporter collector/filesystem_common.go (device, fstype, mountpoint)",
    target: {
      namespace: "monitoring-node",
      service: "kube-prometheus-stack-prometheus-node-exporter",
      pod: "kube-prometheus-stack-prometheus-node-exporter-8xq4m",
      container: "node-exporter",
      endpoint: "http-metrics",
      job: "node-exporter",
      instance: "10.0.0.2:9100",
    },
    exposition: `node_filesystem_avail_bytes{device="/dev/md2",fstype="ext4",mountpoint="/"} 3.1e+11
node_filesystem_size_bytes{device="/dev/md2",fstype="ext4",mountpoint="/"} 4.8e+11
node_filesystem_avail_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 1.0e+06
node_filesystem_size_bytes{device="tmpfs",fstype="tmpfs",mountpoint="/run"} 6.7e+09`,
  },
  blackbox: {
    source:
      "prometheus/blackbox_exporter prober/handler.go (probe_success) and prober/http.go " +
      "(probe_ssl_earliest_cert_expiry); target labels from components/observability/probes.ts (probe_kind)",
    target: {
      namespace: "monitoring",
      job: "platform-hostnames",
      instance: "https://auth.example.com/",
      probe_kind: "platform",
    },
    exposition: `probe_success 1
probe_ssl_earliest_cert_expiry 1.7714e+09`,
  },
};

/** A series as Prometheus stores it after the scrape. */
export interface ScrapedSeries {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly exporter: string;
}

/** Parses `name{a="b",...} value` lines (HELP/TYPE skipped). */
export function parseExposition(text: string): { name: string; labels: Record<string, string> }[] {
  return text
    .split("\n")
    .filter((l) => l.trim() !== "" && !l.startsWith("#"))
    .map((line) => {
      const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+\S+$/.exec(line.trim());
      if (!m) throw new Error(`not an exposition line: ${line}`);
      const labels: Record<string, string> = {};
      for (const [, k, v] of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="([^"]*)"/g))
        labels[k as string] = v as string;
      return { name: m[1] as string, labels };
    });
}

/** Every series of every exporter with its target labels applied (collisions renamed unless honorLabels). */
export function scrapedSeries(): ScrapedSeries[] {
  return Object.entries(EXPORTERS).flatMap(([exporter, f]) =>
    parseExposition(f.exposition).map(({ name, labels }) => {
      const out: Record<string, string> = { ...f.target };
      for (const [k, v] of Object.entries(labels)) {
        if (k in f.target && !f.honorLabels) out[`exported_${k}`] = v;
        else out[k] = v;
      }
      return { name, labels: out, exporter };
    }),
  );
}

/**
 * A promtool input series: the scraped series of `name` whose labels include `match`, with
 * `overrides` applied (e.g. another namespace). Throws when the exporters expose no such series,
 * so a test cannot feed a rule a metric or label the exporter does not have.
 */
export function series(
  name: string,
  match: Readonly<Record<string, string>> = {},
  overrides: Readonly<Record<string, string>> = {},
): string {
  const found = scrapedSeries().find(
    (s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v),
  );
  if (!found) throw new Error(`no exporter fixture exposes ${name} with ${JSON.stringify(match)}`);
  for (const k of Object.keys(overrides))
    if (!(k in found.labels)) throw new Error(`${name} (${found.exporter}) has no label ${k}`);
  const labels = { ...found.labels, ...overrides };
  const body = Object.entries(labels)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}="${v}"`)
    .join(",");
  return `${name}{${body}}`;
}
