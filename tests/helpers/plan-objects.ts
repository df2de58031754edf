/**
 * A plan's Kubernetes objects on their way to a test API server: read from `manifests/`, ordered
 * as they must be created, secret placeholders made valid, Pods built from workload templates, and
 * the two kube-controller-manager controllers whose absence admission would otherwise trip over.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parse } from "yaml";
import { SECRET } from "../../scripts/lib/mock-runtime";
import { type ApiServerConnection, apiRequest } from "./kube-apiserver";
import { apply, type Discovery, statusMessage } from "./kube-client";
import { listFiles } from "./plan-cli";

export type Obj = Record<string, unknown>;

/** One rendered object and the manifest file it came from. */
export interface PlanObject {
  readonly file: string;
  readonly object: Obj;
}

/** Every object of a plan folder's `manifests/`. */
export function planObjects(planDir: string): PlanObject[] {
  return listFiles(join(planDir, "manifests"))
    .filter((f) => f.endsWith(".yaml"))
    .sort()
    .map((file) => ({ file, object: parse(readFileSync(join(planDir, "manifests", file), "utf8")) as Obj }));
}

/**
 * Creation order by kind: Helm's install order (helm/helm v3 pkg/releaseutil/kind_sorter.go
 * InstallOrder), CRDs first as the issue asks; kinds it does not list (custom resources) last.
 */
export const INSTALL_ORDER = [
  "CustomResourceDefinition",
  "PriorityClass",
  "Namespace",
  "NetworkPolicy",
  "ResourceQuota",
  "LimitRange",
  "PodSecurityPolicy",
  "PodDisruptionBudget",
  "ServiceAccount",
  "Secret",
  "SecretList",
  "ConfigMap",
  "StorageClass",
  "PersistentVolume",
  "PersistentVolumeClaim",
  "ClusterRole",
  "ClusterRoleList",
  "ClusterRoleBinding",
  "ClusterRoleBindingList",
  "Role",
  "RoleList",
  "RoleBinding",
  "RoleBindingList",
  "Service",
  "DaemonSet",
  "Pod",
  "ReplicationController",
  "ReplicaSet",
  "Deployment",
  "HorizontalPodAutoscaler",
  "StatefulSet",
  "Job",
  "CronJob",
  "IngressClass",
  "Ingress",
  "APIService",
];

/** `objects` in {@link INSTALL_ORDER} (stable within a kind). */
export function installOrder(objects: readonly PlanObject[]): PlanObject[] {
  const rank = (o: PlanObject) => {
    const i = INSTALL_ORDER.indexOf(String(o.object.kind));
    return i === -1 ? INSTALL_ORDER.length : i;
  };
  return [...objects].sort((a, b) => rank(a) - rank(b));
}

/**
 * The object with the plan's `[secret]` placeholders replaced by values of the right form: the
 * plan never holds a secret, but the API server validates some (k8s.io/kubernetes v1.34.4
 * pkg/apis/core/validation/validation.go ValidateSecret: a `kubernetes.io/dockerconfigjson`
 * Secret's `.dockerconfigjson` must be JSON; `data` values are base64 in JSON).
 */
export function withPlaceholderSecrets(object: Obj): Obj {
  const value = (key: string) => (key === ".dockerconfigjson" ? '{"auths":{}}' : "placeholder");
  const walk = (v: unknown, key: string, inData: boolean): unknown => {
    if (v === SECRET) return inData ? Buffer.from(value(key)).toString("base64") : value(key);
    if (Array.isArray(v)) return v.map((x) => walk(x, key, inData));
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.entries(v as Obj).map(([k, x]) => [
          k,
          walk(x, k, inData || (object.kind === "Secret" && k === "data")),
        ]),
      );
    }
    return v;
  };
  return walk(object, "", false) as Obj;
}

/** The pod template of a workload (Deployment, StatefulSet, DaemonSet, ReplicaSet, Job, CronJob). */
export function podTemplate(object: Obj): Obj | undefined {
  const spec = object.spec as Obj | undefined;
  if (!spec) return undefined;
  if (object.kind === "CronJob")
    return ((spec.jobTemplate as Obj | undefined)?.spec as Obj | undefined)?.template as Obj;
  if (["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"].includes(String(object.kind))) {
    return spec.template as Obj | undefined;
  }
  return undefined;
}

/**
 * The Pod a workload's controller would create from its template, in the workload's namespace.
 * A StatefulSet's controller also gives the pod a volume per volumeClaimTemplate, claiming
 * `<template>-<set>-<ordinal>` (k8s.io/kubernetes v1.34.4 pkg/controller/statefulset/
 * stateful_set_utils.go 118-121 getPersistentVolumeClaimName, 413-435 updateStorage).
 */
export function podFromTemplate(object: Obj): Obj | undefined {
  const template = podTemplate(object);
  if (!template) return undefined;
  const metadata = (object.metadata ?? {}) as Obj;
  const templateMeta = (template.metadata ?? {}) as Obj;
  const spec = { ...(template.spec as Obj) };
  if (object.kind === "StatefulSet") {
    const claims = (((object.spec as Obj).volumeClaimTemplates ?? []) as Obj[]).map((c) =>
      String((c.metadata as Obj).name),
    );
    const others = ((spec.volumes ?? []) as Obj[]).filter((v) => !claims.includes(String(v.name)));
    spec.volumes = [
      ...claims.map((name) => ({
        name,
        persistentVolumeClaim: { claimName: `${name}-${String(metadata.name)}-0`, readOnly: false },
      })),
      ...others,
    ];
  }
  return {
    apiVersion: "v1",
    kind: "Pod",
    metadata: {
      ...templateMeta,
      name: `${String(metadata.name)}-pod`.slice(0, 63),
      namespace: metadata.namespace,
    },
    spec,
  };
}

/**
 * What kube-controller-manager's serviceaccounts controller does for every namespace: create the
 * `default` ServiceAccount (k8s.io/kubernetes v1.34.4
 * pkg/controller/serviceaccount/serviceaccounts_controller.go 54-58). The ServiceAccount admission
 * plugin refuses a pod whose ServiceAccount does not exist (plugin/pkg/admission/serviceaccount/
 * admission.go 162), and the test API server runs no controller manager.
 */
export async function ensureDefaultServiceAccount(
  conn: ApiServerConnection,
  d: Discovery,
  namespace: string,
) {
  const res = await apply(
    conn,
    d,
    { apiVersion: "v1", kind: "ServiceAccount", metadata: { name: "default", namespace } },
    { fieldManager: "kube-controller-manager" },
  );
  if (res.status >= 300) throw new Error(`default ServiceAccount in ${namespace}: ${statusMessage(res)}`);
}

/**
 * What kube-controller-manager's resource quota controller does for a new ResourceQuota: fill
 * `status.hard` and `status.used` with the namespace's current usage. Until it has, the quota
 * admission plugin refuses every object the quota counts ("status unknown for quota":
 * k8s.io/apiserver v0.34.4 pkg/admission/plugin/resourcequota/controller.go 473-474, 766-777);
 * after that, admission itself adds each admitted object to `used`. Usage is counted from the
 * objects stored: objects by count, Services by type, PVC storage requests; the test API server
 * stores no Pod, so pod and compute usage is zero.
 */
export async function initializeQuotaStatus(
  conn: ApiServerConnection,
  d: Discovery,
  quota: Obj,
): Promise<void> {
  const metadata = quota.metadata as { name: string; namespace: string };
  const hard = ((quota.spec as Obj | undefined)?.hard ?? {}) as Record<string, string>;
  const list = async (apiVersion: string, kind: string) => {
    const resource = await d.resource(apiVersion, kind);
    const base = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    const res = await apiRequest(conn, "GET", `${base}/namespaces/${metadata.namespace}/${resource.name}`);
    return (res.body.items ?? []) as Obj[];
  };
  const counted: Record<string, [string, string]> = {
    configmaps: ["v1", "ConfigMap"],
    secrets: ["v1", "Secret"],
    services: ["v1", "Service"],
    persistentvolumeclaims: ["v1", "PersistentVolumeClaim"],
    replicationcontrollers: ["v1", "ReplicationController"],
    resourcequotas: ["v1", "ResourceQuota"],
    "jobs.batch": ["batch/v1", "Job"],
    "cronjobs.batch": ["batch/v1", "CronJob"],
    "deployments.apps": ["apps/v1", "Deployment"],
    "statefulsets.apps": ["apps/v1", "StatefulSet"],
  };
  const used: Record<string, string> = {};
  for (const key of Object.keys(hard)) {
    const name = key.replace(/^count\//, "");
    const source = counted[name];
    if (source) used[key] = String((await list(...source)).length);
    else if (key === "services.loadbalancers" || key === "services.nodeports") {
      const type = key === "services.loadbalancers" ? "LoadBalancer" : "NodePort";
      used[key] = String(
        (await list("v1", "Service")).filter((s) => (s.spec as Obj | undefined)?.type === type).length,
      );
    } else if (key === "requests.storage") {
      const claims = await list("v1", "PersistentVolumeClaim");
      if (claims.length > 0)
        throw new Error(`quota ${metadata.name}: PVC storage usage is not counted by the harness`);
      used[key] = "0";
    } else used[key] = "0";
  }
  const res = await apiRequest(
    conn,
    "PATCH",
    `/api/v1/namespaces/${metadata.namespace}/resourcequotas/${metadata.name}/status?fieldManager=kube-controller-manager&force=true`,
    { apiVersion: "v1", kind: "ResourceQuota", metadata, status: { hard, used } },
    { contentType: "application/apply-patch+yaml" },
  );
  if (res.status >= 300) throw new Error(`quota ${metadata.name} status: ${statusMessage(res)}`);
}
