/**
 * RBAC objects the upstream charts render that the RBAC policies would refuse, each with the
 * reason and the template it comes from, read at the pinned chart versions (components/versions.ts
 * CHARTS). They are chart children: under the real engine helm.v4.Chart registers every rendered
 * object as a child resource whose URN has the Chart type in its parent chain and whose name is
 * `<release>:<namespace>/<name>` (or `<release>:<name>` for a cluster-scoped object;
 * pulumi-kubernetes provider/pkg/provider/yaml/v2/yaml.go, 94977969, lines 344-352, with the
 * Chart's resource name as the prefix and the release name, helm/v4/chart.go lines 180-187). An
 * exemption applies only to such a child, so an object the program declares itself never gets one.
 *
 * Releases: `longhorn` (longhorn 1.12.1), `cert-manager` (cert-manager v1.20.2), `cnpg-operator`
 * (cloudnative-pg 0.29.0), `router` (traefik 41.3.0), `cnpg-barman-cloud` (plugin-barman-cloud 0.7.x; read at 0.7.0, the
 * newest tag here), `monitoring` (kube-prometheus-stack 92.9.0; read at 88.5.3 with its
 * kube-state-metrics 8.4.0, as components/observability/monitoring-values.ts does, since 92.9.0
 * could not be read here). Re-read the templates when a pin changes.
 */

/** The checks that have exemptions. */
export type RbacCheck = "wildcards" | "escalation-verbs" | "cluster-secret-reads" | "cluster-admin";

/** `<Kind> <child resource name>` -> check -> reason. */
export type RbacExemptions = Record<string, Partial<Record<RbacCheck, string>>>;

const LONGHORN_ROLE =
  "longhorn-manager runs the CSI driver, the admission and conversion webhooks and the share and backup controllers; upstream grants it all of this and no chart value narrows it";

export const RBAC_EXEMPTIONS: RbacExemptions = {
  // longhorn 1.12.1 chart/templates/clusterrole.yaml lines 1-77, bound cluster-wide by
  // clusterrolebinding.yaml lines 1-13 (longhorn-bind).
  "ClusterRole longhorn:longhorn-role": {
    wildcards: `${LONGHORN_ROLE} ("*" verbs on CRDs, nodes, PVs, storage and snapshot classes, its own CRs, clusterroles and clusterrolebindings: lines 7-12, 19-21, 37-56, 75-77)`,
    "escalation-verbs": `${LONGHORN_ROLE}: "*" on clusterroles and clusterrolebindings (lines 75-77) includes escalate and bind; the manager creates the RBAC of its own components`,
  },
  "ClusterRoleBinding longhorn:longhorn-bind": {
    "cluster-secret-reads": `${LONGHORN_ROLE}: secrets get/list/watch in every namespace (clusterrole.yaml lines 16-18) for backup target and CSI credentials; bound cluster-wide (clusterrolebinding.yaml lines 1-13)`,
  },
  // longhorn 1.12.1 chart/templates/clusterrolebinding.yaml lines 15-28: the support bundle
  // manager collects cluster state for a support bundle; bound to cluster-admin unconditionally.
  "ClusterRoleBinding longhorn:longhorn-support-bundle": {
    "cluster-admin":
      "Longhorn's support bundle manager (longhorn-support-bundle) is bound to cluster-admin unconditionally (clusterrolebinding.yaml lines 15-28); no chart value removes it",
    "cluster-secret-reads":
      "cluster-admin through longhorn-support-bundle (clusterrolebinding.yaml lines 15-28)",
  },
  // longhorn 1.12.1 chart/templates/role.yaml lines 1-30 (namespace longhorn-system only).
  "Role longhorn:longhorn-system/longhorn": {
    wildcards: `${LONGHORN_ROLE}: "*" verbs on its namespace's pods, secrets, workloads, jobs, PDBs, leases, roles and rolebindings (role.yaml lines 9-30)`,
    "escalation-verbs": `${LONGHORN_ROLE}: "*" on roles and rolebindings in longhorn-system (role.yaml lines 27-29) includes escalate and bind, and "*" on serviceaccounts (lines 9-11) includes impersonating every service account of longhorn-system, longhorn-support-bundle (cluster-admin) among them; longhorn-role's "*" on clusterroles already amounts to as much`,
  },
  // kube-prometheus-stack 88.5.3 templates/prometheus-operator/clusterrole.yaml lines 10-50,
  // bound cluster-wide by clusterrolebinding.yaml (fullnameOverride kube-prometheus-stack).
  "ClusterRole monitoring:kube-prometheus-stack-operator": {
    wildcards:
      'the Prometheus operator manages its CRs, the Prometheus and Alertmanager StatefulSets and their generated config Secrets with "*" verbs (clusterrole.yaml lines 10-50); no value narrows the rules',
  },
  "ClusterRoleBinding monitoring:kube-prometheus-stack-operator": {
    "cluster-secret-reads":
      "the Prometheus operator reads the Secrets ServiceMonitors and Probes reference in any namespace and writes the generated configs (clusterrole.yaml lines 44-50)",
  },
  // kube-state-metrics 8.4.0 templates/role.yaml lines 191-196 (the `secrets` collector, on by
  // default) and clusterrolebinding.yaml lines 1-20: kube-state-metrics LISTS EVERY SECRET of the
  // cluster (list/watch return the data) to export kube_secret_* series.
  "ClusterRoleBinding monitoring:monitoring-kube-state-metrics": {
    "cluster-secret-reads":
      "kube-state-metrics lists and watches every Secret of the cluster (data included) for its kube_secret_* series (role.yaml lines 191-196, the default `secrets` collector); dropping that collector from its values would remove the grant",
  },
  // cert-manager v1.20.2 deploy/charts/cert-manager/templates/rbac.yaml lines 94-283 and
  // cainjector-rbac.yaml lines 4-46: Issuers, Certificates and ACME solvers live in any namespace
  // and cert-manager reads their Secrets there; the CA injector reads the Secrets it injects.
  ...Object.fromEntries(
    ["issuers", "clusterissuers", "certificates", "orders", "challenges"].map((c) => [
      `ClusterRoleBinding cert-manager:cert-manager-controller-${c}`,
      {
        "cluster-secret-reads": `cert-manager's ${c} controller reads (and writes) the Secrets of ${c} in every namespace (rbac.yaml, ClusterRole cert-manager-controller-${c})`,
      },
    ]),
  ),
  "ClusterRoleBinding cert-manager:cert-manager-cainjector": {
    "cluster-secret-reads":
      "the CA injector reads the CA Secrets it injects into webhooks and CRDs, wherever they are (cainjector-rbac.yaml lines 4-46)",
  },
  // cloudnative-pg 0.29.0 templates/rbac.yaml lines 34-73 with _helpers.tpl commonRules
  // (lines 79-110): with config.clusterWide (the default) the operator manages the Secrets of
  // every Cluster in every namespace (a tenant's dedicated Janua database lives in its namespace).
  "ClusterRoleBinding cnpg-operator:cnpg-operator-cloudnative-pg": {
    "cluster-secret-reads":
      "the CloudNativePG operator creates and reads the Secrets (superuser, app, replication, TLS) of Clusters in every namespace (rbac.yaml lines 34-73, commonRules)",
  },
  // traefik 41.3.0 (traefik/traefik-helm-chart a8a66d00) templates/rbac/clusterrole.yaml lines
  // 36-44 (secrets get/list/watch, unconditional) bound cluster-wide by clusterrolebinding.yaml
  // (name `<fullname>-<namespace>`: router-router, _helpers.tpl lines 136-138). Traefik's Gateway
  // provider starts a Secret informer in every watched namespace (all of them, so tenants never
  // change the router's arguments) and waits for it to sync (traefik v3.7.9
  // pkg/provider/kubernetes/gateway/client.go WatchAll, lines 216-265): without the grant it never
  // serves. It reads Secrets for listeners' certificateRefs, which this platform does not use
  // (HTTP only, TLS ends at Cloudflare); docs/router.md weighs the risk.
  "ClusterRoleBinding router:router-router": {
    "cluster-secret-reads":
      "Traefik's Gateway provider watches Secrets in every namespace it routes for (listeners' certificateRefs) and does not start without that cache (traefik v3.7.9 gateway/client.go WatchAll lines 216-265; chart clusterrole.yaml lines 36-44); docs/router.md",
  },
  // plugin-barman-cloud 0.7.0 templates/rbac.yaml lines 36-118.
  "ClusterRoleBinding cnpg-barman-cloud:cnpg-barman-cloud-plugin-barman-cloud-binding": {
    "cluster-secret-reads":
      "the barman-cloud plugin reads the object store credentials of every ObjectStore, in any namespace (rbac.yaml lines 36-48)",
  },
};

/** The `configSchema` of the RBAC policies: `exemptions` replaces the defaults above. */
export const RBAC_EXEMPTION_SCHEMA = {
  properties: {
    exemptions: {
      type: "object" as const,
      description: "'<Kind> <chart child resource name>' -> check -> reason; only chart children match",
      default: RBAC_EXEMPTIONS,
    },
  },
};

const CHART_TYPE = "kubernetes:helm.sh/v4:Chart";

/** The child resource name when `urn` is an object a helm.v4.Chart rendered, else undefined. */
export function chartChildName(urn: string): string | undefined {
  const parts = urn.split("::");
  const types = (parts[2] ?? "").split("$");
  if (!types.slice(0, -1).includes(CHART_TYPE)) return undefined;
  return parts.slice(3).join("::") || undefined;
}

/** The exemption reason for `check` on the object with this kind and URN, per the policy config. */
export function rbacExemption(
  kind: string,
  urn: string,
  check: RbacCheck,
  config: { exemptions?: RbacExemptions } = {},
): string | undefined {
  const child = chartChildName(urn);
  return child === undefined
    ? undefined
    : (config.exemptions ?? RBAC_EXEMPTIONS)[`${kind} ${child}`]?.[check];
}
