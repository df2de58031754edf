/**
 * system-upgrade-controller: the controller's own objects (least-privilege RBAC instead of the
 * upstream cluster-admin binding) and the two k3s upgrade Plans. Pure renderers.
 *
 * Changing `k3s.version` in the stack config changes the Plans' `version`; the controller then
 * upgrades servers one at a time, and agents only after every server is done. Each node is
 * cordoned, not drained (`cordon: true`, no `drain`): its pods keep running while k3s restarts
 * on the new binary, and the controller uncordons it when the job completes.
 *
 * Upstream facts (rancher/system-upgrade-controller v0.20.1, commit 0d144460):
 * - The controller registers the Plan CRD itself at every start and returns the error when it
 *   cannot (`pkg/upgrade/controller.go` 147-149 and 184-195, `main.go` 114-116: fatal). It
 *   creates the CRD or *replaces* it with a full Update of its embedded copy
 *   (`rancher/wrangler` v3.7.0-rc.1 `pkg/crd/crd.go` 79-106); there is no flag or variable that
 *   turns this off (`main.go` 37-88). So the controller owns the CRD and this program does not
 *   apply it (two writers would fight over every field on each controller restart).
 * - A node gets a job whenever it matches `spec.nodeSelector`, has `kubernetes.io/hostname`, and
 *   its `plan.upgrade.cattle.io/<plan>` label is not the plan's latest hash
 *   (`pkg/upgrade/plan/plan.go` 143-168); the version the node already runs is never looked at.
 *   A fresh node has no such label, so without {@link INSTALLED_VERSION_LABEL} it would get a
 *   job (and a cordon) right after joining, in the middle of the deploy that installed it.
 */

import { commonLabels } from "../shared/labels";
import { restrictedContainerSecurityContext, restrictedPodSecurityContext } from "../shared/pod";
import { IMAGES, imageRef } from "../versions";

type Obj = Record<string, unknown>;

/** Namespace, service account and names of the controller. */
export const SUC = {
  namespace: "system-upgrade",
  serviceAccount: "system-upgrade",
  name: "system-upgrade-controller",
} as const;

const labels = commonLabels({
  name: SUC.name,
  component: "upgrades",
  version: IMAGES.systemUpgradeController.tag,
});

/** Options of the Plans. */
export interface UpgradePlanOptions {
  /** Target k3s release, e.g. `v1.34.11+k3s1`. */
  readonly version: string;
  /** Nodes upgraded at once. */
  readonly concurrency: number;
}

const CONTROL_PLANE = "node-role.kubernetes.io/control-plane";

/**
 * Node label with the k3s release a node was installed with (`+` as `-`: label values allow no
 * `+`). The install script sets it once, when it installs k3s, through a config drop-in
 * (`renderInstallScript`); it never changes afterwards. The Plans skip nodes whose label is the
 * target version: a node freshly installed at the target gets no job, no cordon.
 */
export const INSTALLED_VERSION_LABEL = "enclii.dev/k3s-installed-version";

/** The {@link INSTALLED_VERSION_LABEL} value of a k3s release (upstream `MungeVersion`, plan.go 97-99). */
export function installedVersionLabelValue(version: string): string {
  return version.replaceAll("+", "-");
}

/** The Plans' node selector: the role's nodes, except those installed at the target version. */
function planNodeSelector(role: { key: string; operator: string; values?: string[] }, version: string) {
  return {
    matchExpressions: [
      role,
      { key: INSTALLED_VERSION_LABEL, operator: "NotIn", values: [installedVersionLabelValue(version)] },
    ],
  };
}

/** The server Plan and the agent Plan (which waits for the server Plan through `prepare`). */
export function renderUpgradePlans(options: UpgradePlanOptions): Obj[] {
  const upgrade = { image: IMAGES.k3sUpgrade.repository };
  const server = {
    apiVersion: "upgrade.cattle.io/v1",
    kind: "Plan",
    metadata: { name: "k3s-server", namespace: SUC.namespace, labels },
    spec: {
      concurrency: 1, // servers one by one: etcd keeps its quorum
      // Cordon, no drain: on one node a drain has nowhere to move pods to (runbook k3s-upgrade.md).
      cordon: true,
      nodeSelector: planNodeSelector(
        { key: CONTROL_PLANE, operator: "In", values: ["true"] },
        options.version,
      ),
      tolerations: [
        { key: "CriticalAddonsOnly", operator: "Exists" },
        { key: CONTROL_PLANE, operator: "Exists", effect: "NoSchedule" },
      ],
      serviceAccountName: SUC.serviceAccount,
      upgrade,
      version: options.version,
    },
  };
  const agent = {
    apiVersion: "upgrade.cattle.io/v1",
    kind: "Plan",
    metadata: { name: "k3s-agent", namespace: SUC.namespace, labels },
    spec: {
      concurrency: options.concurrency,
      cordon: true,
      nodeSelector: planNodeSelector({ key: CONTROL_PLANE, operator: "DoesNotExist" }, options.version),
      // Runs once the k3s-server Plan has upgraded every server.
      prepare: { image: IMAGES.k3sUpgrade.repository, args: ["prepare", "k3s-server"] },
      serviceAccountName: SUC.serviceAccount,
      upgrade,
      version: options.version,
    },
  };
  return [server, agent];
}

/**
 * RBAC of the controller: exactly upstream's least-privilege roles of v0.20.1
 * (`manifests/clusterrole.yaml`: ClusterRole lines 1-76, Role 78-103, drainer ClusterRole
 * 105-144), bound to the controller's ServiceAccount instead of cluster-admin. The
 * `customresourcedefinitions` rule (lines 14-24) is required: the controller registers its CRD
 * at every start and exits without it.
 */
export function renderControllerRbac(): Obj[] {
  const meta = (name: string, namespaced = false) => ({
    name,
    labels,
    ...(namespaced ? { namespace: SUC.namespace } : {}),
  });
  const subject = [{ kind: "ServiceAccount", name: SUC.serviceAccount, namespace: SUC.namespace }];
  const rules = (entries: [string[], string[], string[], string[]?][]) =>
    entries.map(([apiGroups, resources, verbs, resourceNames]) => ({
      apiGroups,
      resources,
      verbs,
      ...(resourceNames ? { resourceNames } : {}),
    }));
  return [
    {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: meta(SUC.serviceAccount, true),
      automountServiceAccountToken: true,
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: meta(SUC.name),
      rules: rules([
        [["batch"], ["jobs"], ["get", "list", "watch"]],
        [
          ["apiextensions.k8s.io"],
          ["customresourcedefinitions"],
          ["get", "list", "watch", "create", "patch", "update"],
        ],
        [[""], ["namespaces", "nodes"], ["get", "list", "watch"]],
        [[""], ["nodes"], ["update"]],
        [[""], ["events"], ["get", "create", "patch", "update"]],
        [["coordination.k8s.io"], ["leases"], ["create"]],
        [["coordination.k8s.io"], ["leases"], ["get", "update"], [SUC.name]],
        [
          ["upgrade.cattle.io"],
          ["plans", "plans/status"],
          ["get", "list", "watch", "create", "patch", "update", "delete"],
        ],
      ]),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRole",
      metadata: meta(`${SUC.name}-drainer`),
      rules: rules([
        [[""], ["pods/eviction"], ["create"]],
        [[""], ["pods"], ["get", "list", "delete"]],
        [[""], ["nodes"], ["get", "patch"]],
        [["apps"], ["statefulsets", "daemonsets", "replicasets"], ["get", "list"]],
      ]),
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: meta(SUC.name, true),
      rules: rules([
        [
          ["batch"],
          ["jobs"],
          ["create", "delete", "deletecollection", "patch", "update", "get", "list", "watch"],
        ],
        [[""], ["secrets"], ["get", "list", "watch"]],
      ]),
    },
    ...[SUC.name, `${SUC.name}-drainer`].map((role) => ({
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "ClusterRoleBinding",
      metadata: meta(role),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "ClusterRole", name: role },
      subjects: subject,
    })),
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: meta(SUC.name, true),
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: SUC.name },
      subjects: subject,
    },
  ];
}

/** The controller's settings and Deployment. */
export function renderControllerWorkload(): Obj[] {
  const selector = { "upgrade.cattle.io/controller": SUC.name };
  return [
    {
      apiVersion: "v1",
      kind: "ConfigMap",
      metadata: { name: "default-controller-env", namespace: SUC.namespace, labels },
      data: {
        SYSTEM_UPGRADE_CONTROLLER_DEBUG: "false",
        SYSTEM_UPGRADE_CONTROLLER_THREADS: "2",
        SYSTEM_UPGRADE_JOB_ACTIVE_DEADLINE_SECONDS: "900",
        SYSTEM_UPGRADE_JOB_BACKOFF_LIMIT: "99",
        SYSTEM_UPGRADE_JOB_IMAGE_PULL_POLICY: "IfNotPresent",
        SYSTEM_UPGRADE_JOB_PRIVILEGED: "true",
        SYSTEM_UPGRADE_JOB_TTL_SECONDS_AFTER_FINISH: "900",
        SYSTEM_UPGRADE_PLAN_POLLING_INTERVAL: "15m",
      },
    },
    {
      apiVersion: "apps/v1",
      kind: "Deployment",
      metadata: { name: SUC.name, namespace: SUC.namespace, labels },
      spec: {
        replicas: 1,
        selector: { matchLabels: selector },
        template: {
          // The label keeps the controller's own pod from being drained.
          metadata: { labels: { ...labels, ...selector } },
          spec: {
            serviceAccountName: SUC.serviceAccount,
            automountServiceAccountToken: true,
            securityContext: restrictedPodSecurityContext(65534),
            affinity: {
              nodeAffinity: {
                requiredDuringSchedulingIgnoredDuringExecution: {
                  nodeSelectorTerms: [
                    { matchExpressions: [{ key: CONTROL_PLANE, operator: "In", values: ["true"] }] },
                  ],
                },
              },
            },
            tolerations: [
              { key: "CriticalAddonsOnly", operator: "Exists" },
              { key: CONTROL_PLANE, operator: "Exists", effect: "NoSchedule" },
            ],
            containers: [
              {
                name: SUC.name,
                image: imageRef(IMAGES.systemUpgradeController),
                imagePullPolicy: "IfNotPresent",
                envFrom: [{ configMapRef: { name: "default-controller-env" } }],
                env: [
                  {
                    name: "SYSTEM_UPGRADE_CONTROLLER_NAME",
                    valueFrom: { fieldRef: { fieldPath: "metadata.labels['upgrade.cattle.io/controller']" } },
                  },
                  {
                    name: "SYSTEM_UPGRADE_CONTROLLER_NAMESPACE",
                    valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } },
                  },
                ],
                securityContext: restrictedContainerSecurityContext(),
                resources: {
                  requests: { cpu: "20m", memory: "64Mi" },
                  limits: { cpu: "200m", memory: "256Mi" },
                },
                volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
              },
            ],
            volumes: [{ name: "tmp", emptyDir: {} }],
          },
        },
      },
    },
  ];
}
