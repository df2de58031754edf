/**
 * The "Enclii platform" Grafana dashboard: the signals the alerts watch (backups, WAL archiving,
 * Longhorn, disk, the tunnel, Janua) plus traffic and load, on one page. Pure; shipped as a
 * ConfigMap the Grafana sidecar loads (label `grafana_dashboard`). The chart's own dashboards
 * cover nodes, pods and the Kubernetes objects.
 */
import { commonLabels } from "../shared/labels";
import { SIGNALS } from "./alert-rules";

type Obj = Record<string, unknown>;

/** One panel: a title, a unit and PromQL queries with their legends. */
export interface DashboardPanel {
  readonly title: string;
  readonly kind: "stat" | "timeseries";
  /** Grafana unit id (`s`, `percent`, `bytes`, `reqps`, `short`). */
  readonly unit: string;
  readonly queries: readonly { readonly expr: string; readonly legend: string }[];
  /** Value at which the panel turns red (the alert's threshold). */
  readonly red?: number;
  readonly description: string;
}

/** Options of {@link dashboardPanels}. */
export interface DashboardOptions {
  /** The base backup alert's threshold, in hours. */
  readonly baseBackupHours: number;
  /** The disk alert's threshold, in percent. @default 80 */
  readonly diskPercent?: number;
}

/** The panels, top to bottom. */
export function dashboardPanels(o: DashboardOptions): DashboardPanel[] {
  return [
    {
      title: "Firing alerts",
      kind: "stat",
      unit: "short",
      queries: [
        {
          expr: 'count(ALERTS{alertstate="firing",alertname!~"Watchdog|InfoInhibitor"}) or vector(0)',
          legend: "firing",
        },
      ],
      red: 1,
      description: "Alerts firing now (docs/runbooks/alerts.md says what each means).",
    },
    {
      title: "Newest base backup age",
      kind: "stat",
      unit: "s",
      queries: [
        {
          expr: SIGNALS.baseBackupAge,
          legend: "{{namespace}}",
        },
      ],
      red: o.baseBackupHours * 3600,
      description: "Age of the newest base backup in R2 per PostgreSQL cluster.",
    },
    {
      title: "Time since the last archived WAL segment",
      kind: "timeseries",
      unit: "s",
      queries: [
        {
          expr: "time() - max by (namespace, pod) (cnpg_pg_stat_archiver_last_archived_time)",
          legend: "{{pod}}",
        },
      ],
      description: "Grows without bound when WAL archiving to R2 fails (point-in-time recovery stops there).",
    },
    {
      title: "Longhorn volumes not healthy",
      kind: "stat",
      unit: "short",
      // Longhorn 1.12 exports one 0/1 series per robustness state (volume_collector.go).
      queries: [{ expr: SIGNALS.longhornVolumesNotHealthy, legend: "volumes" }],
      red: 1,
      description:
        "Volumes whose robustness is degraded or faulted (0 when none is). Detached volumes report unknown and are not counted.",
    },
    {
      title: "Node disk used",
      kind: "timeseries",
      unit: "percent",
      queries: [
        {
          expr: SIGNALS.diskUsedPercent,
          legend: "{{instance}} {{mountpoint}}",
        },
      ],
      red: o.diskPercent ?? 80,
      description: "Filesystems of the nodes (Longhorn's data lives on /var/lib/longhorn).",
    },
    {
      title: "Tunnel connections",
      kind: "stat",
      unit: "short",
      queries: [{ expr: SIGNALS.tunnelConnections, legend: "connections" }],
      description: "Connections from cloudflared to Cloudflare's edge (4 per healthy replica).",
    },
    {
      title: "Requests through the tunnel",
      kind: "timeseries",
      unit: "reqps",
      queries: [
        { expr: "sum(rate(cloudflared_tunnel_total_requests[5m]))", legend: "requests" },
        { expr: "sum(rate(cloudflared_tunnel_request_errors[5m]))", legend: "errors" },
      ],
      description: "Every request to every hostname passes through cloudflared.",
    },
    {
      title: "Janua ready replicas",
      kind: "stat",
      unit: "short",
      queries: [
        {
          expr: 'max by (namespace) (kube_deployment_status_replicas_available{deployment="janua"})',
          legend: "{{namespace}}",
        },
      ],
      description: "Ready Janua pods per namespace (shared and dedicated).",
    },
    {
      title: "PostgreSQL connections",
      kind: "timeseries",
      unit: "short",
      queries: [
        { expr: "sum by (namespace, datname) (cnpg_backends_total)", legend: "{{namespace}}/{{datname}}" },
      ],
      description: "Backends per database.",
    },
    {
      title: "Redis memory",
      kind: "timeseries",
      unit: "bytes",
      queries: [
        { expr: "max by (namespace, pod) (redis_memory_used_bytes)", legend: "{{namespace}}/{{pod}} used" },
        { expr: "max by (namespace, pod) (redis_memory_max_bytes)", legend: "{{namespace}}/{{pod}} max" },
      ],
      description: "Used against maxmemory (noeviction: writes fail when they meet).",
    },
  ];
}

/** Grafana dashboard JSON (schema 39) from the panels. */
export function renderDashboard(o: DashboardOptions): Obj {
  const datasource = { type: "prometheus", uid: "${datasource}" };
  const panels = dashboardPanels(o).map((p, i) => ({
    id: i + 1,
    title: p.title,
    description: p.description,
    type: p.kind,
    datasource,
    gridPos: { h: 8, w: 12, x: (i % 2) * 12, y: Math.floor(i / 2) * 8 },
    fieldConfig: {
      defaults: {
        unit: p.unit,
        thresholds: {
          mode: "absolute",
          steps: [
            { color: "green", value: null },
            ...(p.red !== undefined ? [{ color: "red", value: p.red }] : []),
          ],
        },
      },
      overrides: [],
    },
    targets: p.queries.map((q, j) => ({
      refId: String.fromCharCode(65 + j),
      datasource,
      expr: q.expr,
      legendFormat: q.legend,
    })),
  }));
  return {
    uid: "enclii-platform",
    title: "Enclii platform",
    tags: ["enclii"],
    editable: false,
    schemaVersion: 39,
    time: { from: "now-24h", to: "now" },
    refresh: "1m",
    templating: {
      list: [{ name: "datasource", type: "datasource", query: "prometheus", label: "Data source", hide: 0 }],
    },
    panels,
  };
}

/** The dashboard as the ConfigMap the Grafana sidecar picks up. */
export function renderDashboardConfigMap(namespace: string, o: DashboardOptions): Obj {
  return {
    apiVersion: "v1",
    kind: "ConfigMap",
    metadata: {
      name: "enclii-platform-dashboard",
      namespace,
      labels: {
        ...commonLabels({ name: "enclii-platform-dashboard", component: "monitoring" }),
        grafana_dashboard: "1",
      },
    },
    data: { "enclii-platform.json": JSON.stringify(renderDashboard(o), null, 2) },
  };
}
