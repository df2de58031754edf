/**
 * Grafana's RBAC, derived from the chart templates the values feed (no chart renders here: the
 * provider renders helm.v4.Chart at deploy time). Each rule below restates one upstream template
 * or source line; the values are the chart's defaults, kube-prometheus-stack's overrides and ours,
 * merged the way Helm coalesces values (maps merge, scalars and lists replace).
 *
 * Sources read: grafana-community/helm-charts charts/grafana 12.11.1 (templates/clusterrole.yaml,
 * clusterrolebinding.yaml, role.yaml, rolebinding.yaml, _pod.tpl, values.yaml), the chart
 * prometheus-community/helm-charts kube-prometheus-stack 88.5.3 depends on (Chart.yaml
 * dependencies, values.yaml `grafana:` lines 1377-1600, templates/grafana/), and
 * kiwigrid/k8s-sidecar 2.10.1 (the chart's sidecar image; src/sidecar.py, src/resources.py).
 */
import { describe, expect, it } from "vitest";
import { renderDashboardConfigMap } from "../../components/observability/dashboard";
import {
  MONITORING,
  monitoringValues,
  renderGrafanaSidecarRole,
} from "../../components/observability/monitoring-values";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary chart values
type Obj = Record<string, any>;

/** Helm's value coalescing: maps merge recursively, anything else from the override wins. */
function coalesce(base: Obj, override: Obj): Obj {
  const out: Obj = { ...base };
  for (const [k, v] of Object.entries(override)) {
    const b = out[k];
    out[k] =
      v && typeof v === "object" && !Array.isArray(v) && b && typeof b === "object" && !Array.isArray(b)
        ? coalesce(b, v)
        : v;
  }
  return out;
}

/** The grafana chart's own defaults that decide RBAC (charts/grafana/values.yaml lines 19-36, 1040-1465). */
const GRAFANA_DEFAULTS: Obj = {
  rbac: { create: true, namespaced: false, namespaces: [], extraRoleRules: [], extraClusterRoleRules: [] },
  sidecar: {
    alerts: { enabled: false, searchNamespace: null, resource: "both" },
    dashboards: {
      enabled: false,
      label: "grafana_dashboard",
      labelValue: "",
      searchNamespace: null,
      resource: "both",
    },
    datasources: {
      enabled: false,
      label: "grafana_datasource",
      labelValue: "",
      searchNamespace: null,
      resource: "both",
    },
    plugins: { enabled: false, searchNamespace: null, resource: "both" },
    notifiers: { enabled: false, searchNamespace: null, resource: "both" },
  },
};

/** kube-prometheus-stack's `grafana:` overrides (values.yaml lines 1536-1600). */
const KPS_GRAFANA: Obj = {
  serviceAccount: { create: true, autoMount: true },
  sidecar: {
    dashboards: { enabled: true, label: "grafana_dashboard", labelValue: "1", searchNamespace: "ALL" },
    datasources: { enabled: true, label: "grafana_datasource", labelValue: "1" },
  },
};

const NAMESPACE = "monitoring";
const ours = monitoringValues({
  retention: "15d",
  storageSize: "50Gi",
  grafanaHostname: "grafana.enclii.dev",
  alerting: { webhook: false, secretName: "alertmanager-receivers" },
  namespace: NAMESPACE,
}) as Obj;
const values = coalesce(coalesce(GRAFANA_DEFAULTS, KPS_GRAFANA), ours.grafana);

const anySidecar = (v: Obj) =>
  v.sidecar.dashboards.enabled ||
  v.sidecar.datasources.enabled ||
  v.sidecar.plugins.enabled ||
  v.sidecar.alerts.enabled;
const nonEmpty = (x: unknown) => Array.isArray(x) && x.length > 0;

/** templates/clusterrole.yaml line 1 (clusterrolebinding.yaml line 1 without the last term). */
const rendersClusterRole = (v: Obj) =>
  Boolean(
    v.rbac.create &&
      (!v.rbac.namespaced || nonEmpty(v.rbac.extraClusterRoleRules)) &&
      !v.rbac.useExistingClusterRole,
  );
const rendersClusterRoleBinding = (v: Obj) =>
  Boolean(v.rbac.create && (!v.rbac.namespaced || nonEmpty(v.rbac.extraClusterRoleRules)));
/** templates/role.yaml line 1; its rules (lines 15-21): configmaps and secrets when a sidecar is on. */
const chartRole = (v: Obj) =>
  v.rbac.create && !v.rbac.useExistingRole && v.rbac.namespaced
    ? { resources: anySidecar(v) ? ["configmaps", "secrets"] : [] }
    : undefined;
/** templates/rolebinding.yaml: one per `append rbac.namespaces <release namespace>` (line 2), roleRef line 18-22. */
const roleBindings = (v: Obj, releaseNamespace: string) =>
  v.rbac.create && v.rbac.namespaced
    ? [...v.rbac.namespaces, releaseNamespace].map((ns: string) => ({
        namespace: ns,
        roleRef: v.rbac.useExistingRole ?? MONITORING.grafana,
      }))
    : [];

/**
 * The Kubernetes API calls one sidecar makes. _pod.tpl renders `RESOURCE` from `.resource` and
 * `NAMESPACE` from `searchNamespace | join ","` only when set; k8s-sidecar reads them
 * (src/sidecar.py line 69: `both` means secret and configmap; line 125: NAMESPACE, else the pod's
 * own namespace; split on ","), and lists with list_<kind>_for_all_namespaces for `ALL`, else
 * list_namespaced_<kind> (src/resources.py lines 28-34).
 */
function sidecarCalls(sidecar: Obj, podNamespace: string): { kind: string; namespace: string | "*" }[] {
  const resources = sidecar.resource === "both" ? ["secret", "configmap"] : [sidecar.resource as string];
  const search = sidecar.searchNamespace;
  const namespaces = (
    search === null || search === undefined ? podNamespace : [search].flat().join(",")
  ).split(",");
  return resources.flatMap((kind) => namespaces.map((ns) => ({ kind, namespace: ns === "ALL" ? "*" : ns })));
}

describe("Grafana RBAC", () => {
  it("renders no ClusterRole or ClusterRoleBinding for Grafana (namespaced RBAC)", () => {
    expect(rendersClusterRole(values)).toBe(false);
    expect(rendersClusterRoleBinding(values)).toBe(false);
    // The chart's defaults alone would render both: the test can tell the difference.
    const defaults = coalesce(GRAFANA_DEFAULTS, KPS_GRAFANA);
    expect(rendersClusterRole(defaults)).toBe(true);
    expect(rendersClusterRoleBinding(defaults)).toBe(true);
  });

  it("replaces the chart's Role (configmaps and secrets) by one that reads only ConfigMaps", () => {
    expect(chartRole(values)).toBeUndefined();
    expect(chartRole({ ...values, rbac: { ...values.rbac, useExistingRole: undefined } })).toEqual({
      resources: ["configmaps", "secrets"],
    });
    expect(roleBindings(values, NAMESPACE)).toEqual([{ namespace: NAMESPACE, roleRef: "grafana-sidecar" }]);
    const role = renderGrafanaSidecarRole(NAMESPACE) as Obj;
    expect(role).toMatchObject({ kind: "Role", metadata: { name: "grafana-sidecar", namespace: NAMESPACE } });
    expect(role.rules).toEqual([
      { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list", "watch"] },
    ]);
  });

  it("grants every call the enabled sidecars make, and the sidecars read no Secrets and nothing outside monitoring", () => {
    const role = renderGrafanaSidecarRole(NAMESPACE) as Obj;
    const enabled = Object.entries(values.sidecar as Obj).filter(([, s]) => (s as Obj).enabled);
    expect(enabled.map(([name]) => name).sort()).toEqual(["dashboards", "datasources"]);
    const calls = enabled.flatMap(([, s]) => sidecarCalls(s as Obj, NAMESPACE));
    expect(calls).toEqual([
      { kind: "configmap", namespace: NAMESPACE },
      { kind: "configmap", namespace: NAMESPACE },
    ]);
    for (const call of calls) {
      const granted = (role.rules as Obj[]).some(
        (r) =>
          r.apiGroups.includes("") &&
          r.resources.includes(`${call.kind}s`) &&
          ["list", "watch"].every((v) => r.verbs.includes(v)),
      );
      expect(granted, `${call.kind} in ${call.namespace}`).toBe(true);
      expect(call.namespace).toBe(role.metadata.namespace);
    }
    // kube-prometheus-stack's own setting would list ConfigMaps and Secrets of every namespace.
    expect(sidecarCalls(coalesce(GRAFANA_DEFAULTS, KPS_GRAFANA).sidecar.dashboards, NAMESPACE)).toEqual([
      { kind: "secret", namespace: "*" },
      { kind: "configmap", namespace: "*" },
    ]);
  });

  it("still finds the platform dashboard: in the namespace the sidecar searches, with its label and value", () => {
    const cm = renderDashboardConfigMap(NAMESPACE, { baseBackupHours: 26 }) as Obj;
    const dashboards = values.sidecar.dashboards;
    const [call] = sidecarCalls(dashboards, NAMESPACE);
    expect(cm.kind).toBe("ConfigMap");
    expect(cm.metadata.namespace).toBe(call?.namespace);
    // LABEL/LABEL_VALUE from _pod.tpl: the sidecar selects `<label>=<labelValue>`.
    expect(cm.metadata.labels[dashboards.label]).toBe(dashboards.labelValue);
  });

  it("follows the chart's namespace when monitoring runs elsewhere", () => {
    const v = monitoringValues({
      retention: "15d",
      storageSize: "50Gi",
      grafanaHostname: "grafana.enclii.dev",
      alerting: { webhook: false, secretName: "alertmanager-receivers" },
      namespace: "observability",
    }) as Obj;
    expect(v.grafana.sidecar.dashboards.searchNamespace).toEqual(["observability"]);
    expect(v.grafana.sidecar.datasources.searchNamespace).toEqual(["observability"]);
  });
});

describe("kube-prometheus-stack ClusterRoles", () => {
  // Every value that widens a ClusterRole of the chart or its subcharts beyond what upstream ships
  // (kube-prometheus-stack 88.5.3 templates, kube-state-metrics and prometheus-node-exporter charts).
  const widening: [string, (v: Obj) => unknown][] = [
    // prometheus/clusterrole.yaml lines 55-57
    ["prometheus.additionalRulesForClusterRole", (v) => v.prometheus?.additionalRulesForClusterRole],
    // prometheus-operator/aggregate-clusterroles.yaml line 2: aggregates into view/edit/admin
    ["global.rbac.createAggregateClusterRoles", (v) => v.global?.rbac?.createAggregateClusterRoles],
    // prometheus/clusterrole.yaml lines 43-54
    ["prometheus-node-exporter.kubeRBACProxy", (v) => v["prometheus-node-exporter"]?.kubeRBACProxy],
    ["kube-state-metrics.kubeRBACProxy", (v) => v["kube-state-metrics"]?.kubeRBACProxy],
    // kube-state-metrics values.yaml rbac.extraRules, useClusterRole, collectors (role.yaml)
    ["kube-state-metrics.rbac", (v) => v["kube-state-metrics"]?.rbac],
    ["kube-state-metrics.collectors", (v) => v["kube-state-metrics"]?.collectors],
    ["kube-state-metrics.customResourceState", (v) => v["kube-state-metrics"]?.customResourceState],
    // grafana clusterrole.yaml lines 1 and 19-21
    ["grafana.rbac.extraClusterRoleRules", (v) => v.grafana?.rbac?.extraClusterRoleRules],
    ["grafana.rbac.useExistingClusterRole", (v) => v.grafana?.rbac?.useExistingClusterRole],
  ];

  it("sets no value that widens a chart ClusterRole", () => {
    for (const [path, read] of widening) expect(read(ours), path).toBeUndefined();
  });

  it("keeps the admission webhook's patch-Job ClusterRole out (certificates from cert-manager)", () => {
    // prometheus-operator/admission-webhooks/job-patch/clusterrole.yaml line 1: only without certManager.
    expect(ours.prometheusOperator.admissionWebhooks.certManager.enabled).toBe(true);
  });
});
