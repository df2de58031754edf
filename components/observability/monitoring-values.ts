/**
 * Values of the kube-prometheus-stack chart, sized for one AX41 (6 cores, 64 GB) and still
 * comfortable on a CPX31: one Prometheus with its retention and a Longhorn volume from the stack
 * config, one Alertmanager, Grafana behind Cloudflare Access, node-exporter and
 * kube-state-metrics. Pure.
 *
 * k3s runs the scheduler, controller manager and proxy inside the k3s binary without metrics
 * endpoints Prometheus could reach, and embedded etcd without exposed metrics: their monitors
 * and rules are off (otherwise they fire `TargetDown` forever).
 */
import { quantityToGiB } from "../cost/estimate";
import { commonLabels } from "../shared/labels";
import { type AlertmanagerConfigOptions, renderAlertmanagerConfig } from "./alertmanager-config";

type Obj = Record<string, unknown>;

/** Stable names of what the chart creates (independent of the Pulumi resource name). */
export const MONITORING = {
  fullname: "kube-prometheus-stack",
  grafana: "grafana",
  grafanaPort: 3000,
  grafanaAdminSecret: "grafana-admin",
  /**
   * The Role Grafana's sidecars run with (bound by the chart's RoleBinding through
   * `rbac.useExistingRole`): ConfigMaps of the monitoring namespace, nothing else.
   */
  grafanaSidecarRole: "grafana-sidecar",
  receiversSecret: "alertmanager-receivers",
  prometheusPort: 9090,
  /** The operator's admission webhook (called by the API server from the node address). */
  operatorWebhookPort: 10250,
} as const;

/** Container requests and limits of each part (the capacity model sums the requests). */
export const MONITORING_RESOURCES = {
  prometheus: { requests: { cpu: "250m", memory: "1Gi" }, limits: { cpu: "1500m", memory: "3Gi" } },
  alertmanager: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
  operator: { requests: { cpu: "50m", memory: "64Mi" }, limits: { cpu: "300m", memory: "256Mi" } },
  grafana: { requests: { cpu: "50m", memory: "192Mi" }, limits: { cpu: "500m", memory: "512Mi" } },
  grafanaSidecar: { requests: { cpu: "10m", memory: "48Mi" }, limits: { cpu: "100m", memory: "128Mi" } },
  kubeStateMetrics: { requests: { cpu: "20m", memory: "64Mi" }, limits: { cpu: "200m", memory: "256Mi" } },
  /** The blackbox exporter probing the public hostnames. */
  blackbox: { requests: { cpu: "10m", memory: "32Mi" }, limits: { cpu: "200m", memory: "128Mi" } },
  /** Per node (DaemonSet). */
  nodeExporter: { requests: { cpu: "20m", memory: "32Mi" }, limits: { cpu: "200m", memory: "96Mi" } },
} as const;

/** Options of {@link monitoringValues}. */
export interface MonitoringValuesOptions {
  /** Prometheus retention, e.g. `15d`. */
  readonly retention: string;
  /** Size of the Prometheus volume, e.g. `50Gi`. */
  readonly storageSize: string;
  /** @default "longhorn" */
  readonly storageClass?: string;
  /** Public hostname of Grafana (behind Cloudflare Access). */
  readonly grafanaHostname: string;
  /** Alertmanager receivers. */
  readonly alerting: AlertmanagerConfigOptions;
  /** Scrape and rule evaluation interval. @default "30s" */
  readonly interval?: string;
  /**
   * The namespace the chart is installed in: Grafana's sidecars read ConfigMaps there and only
   * there (the platform dashboard, the chart's dashboards and its datasource). @default "monitoring"
   */
  readonly namespace?: string;
  /**
   * Where node-exporter runs: its own `privileged` namespace, so that `monitoring` is `restricted`
   * (components/k3s/platform-namespaces.ts). @default "monitoring-node"
   */
  readonly nodeExporterNamespace?: string;
}

/**
 * Prometheus stops at 85 % of its volume so compaction never fills the disk; the retention time
 * applies first when it is shorter.
 */
export function retentionSize(storageSize: string): string {
  const gib = quantityToGiB(storageSize);
  if (gib <= 0) throw new Error(`monitoring.storageSize ${storageSize}: must be a quantity such as 50Gi`);
  return gib >= 4 ? `${Math.floor(gib * 0.85)}GB` : `${Math.floor(gib * 1024 * 0.85)}MB`;
}

const volume = (storageClass: string, size: string) => ({
  volumeClaimTemplate: {
    spec: {
      storageClassName: storageClass,
      accessModes: ["ReadWriteOnce"],
      resources: { requests: { storage: size } },
    },
  },
});

/** The chart values. */
export function monitoringValues(o: MonitoringValuesOptions): Obj {
  const storageClass = o.storageClass ?? "longhorn";
  const interval = o.interval ?? "30s";
  const namespace = o.namespace ?? "monitoring";
  const r = MONITORING_RESOURCES;
  return {
    fullnameOverride: MONITORING.fullname,
    crds: { enabled: true },
    defaultRules: {
      create: true,
      rules: {
        etcd: false,
        kubeControllerManager: false,
        kubeProxy: false,
        kubeSchedulerAlerting: false,
        kubeSchedulerRecording: false,
      },
    },
    kubeEtcd: { enabled: false },
    kubeControllerManager: { enabled: false },
    kubeScheduler: { enabled: false },
    kubeProxy: { enabled: false },
    prometheusOperator: {
      resources: r.operator,
      // Certificates for the admission webhook from cert-manager instead of the chart's hook Jobs.
      admissionWebhooks: { certManager: { enabled: true } },
    },
    prometheus: {
      prometheusSpec: {
        replicas: 1,
        retention: o.retention,
        retentionSize: retentionSize(o.storageSize),
        walCompression: true,
        scrapeInterval: interval,
        evaluationInterval: interval,
        resources: r.prometheus,
        storageSpec: volume(storageClass, o.storageSize),
        // Pick up every monitor and rule in the cluster, not only those labelled for this release.
        serviceMonitorSelectorNilUsesHelmValues: false,
        podMonitorSelectorNilUsesHelmValues: false,
        ruleSelectorNilUsesHelmValues: false,
        probeSelectorNilUsesHelmValues: false,
        scrapeConfigSelectorNilUsesHelmValues: false,
      },
    },
    alertmanager: {
      config: renderAlertmanagerConfig(o.alerting),
      alertmanagerSpec: {
        replicas: 1,
        retention: "120h",
        resources: r.alertmanager,
        storage: volume(storageClass, "1Gi"),
        // Mounted at /etc/alertmanager/secrets/<name>/: the SMTP password and webhook URL files.
        secrets: [o.alerting.secretName],
      },
    },
    grafana: {
      fullnameOverride: MONITORING.grafana,
      admin: {
        existingSecret: MONITORING.grafanaAdminSecret,
        userKey: "admin-user",
        passwordKey: "admin-password",
      },
      persistence: {
        enabled: true,
        storageClassName: storageClass,
        size: "2Gi",
        accessModes: ["ReadWriteOnce"],
      },
      // The data volume is owned through fsGroup; no root init container.
      initChownData: { enabled: false },
      // PodSecurity `restricted`: the chart's pod securityContext (grafana 12.11.1 values.yaml
      // 159-163) has runAsNonRoot but no seccompProfile, which it leaves to each container
      // (containerSecurityContext 165-172, sidecar.securityContext 1055-1061). Set on the pod too,
      // so a container added later without one still passes. Helm merges this into the chart's map.
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      // A helm test Pod would become an ordinary resource under helm.v4.Chart.
      testFramework: { enabled: false },
      resources: r.grafana,
      // Namespaced RBAC, no cluster-wide Secret reads (grafana-community/helm-charts grafana
      // 12.11.1, the chart kube-prometheus-stack 88.5.3 depends on; the pinned 92.9.0 could not be
      // read here). templates/clusterrole.yaml and clusterrolebinding.yaml render only when
      // `rbac.namespaced` is false or `extraClusterRoleRules` is set (line 1); templates/role.yaml
      // lines 15-21 would grant configmaps AND secrets get/list/watch whenever a sidecar is on, so
      // the chart's Role is replaced by {@link renderGrafanaSidecarRole} (`useExistingRole`: role.yaml
      // line 1 skips it, rolebinding.yaml line 19 binds the named Role in the release namespace).
      rbac: { create: true, namespaced: true, useExistingRole: MONITORING.grafanaSidecarRole },
      sidecar: {
        resources: r.grafanaSidecar,
        // kube-prometheus-stack sets `searchNamespace: ALL` (values.yaml grafana.sidecar.dashboards),
        // which makes kiwigrid/k8s-sidecar 2.10.1 call list_config_map_for_all_namespaces
        // (src/resources.py lines 28-34): cluster-wide. Only this namespace, and only ConfigMaps:
        // `resource: both` (the chart's default) would also list Secrets (src/sidecar.py line 69).
        dashboards: {
          enabled: true,
          label: "grafana_dashboard",
          searchNamespace: [namespace],
          resource: "configmap",
        },
        // The chart's datasource is a ConfigMap in the release namespace
        // (kube-prometheus-stack templates/grafana/configmaps-datasources.yaml).
        datasources: { searchNamespace: [namespace], resource: "configmap" },
      },
      "grafana.ini": {
        server: { domain: o.grafanaHostname, root_url: `https://${o.grafanaHostname}` },
        security: { cookie_secure: true, disable_gravatar: true },
        users: { allow_sign_up: false },
        "auth.anonymous": { enabled: false },
        analytics: { reporting_enabled: false, check_for_updates: false, check_for_plugin_updates: false },
      },
    },
    "kube-state-metrics": { resources: r.kubeStateMetrics },
    "prometheus-node-exporter": {
      // hostNetwork, hostPID and a hostPath of / (prometheus-node-exporter 4.56.1 values.yaml
      // hostNetwork/hostPID/hostRootFsMount): privileged, so out of `monitoring`. The chart puts all
      // its objects (DaemonSet, Service, ServiceMonitor) in `namespaceOverride` (templates/_helpers.tpl
      // "prometheus-node-exporter.namespace"; kube-prometheus-stack 88.5.3 values.yaml
      // prometheus-node-exporter.namespaceOverride); Prometheus selects monitors in every namespace.
      namespaceOverride: o.nodeExporterNamespace ?? "monitoring-node",
      resources: r.nodeExporter,
      // The chart's container sets only readOnlyRootFilesystem and its pod no seccomp profile
      // (prometheus-node-exporter 4.56.1 values.yaml securityContext line 360,
      // containerSecurityContext line 366): node-exporter needs no privilege escalation and no
      // capability to read /proc, /sys and the read-only root mount.
      securityContext: { seccompProfile: { type: "RuntimeDefault" } },
      containerSecurityContext: {
        readOnlyRootFilesystem: true,
        allowPrivilegeEscalation: false,
        capabilities: { drop: ["ALL"] },
      },
    },
  };
}

/**
 * The Role of Grafana's ServiceAccount (the chart binds it, see `rbac.useExistingRole` above):
 * read ConfigMaps of the monitoring namespace, which is all the dashboard and datasource sidecars
 * list and watch with `resource: configmap` and a `searchNamespace` of that namespace. No Secrets,
 * nothing cluster-wide. The chart's own Role would add Secrets (grafana templates/role.yaml
 * lines 17-20). Pure.
 */
export function renderGrafanaSidecarRole(namespace: string): Obj {
  return {
    apiVersion: "rbac.authorization.k8s.io/v1",
    kind: "Role",
    metadata: {
      name: MONITORING.grafanaSidecarRole,
      namespace,
      labels: commonLabels({ name: MONITORING.grafanaSidecarRole, component: "monitoring" }),
    },
    rules: [{ apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] }],
  };
}
