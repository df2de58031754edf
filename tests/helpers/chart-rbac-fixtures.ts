/**
 * The RBAC objects the upstream charts render with the program's values, as the real engine hands
 * them to the pack: each a child of its helm.v4.Chart, with the URN the engine builds (the parent
 * component and Chart types in the type chain; the name `<release>:<namespace>/<name>` or
 * `<release>:<name>`, pulumi-kubernetes provider/pkg/provider/yaml/v2/yaml.go 94977969 lines
 * 344-352). helm.v4.Chart renders at deploy time, so the offline plan holds none of these; this is
 * a transcription of the templates, conditions applied to our values (rbac.create on, openshift
 * off, clusterWide on, kube-prometheus-stack fullnameOverride `kube-prometheus-stack`):
 * - longhorn/longhorn v1.12.1 chart/templates/clusterrole.yaml 1-77, clusterrolebinding.yaml 1-28,
 *   role.yaml 1-30, rolebinding.yaml 1-13 (complete);
 * - prometheus-community/helm-charts kube-prometheus-stack-88.5.3
 *   templates/prometheus-operator/clusterrole.yaml 10-116 and clusterrolebinding.yaml (complete),
 *   templates/prometheus/clusterrole.yaml 13-41; kube-state-metrics-8.4.0 templates/role.yaml
 *   (the `secrets` and `configmaps` collector rules) and clusterrolebinding.yaml;
 * - cert-manager/cert-manager v1.20.2 deploy/charts/cert-manager/templates/rbac.yaml 94-118 (the
 *   issuers controller; the clusterissuers, certificates, orders and challenges controllers hold the
 *   same Secret rule) and cainjector-rbac.yaml 4-46 (the Secret rules);
 * - cloudnative-pg/charts cloudnative-pg-v0.29.0 templates/rbac.yaml 34-73 with _helpers.tpl
 *   commonRules 79-110 (the Secret rules), plugin-barman-cloud-v0.7.0 templates/rbac.yaml 36-118.
 * Re-read them when CHARTS in components/versions.ts changes.
 */

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped JSON
type Obj = Record<string, any>;

/** A chart child: its URN and the object (the resource's props). */
export interface ChartChild {
  readonly type: string;
  readonly urn: string;
  readonly props: Obj;
}

const RBAC = "rbac.authorization.k8s.io/v1";
const ref = (kind: string, name: string) => ({ apiGroup: "rbac.authorization.k8s.io", kind, name });
const sa = (name: string, namespace: string) => ({ kind: "ServiceAccount", name, namespace });

/** The URN of a chart child under `componentType`'s Chart of release `release`. */
export function chartChildUrn(
  componentType: string,
  release: string,
  props: Obj,
  stack = "production",
): string {
  const type = `kubernetes:${props.apiVersion}:${props.kind}`;
  const ns = props.metadata?.namespace;
  const name = `${release}:${ns ? `${ns}/` : ""}${props.metadata?.name}`;
  return `urn:pulumi:${stack}::enclii-infra::${componentType}$kubernetes:helm.sh/v4:Chart$${type}::${name}`;
}

function children(componentType: string, release: string, objects: Obj[]): ChartChild[] {
  return objects.map((props) => ({
    type: `kubernetes:${props.apiVersion}:${props.kind}`,
    urn: chartChildUrn(componentType, release, props),
    props,
  }));
}

/** longhorn 1.12.1, release `longhorn` in longhorn-system. */
export const LONGHORN_RBAC: readonly ChartChild[] = children("enclii:storage:Longhorn", "longhorn", [
  {
    apiVersion: RBAC,
    kind: "ClusterRole",
    metadata: { name: "longhorn-role" },
    rules: [
      { apiGroups: ["apiextensions.k8s.io"], resources: ["customresourcedefinitions"], verbs: ["*"] },
      { apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch", "delete", "deletecollection"] },
      {
        apiGroups: [""],
        resources: ["secrets", "services", "endpoints", "configmaps", "serviceaccounts", "pods/log"],
        verbs: ["get", "list", "watch"],
      },
      {
        apiGroups: [""],
        resources: [
          "events",
          "persistentvolumes",
          "persistentvolumeclaims",
          "persistentvolumeclaims/status",
          "nodes",
        ],
        verbs: ["*"],
      },
      { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list"] },
      {
        apiGroups: ["apps"],
        resources: ["daemonsets", "statefulsets", "deployments", "replicasets"],
        verbs: ["get", "list", "watch"],
      },
      { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["scheduling.k8s.io"], resources: ["priorityclasses"], verbs: ["watch", "list"] },
      {
        apiGroups: ["storage.k8s.io"],
        resources: [
          "storageclasses",
          "volumeattachments",
          "volumeattachments/status",
          "volumeattributesclasses",
          "csinodes",
          "csidrivers",
          "csistoragecapacities",
        ],
        verbs: ["*"],
      },
      {
        apiGroups: ["snapshot.storage.k8s.io"],
        resources: [
          "volumesnapshotclasses",
          "volumesnapshots",
          "volumesnapshotcontents",
          "volumesnapshotcontents/status",
        ],
        verbs: ["*"],
      },
      {
        apiGroups: ["longhorn.io"],
        resources: [
          "volumes",
          "volumes/status",
          "enginefrontends",
          "enginefrontends/status",
          "engines",
          "engines/status",
          "replicas",
          "replicas/status",
          "settings",
          "settings/status",
          "engineimages",
          "engineimages/status",
          "nodes",
          "nodes/status",
          "instancemanagers",
          "instancemanagers/status",
          "sharemanagers",
          "sharemanagers/status",
          "backingimages",
          "backingimages/status",
          "backingimagemanagers",
          "backingimagemanagers/status",
          "backingimagedatasources",
          "backingimagedatasources/status",
          "backuptargets",
          "backuptargets/status",
          "backupvolumes",
          "backupvolumes/status",
          "backups",
          "backups/status",
          "recurringjobs",
          "recurringjobs/status",
          "orphans",
          "orphans/status",
          "snapshots",
          "snapshots/status",
          "supportbundles",
          "supportbundles/status",
          "systembackups",
          "systembackups/status",
          "systemrestores",
          "systemrestores/status",
          "volumeattachments",
          "volumeattachments/status",
          "backupbackingimages",
          "backupbackingimages/status",
          "shards",
          "shards/status",
          "shardgroups",
          "shardgroups/status",
        ],
        verbs: ["*"],
      },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["get", "list", "watch"] },
      { apiGroups: ["metrics.k8s.io"], resources: ["pods", "nodes"], verbs: ["get", "list"] },
      { apiGroups: ["apiregistration.k8s.io"], resources: ["apiservices"], verbs: ["list", "watch"] },
      {
        apiGroups: ["admissionregistration.k8s.io"],
        resources: ["mutatingwebhookconfigurations", "validatingwebhookconfigurations"],
        verbs: ["get", "list", "create", "patch", "delete"],
      },
      {
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["roles", "rolebindings"],
        verbs: ["get", "list", "watch"],
      },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
      {
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["clusterrolebindings", "clusterroles"],
        verbs: ["*"],
      },
    ],
  },
  {
    apiVersion: RBAC,
    kind: "ClusterRoleBinding",
    metadata: { name: "longhorn-bind" },
    roleRef: ref("ClusterRole", "longhorn-role"),
    subjects: [sa("longhorn-service-account", "longhorn-system")],
  },
  {
    apiVersion: RBAC,
    kind: "ClusterRoleBinding",
    metadata: { name: "longhorn-support-bundle" },
    roleRef: ref("ClusterRole", "cluster-admin"),
    subjects: [sa("longhorn-support-bundle", "longhorn-system")],
  },
  {
    apiVersion: RBAC,
    kind: "Role",
    metadata: { name: "longhorn", namespace: "longhorn-system" },
    rules: [
      {
        apiGroups: [""],
        resources: [
          "pods",
          "pods/log",
          "events",
          "secrets",
          "services",
          "endpoints",
          "configmaps",
          "serviceaccounts",
          "persistentvolumeclaims",
          "persistentvolumeclaims/status",
        ],
        verbs: ["*"],
      },
      {
        apiGroups: ["apps"],
        resources: ["daemonsets", "deployments", "statefulsets", "replicasets"],
        verbs: ["*"],
      },
      { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: ["*"] },
      { apiGroups: ["policy"], resources: ["poddisruptionbudgets"], verbs: ["*"] },
      { apiGroups: ["coordination.k8s.io"], resources: ["leases"], verbs: ["*"] },
      { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles", "rolebindings"], verbs: ["*"] },
      { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["*"] },
    ],
  },
  {
    apiVersion: RBAC,
    kind: "RoleBinding",
    metadata: { name: "longhorn", namespace: "longhorn-system" },
    roleRef: ref("Role", "longhorn"),
    subjects: [sa("longhorn-service-account", "longhorn-system")],
  },
]);

/** kube-prometheus-stack (read at 88.5.3), release `monitoring`, fullnameOverride kube-prometheus-stack. */
export const MONITORING_RBAC: readonly ChartChild[] = children(
  "enclii:observability:Monitoring",
  "monitoring",
  [
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "kube-prometheus-stack-operator" },
      rules: [
        {
          apiGroups: ["monitoring.coreos.com"],
          resources: [
            "alertmanagers",
            "alertmanagers/finalizers",
            "alertmanagers/status",
            "alertmanagerconfigs",
            "prometheuses",
            "prometheuses/finalizers",
            "prometheuses/status",
            "prometheusagents",
            "prometheusagents/finalizers",
            "prometheusagents/status",
            "thanosrulers",
            "thanosrulers/finalizers",
            "thanosrulers/status",
            "scrapeconfigs",
            "scrapeconfigs/status",
            "servicemonitors",
            "servicemonitors/status",
            "podmonitors",
            "podmonitors/status",
            "probes",
            "probes/status",
            "prometheusrules",
            "prometheusrules/status",
          ],
          verbs: ["*"],
        },
        { apiGroups: ["apps"], resources: ["statefulsets"], verbs: ["*"] },
        { apiGroups: [""], resources: ["configmaps", "secrets"], verbs: ["*"] },
        { apiGroups: [""], resources: ["pods"], verbs: ["list", "delete"] },
        {
          apiGroups: [""],
          resources: ["services", "services/finalizers", "endpoints"],
          verbs: ["get", "create", "update", "delete"],
        },
        { apiGroups: [""], resources: ["nodes"], verbs: ["list", "watch"] },
        { apiGroups: [""], resources: ["namespaces"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["", "events.k8s.io"], resources: ["events"], verbs: ["patch", "create"] },
        { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["storage.k8s.io"], resources: ["storageclasses"], verbs: ["get"] },
        {
          apiGroups: ["discovery.k8s.io"],
          resources: ["endpointslices"],
          verbs: ["get", "create", "list", "watch", "update", "delete"],
        },
      ],
    },
    {
      apiVersion: RBAC,
      kind: "ClusterRoleBinding",
      metadata: { name: "kube-prometheus-stack-operator" },
      roleRef: ref("ClusterRole", "kube-prometheus-stack-operator"),
      subjects: [sa("kube-prometheus-stack-operator", "monitoring")],
    },
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "kube-prometheus-stack-prometheus" },
      rules: [
        {
          apiGroups: [""],
          resources: ["nodes", "nodes/metrics", "services", "endpoints", "pods"],
          verbs: ["get", "list", "watch"],
        },
        { apiGroups: ["discovery.k8s.io"], resources: ["endpointslices"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["networking.k8s.io"], resources: ["ingresses"], verbs: ["get", "list", "watch"] },
        { nonResourceURLs: ["/metrics", "/metrics/cadvisor", "/metrics/resource"], verbs: ["get"] },
      ],
    },
    {
      apiVersion: RBAC,
      kind: "ClusterRoleBinding",
      metadata: { name: "kube-prometheus-stack-prometheus" },
      roleRef: ref("ClusterRole", "kube-prometheus-stack-prometheus"),
      subjects: [sa("kube-prometheus-stack-prometheus", "monitoring")],
    },
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "monitoring-kube-state-metrics" },
      rules: [
        { apiGroups: [""], resources: ["configmaps"], verbs: ["list", "watch"] },
        { apiGroups: [""], resources: ["secrets"], verbs: ["list", "watch"] },
      ],
    },
    {
      apiVersion: RBAC,
      kind: "ClusterRoleBinding",
      metadata: { name: "monitoring-kube-state-metrics" },
      roleRef: ref("ClusterRole", "monitoring-kube-state-metrics"),
      subjects: [sa("monitoring-kube-state-metrics", "monitoring")],
    },
  ],
);

const secretsRule = (verbs: string[]) => ({ apiGroups: [""], resources: ["secrets"], verbs });

/** cert-manager v1.20.2, release `cert-manager` in cert-manager (fullname cert-manager). */
export const CERT_MANAGER_RBAC: readonly ChartChild[] = children(
  "enclii:storage:CertManager",
  "cert-manager",
  [
    ...["issuers", "clusterissuers", "certificates", "orders", "challenges"].flatMap((c) => [
      {
        apiVersion: RBAC,
        kind: "ClusterRole",
        metadata: { name: `cert-manager-controller-${c}` },
        rules: [
          { apiGroups: ["cert-manager.io"], resources: [c], verbs: ["get", "list", "watch"] },
          secretsRule(["get", "list", "watch", "create", "update", "delete"]),
          { apiGroups: [""], resources: ["events"], verbs: ["create", "patch"] },
        ],
      },
      {
        apiVersion: RBAC,
        kind: "ClusterRoleBinding",
        metadata: { name: `cert-manager-controller-${c}` },
        roleRef: ref("ClusterRole", `cert-manager-controller-${c}`),
        subjects: [sa("cert-manager", "cert-manager")],
      },
    ]),
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "cert-manager-cainjector" },
      rules: [
        { apiGroups: ["cert-manager.io"], resources: ["certificates"], verbs: ["get", "list", "watch"] },
        secretsRule(["get", "list", "watch"]),
      ],
    },
    {
      apiVersion: RBAC,
      kind: "ClusterRoleBinding",
      metadata: { name: "cert-manager-cainjector" },
      roleRef: ref("ClusterRole", "cert-manager-cainjector"),
      subjects: [sa("cert-manager-cainjector", "cert-manager")],
    },
  ],
);

/** cloudnative-pg 0.29.0 (release `cnpg-operator`) and plugin-barman-cloud 0.7.0 (release `cnpg-barman-cloud`). */
export const CNPG_RBAC: readonly ChartChild[] = [
  ...children("enclii:data:CnpgOperator", "cnpg-operator", [
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "cnpg-operator-cloudnative-pg" },
      rules: [
        {
          apiGroups: [""],
          resources: ["configmaps", "secrets", "services"],
          verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
        },
        {
          apiGroups: [""],
          resources: ["configmaps/status", "secrets/status"],
          verbs: ["get", "patch", "update"],
        },
      ],
    },
    {
      apiVersion: RBAC,
      kind: "ClusterRoleBinding",
      metadata: { name: "cnpg-operator-cloudnative-pg" },
      roleRef: ref("ClusterRole", "cnpg-operator-cloudnative-pg"),
      subjects: [sa("cnpg-operator-cloudnative-pg", "cnpg-system")],
    },
  ]),
  ...children("enclii:data:CnpgOperator", "cnpg-barman-cloud", [
    {
      apiVersion: RBAC,
      kind: "ClusterRole",
      metadata: { name: "cnpg-barman-cloud-plugin-barman-cloud" },
      rules: [
        secretsRule(["create", "delete", "get", "list", "watch"]),
        {
          apiGroups: ["barmancloud.cnpg.io"],
          resources: ["objectstores"],
          verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
        },
        { apiGroups: ["barmancloud.cnpg.io"], resources: ["objectstores/finalizers"], verbs: ["update"] },
        {
          apiGroups: ["barmancloud.cnpg.io"],
          resources: ["objectstores/status"],
          verbs: ["get", "patch", "update"],
        },
        { apiGroups: ["postgresql.cnpg.io"], resources: ["backups"], verbs: ["get", "list", "watch"] },
        { apiGroups: ["postgresql.cnpg.io"], resources: ["clusters/finalizers"], verbs: ["update"] },
        {
          apiGroups: ["rbac.authorization.k8s.io"],
          resources: ["rolebindings", "roles"],
          verbs: ["create", "get", "list", "patch", "update", "watch"],
        },
      ],
    },
    {
      apiVersion: RBAC,
      kind: "ClusterRoleBinding",
      metadata: { name: "cnpg-barman-cloud-plugin-barman-cloud-binding" },
      roleRef: ref("ClusterRole", "cnpg-barman-cloud-plugin-barman-cloud"),
      subjects: [sa("cnpg-barman-cloud-plugin-barman-cloud", "cnpg-system")],
    },
  ]),
];

/** Every chart's RBAC children. */
export const CHART_RBAC: readonly ChartChild[] = [
  ...LONGHORN_RBAC,
  ...MONITORING_RBAC,
  ...CERT_MANAGER_RBAC,
  ...CNPG_RBAC,
];
