/**
 * What the control plane may do in the cluster, as plain RBAC manifests. Pure.
 *
 * switchyard-api talks to the API server as its service account, through the kubeconfig its pod
 * mounts (./manifests.ts `KUBECONFIG`: the token file of the projected service account token). The
 * contract (docs/control-plane.md):
 * - cluster-wide it may only read namespaces and nodes;
 * - in each tenant namespace a Role lets it run the tenant's apps: Deployments, Services,
 *   ConfigMaps, Secrets, PersistentVolumeClaims (bounded by the tier's quota), Jobs and CronJobs,
 *   HorizontalPodAutoscalers and HTTPRoutes; read ReplicaSets (rollback finds the previous
 *   revision through them), StatefulSets, Pods, their logs and Events;
 * - nothing else: no RBAC objects, no namespaces, no NetworkPolicies, quotas or limit ranges (the
 *   platform owns a tenant's boundaries), no webhooks, no `pods/exec`, no other namespace.
 */
import { commonLabels } from "../shared/labels";

type Obj = Record<string, unknown>;

/** The control plane's service account and the names of its RBAC objects. */
export const CONTROL_PLANE_IDENTITY = {
  serviceAccount: "switchyard-api",
  clusterRole: "enclii-control-plane-read",
  tenantRole: "enclii-control-plane",
} as const;

const READ = ["get", "list", "watch"];
const WRITE = [...READ, "create", "update", "patch", "delete"];

/** The rules of the Role in every tenant namespace. */
export const TENANT_NAMESPACE_RULES: readonly Obj[] = [
  { apiGroups: ["apps"], resources: ["deployments"], verbs: WRITE },
  // ReplicaSets: rollback finds the previous revision; StatefulSets: switchyard's 60 s sync lists
  // them in every environment namespace (internal/reconciler/controller_sync.go `runK8sSync`).
  { apiGroups: ["apps"], resources: ["replicasets", "statefulsets"], verbs: READ },
  {
    apiGroups: [""],
    resources: ["services", "configmaps", "secrets", "persistentvolumeclaims"],
    verbs: WRITE,
  },
  { apiGroups: [""], resources: ["pods", "events"], verbs: READ },
  { apiGroups: [""], resources: ["pods/log"], verbs: ["get"] },
  { apiGroups: ["events.k8s.io"], resources: ["events"], verbs: READ },
  { apiGroups: ["batch"], resources: ["jobs", "cronjobs"], verbs: WRITE },
  { apiGroups: ["autoscaling"], resources: ["horizontalpodautoscalers"], verbs: WRITE },
  { apiGroups: ["gateway.networking.k8s.io"], resources: ["httproutes"], verbs: WRITE },
];

/** The only cluster-wide rules: reading namespaces and nodes. */
export const CLUSTER_RULES: readonly Obj[] = [
  { apiGroups: [""], resources: ["namespaces", "nodes"], verbs: READ },
];

/** Options of the control plane's identity. */
export interface ControlPlaneIdentityOptions {
  /** The control plane's namespace (`enclii`). */
  readonly namespace: string;
}

const labels = (name: string) => commonLabels({ name, component: "control-plane" });

/** The subject every binding names. */
function subject(namespace: string): Obj {
  return { kind: "ServiceAccount", name: CONTROL_PLANE_IDENTITY.serviceAccount, namespace };
}

/** The ServiceAccount and its cluster-wide read access. */
export function renderControlPlaneIdentity(o: ControlPlaneIdentityOptions): Obj[] {
  const name = CONTROL_PLANE_IDENTITY.clusterRole;
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: {
        name: CONTROL_PLANE_IDENTITY.serviceAccount,
        namespace: o.namespace,
        labels: labels(CONTROL_PLANE_IDENTITY.serviceAccount),
      },
      // Only switchyard-api's pods mount a token (their pod spec asks for it).
      automountServiceAccountToken: false,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: { name, labels: labels(name) },
      rules: CLUSTER_RULES,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: { name, labels: labels(name) },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name },
      subjects: [subject(o.namespace)],
    },
  ];
}

/** Options of a tenant namespace's grant. */
export interface TenantAccessOptions {
  /** The tenant namespace the Role lives in. */
  readonly tenantNamespace: string;
  /** The control plane's namespace (where its ServiceAccount is). */
  readonly controlPlaneNamespace: string;
}

/** The Role and RoleBinding that let the control plane deploy into one tenant namespace. */
export function renderControlPlaneTenantAccess(o: TenantAccessOptions): Obj[] {
  const name = CONTROL_PLANE_IDENTITY.tenantRole;
  const metadata = { name, namespace: o.tenantNamespace, labels: labels(name) };
  return [
    { apiVersion: "rbac.authorization.k8s.io/v1", kind: "Role", metadata, rules: TENANT_NAMESPACE_RULES },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name },
      subjects: [subject(o.controlPlaneNamespace)],
    },
  ];
}
