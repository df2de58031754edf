/**
 * The cert-manager API readiness gate: a Job the program owns that runs `cmctl check api` (the
 * startupapicheck image), so nothing that creates a Certificate, Issuer or ClusterIssuer is applied
 * before cert-manager's webhook answers.
 *
 * Why a Job of our own: `helm.v4.Chart` renders with `DisableHooks = true` and applies only the
 * release manifest (pulumi/pulumi-kubernetes provider/pkg/provider/helm/v4/chart.go, 94977969
 * lines 230 and 255-269; v4.32.0 line 225), so the chart's startupapicheck (a `post-install` hook
 * Job with a hook ServiceAccount and Role, cert-manager v1.20.2 values.yaml `startupapicheck.*`)
 * never exists. The chart's own copy is therefore disabled (`startupapicheck.enabled: false`).
 *
 * What the check does (cert-manager/cmctl 9f4f8916 pkg/check/api/api.go 105-145 polls
 * `cmapichecker.Check` every `--interval` until `--wait`; cert-manager v1.20.2
 * pkg/util/cmapichecker/cmapichecker.go 86-203): a namespaced, server-side dry-run create of a
 * valid CertificateRequest (the mutating webhook must set username/UID) and of an invalid one (the
 * validating webhook must deny it). So it proves the CRDs are served and both webhooks are reachable
 * with an injected CA bundle. It needs `create` on `certificaterequests` in its own namespace and
 * nothing else (the chart's startupapicheck-rbac.yaml grants exactly that).
 *
 * Pulumi waits for the Job: the provider's Job awaiter returns when the Job has the `Complete`
 * condition and fails on `Failed` (provider/pkg/await/job.go 40-79, awaiters.go 156: default 10
 * minutes, `customTimeouts` overrides). `pulumi.com/replaceUnready` makes a gate that failed in an
 * earlier `up` be replaced (run again) on the next one instead of awaited forever
 * (provider/pkg/provider/provider.go 1622-1635). A changed image (cert-manager bump) changes the
 * immutable pod template, which replaces the Job: the check runs again after every upgrade.
 */
import type * as pulumi from "@pulumi/pulumi";
import { commonLabels } from "../shared/labels";
import { createObjects } from "../shared/objects";
import { podDefaults, restrictedContainerSecurityContext } from "../shared/pod";
import { IMAGES, imageRef } from "../versions";

/** Name of the gate's Job, ServiceAccount, Role and RoleBinding. */
export const CERT_MANAGER_CHECK = "cert-manager-api-check";

/** How long `cmctl check api` polls before it gives up (`--wait`). */
export const CHECK_WAIT = "10m";

/** Attempts after a failed pod (each polls up to {@link CHECK_WAIT}). */
export const CHECK_BACKOFF_LIMIT = 1;

/** The Job's own deadline: two attempts of {@link CHECK_WAIT} plus image pulls and scheduling. */
export const CHECK_DEADLINE_SECONDS = 25 * 60;

/** Pulumi's wait for the Job: longer than its deadline, so the Job's own failure is what reports. */
export const CHECK_TIMEOUT = "30m";

/** The cert-manager images are distroless static binaries; any non-root UID runs them. */
const CHECK_UID = 1000;

type Obj = Record<string, unknown>;

/** The gate's objects: ServiceAccount, Role (dry-run create of CertificateRequests), RoleBinding, Job. */
export function renderCertManagerCheck(namespace: string): Obj[] {
  const labels = commonLabels({ name: CERT_MANAGER_CHECK, component: "readiness-gate" });
  const metadata = { name: CERT_MANAGER_CHECK, namespace, labels };
  return [
    { apiVersion: "v1", kind: "ServiceAccount", metadata, automountServiceAccountToken: false },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata,
      rules: [{ apiGroups: ["cert-manager.io"], resources: ["certificaterequests"], verbs: ["create"] }],
    },
    {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata,
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: CERT_MANAGER_CHECK },
      subjects: [{ kind: "ServiceAccount", name: CERT_MANAGER_CHECK, namespace }],
    },
    {
      apiVersion: "batch/v1",
      kind: "Job",
      metadata: { ...metadata, annotations: { "pulumi.com/replaceUnready": "true" } },
      spec: {
        backoffLimit: CHECK_BACKOFF_LIMIT,
        activeDeadlineSeconds: CHECK_DEADLINE_SECONDS,
        template: {
          metadata: { labels },
          spec: {
            ...podDefaults({ uid: CHECK_UID, needsApiAccess: true }),
            serviceAccountName: CERT_MANAGER_CHECK,
            restartPolicy: "Never",
            nodeSelector: { "kubernetes.io/os": "linux" },
            containers: [
              {
                name: "check",
                image: imageRef(IMAGES.certManagerStartupApiCheck),
                args: ["check", "api", `--wait=${CHECK_WAIT}`, "--interval=5s", "-v"],
                env: [
                  { name: "POD_NAMESPACE", valueFrom: { fieldRef: { fieldPath: "metadata.namespace" } } },
                ],
                securityContext: restrictedContainerSecurityContext(),
                resources: {
                  requests: { cpu: "10m", memory: "32Mi" },
                  limits: { cpu: "100m", memory: "64Mi" },
                },
              },
            ],
          },
        },
      },
    },
  ];
}

/**
 * Creates the gate after `chart` and returns the Job: the resource every cert-manager consumer
 * depends on.
 */
export function createCertManagerCheck(
  prefix: string,
  namespaceName: string,
  namespace: pulumi.Input<string>,
  opts: pulumi.CustomResourceOptions & { dependsOn: pulumi.Input<pulumi.Resource>[] },
): pulumi.CustomResource {
  const [account, role, binding, job] = renderCertManagerCheck(namespaceName) as [Obj, Obj, Obj, Obj];
  const access = createObjects(prefix, [account, role, binding], opts, namespace);
  const [gate] = createObjects(
    prefix,
    [job],
    {
      ...opts,
      dependsOn: [...opts.dependsOn, ...access],
      customTimeouts: { create: CHECK_TIMEOUT, update: CHECK_TIMEOUT },
    },
    namespace,
  );
  return gate as pulumi.CustomResource;
}
