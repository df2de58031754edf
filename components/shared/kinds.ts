/**
 * Picks the Pulumi class for a rendered Kubernetes object (plain data) by its apiVersion and kind.
 *
 * Why: the provider reads an object's group, version and kind from the resource *type token*, not
 * from its inputs (pulumi-kubernetes `provider/pkg/provider/provider.go`, `gvkFromURN`, lines
 * 2710-2733 at 94977969: the token's module is split on "/" and must have exactly two parts, the
 * group `core` meaning the core group; otherwise Check fails with "apiVersion does not have both a
 * group and a version"). `k8s.apiextensions.CustomResource` builds its token as
 * `kubernetes:${apiVersion}:${kind}` (`sdk/nodejs/apiextensions/customResource.ts`), so a core
 * object (`apiVersion: v1`) would get `kubernetes:v1:Namespace` and never pass Check. Built-in
 * kinds therefore go through their typed classes (`kubernetes:core/v1:Namespace`,
 * `kubernetes:apps/v1:Deployment`, ...); CustomResource is only for kinds a CRD defines, whose
 * apiVersion always has a group.
 *
 * No aliases: no stack could have been deployed with the `kubernetes:v1:` tokens (Check rejects
 * them before any create), so there is no state under the old type to carry over.
 */
import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";

type Obj = Record<string, unknown>;

/** A typed resource class of the Kubernetes SDK, seen through what the factory needs of it. */
type KubernetesClass = new (
  name: string,
  args: Obj,
  opts?: pulumi.CustomResourceOptions,
) => pulumi.CustomResource;

function classes(apiVersion: string, byKind: Record<string, unknown>): [string, KubernetesClass][] {
  return Object.entries(byKind).map(([kind, cls]) => [`${apiVersion}/${kind}`, cls as KubernetesClass]);
}

/** Typed classes by `<apiVersion>/<kind>`. */
const TYPED: ReadonlyMap<string, KubernetesClass> = new Map([
  ...classes("v1", {
    ConfigMap: k8s.core.v1.ConfigMap,
    Endpoints: k8s.core.v1.Endpoints,
    LimitRange: k8s.core.v1.LimitRange,
    Namespace: k8s.core.v1.Namespace,
    PersistentVolume: k8s.core.v1.PersistentVolume,
    PersistentVolumeClaim: k8s.core.v1.PersistentVolumeClaim,
    Pod: k8s.core.v1.Pod,
    PodTemplate: k8s.core.v1.PodTemplate,
    ReplicationController: k8s.core.v1.ReplicationController,
    ResourceQuota: k8s.core.v1.ResourceQuota,
    Secret: k8s.core.v1.Secret,
    Service: k8s.core.v1.Service,
    ServiceAccount: k8s.core.v1.ServiceAccount,
  }),
  ...classes("apps/v1", {
    ControllerRevision: k8s.apps.v1.ControllerRevision,
    DaemonSet: k8s.apps.v1.DaemonSet,
    Deployment: k8s.apps.v1.Deployment,
    ReplicaSet: k8s.apps.v1.ReplicaSet,
    StatefulSet: k8s.apps.v1.StatefulSet,
  }),
  ...classes("batch/v1", { CronJob: k8s.batch.v1.CronJob, Job: k8s.batch.v1.Job }),
  ...classes("networking.k8s.io/v1", {
    Ingress: k8s.networking.v1.Ingress,
    IngressClass: k8s.networking.v1.IngressClass,
    NetworkPolicy: k8s.networking.v1.NetworkPolicy,
  }),
  ...classes("policy/v1", { PodDisruptionBudget: k8s.policy.v1.PodDisruptionBudget }),
  ...classes("rbac.authorization.k8s.io/v1", {
    ClusterRole: k8s.rbac.v1.ClusterRole,
    ClusterRoleBinding: k8s.rbac.v1.ClusterRoleBinding,
    Role: k8s.rbac.v1.Role,
    RoleBinding: k8s.rbac.v1.RoleBinding,
  }),
  ...classes("autoscaling/v1", { HorizontalPodAutoscaler: k8s.autoscaling.v1.HorizontalPodAutoscaler }),
  ...classes("autoscaling/v2", { HorizontalPodAutoscaler: k8s.autoscaling.v2.HorizontalPodAutoscaler }),
  ...classes("admissionregistration.k8s.io/v1", {
    MutatingWebhookConfiguration: k8s.admissionregistration.v1.MutatingWebhookConfiguration,
    ValidatingAdmissionPolicy: k8s.admissionregistration.v1.ValidatingAdmissionPolicy,
    ValidatingAdmissionPolicyBinding: k8s.admissionregistration.v1.ValidatingAdmissionPolicyBinding,
    ValidatingWebhookConfiguration: k8s.admissionregistration.v1.ValidatingWebhookConfiguration,
  }),
  ...classes("apiextensions.k8s.io/v1", {
    CustomResourceDefinition: k8s.apiextensions.v1.CustomResourceDefinition,
  }),
  ...classes("storage.k8s.io/v1", {
    CSIDriver: k8s.storage.v1.CSIDriver,
    StorageClass: k8s.storage.v1.StorageClass,
    VolumeAttachment: k8s.storage.v1.VolumeAttachment,
  }),
  ...classes("scheduling.k8s.io/v1", { PriorityClass: k8s.scheduling.v1.PriorityClass }),
  ...classes("coordination.k8s.io/v1", { Lease: k8s.coordination.v1.Lease }),
  ...classes("discovery.k8s.io/v1", { EndpointSlice: k8s.discovery.v1.EndpointSlice }),
  ...classes("node.k8s.io/v1", { RuntimeClass: k8s.node.v1.RuntimeClass }),
]);

/**
 * API groups the API server serves itself (no CRD defines a kind in them). An object of one of
 * these groups with a kind missing from the table is a gap in the table, never a custom resource.
 * Groups such as `gateway.networking.k8s.io` or `snapshot.storage.k8s.io` are CRDs and are not here.
 */
const BUILT_IN_GROUPS: ReadonlySet<string> = new Set([
  "",
  "admissionregistration.k8s.io",
  "apiextensions.k8s.io",
  "apiregistration.k8s.io",
  "apps",
  "authentication.k8s.io",
  "authorization.k8s.io",
  "autoscaling",
  "batch",
  "certificates.k8s.io",
  "coordination.k8s.io",
  "discovery.k8s.io",
  "events.k8s.io",
  "flowcontrol.apiserver.k8s.io",
  "networking.k8s.io",
  "node.k8s.io",
  "policy",
  "rbac.authorization.k8s.io",
  "resource.k8s.io",
  "scheduling.k8s.io",
  "storage.k8s.io",
]);

/** The API group of an apiVersion (`""` for the core group's `v1`). */
export function apiGroup(apiVersion: string): string {
  const slash = apiVersion.indexOf("/");
  return slash < 0 ? "" : apiVersion.slice(0, slash);
}

/** Every apiVersion/kind the factory creates through a typed class. */
export function typedKinds(): { apiVersion: string; kind: string }[] {
  return [...TYPED.keys()].map((key) => {
    const slash = key.lastIndexOf("/");
    return { apiVersion: key.slice(0, slash), kind: key.slice(slash + 1) };
  });
}

/**
 * Creates one Pulumi resource for a rendered object: its typed class for a built-in kind, a
 * CustomResource for a CRD kind. Throws for a built-in group's kind the table does not list, so a
 * new core kind cannot slip back into a `kubernetes:v1:` token.
 */
export function createObject(
  name: string,
  object: Obj,
  opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
  const apiVersion = String(object.apiVersion);
  const kind = String(object.kind);
  const typed = TYPED.get(`${apiVersion}/${kind}`);
  if (typed) return new typed(name, object, opts);
  if (BUILT_IN_GROUPS.has(apiGroup(apiVersion))) {
    throw new Error(
      `${name}: no typed class for built-in kind ${apiVersion} ${kind}; add it to components/shared/kinds.ts ` +
        "(a CustomResource would get a type token the provider cannot parse)",
    );
  }
  return new k8s.apiextensions.CustomResource(
    name,
    object as unknown as k8s.apiextensions.CustomResourceArgs,
    opts,
  );
}
