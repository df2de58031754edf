/**
 * Which hostnames a namespace's HTTPRoutes may claim, enforced by the API server itself: a
 * ValidatingAdmissionPolicy (admissionregistration.k8s.io/v1, GA since Kubernetes 1.30) and its
 * binding. Pure.
 *
 * Each routable namespace lists its hostnames in the annotation {@link HOSTNAMES_ANNOTATION}
 * (comma-separated, set by the program on the Namespace it creates: components/tenancy/tenant-manifests.ts).
 * An HTTPRoute is admitted (create and update, any namespace) only when
 * - it lists `spec.hostnames`: a route without hostnames attached to the router's hostname-less
 *   listener would answer every hostname (gateway.networking.k8s.io_httproutes.yaml v1.6.1,
 *   `spec.hostnames`: "HTTPRoutes that have either not specified any hostnames" match the listener);
 * - every hostname is one of its namespace's: a tenant cannot claim another tenant's hostname, a
 *   platform hostname or a wildcard;
 * - every parentRef is the router's listener (components/edge/router-manifests.ts ROUTER_PARENT_REF).
 *
 * Why admission and not a listener per tenant: a Gateway has at most 64 listeners, and a listener
 * per tenant would make every onboarding an edit of the platform's Gateway. The annotation lives on
 * the Namespace, which the control plane may read but not change (components/control-plane/rbac.ts
 * CLUSTER_RULES), so the identity that writes HTTPRoutes cannot widen its own hostnames.
 *
 * CEL as the API server evaluates it: `object`, `namespaceObject` and `variables` are bound for a
 * namespaced request; `split` and `join` come from cel-go's strings extension, which the Kubernetes
 * CEL environment includes at version 2 from 1.29 on (kubernetes/kubernetes 002315b9
 * staging/src/k8s.io/apiserver/pkg/cel/environment/base.go, "String library":
 * `ext.Strings(ext.StringsVersion(2))`, IntroducedVersion 1.29). k3s here is 1.34.
 */
import { commonLabels } from "../shared/labels";

type Obj = Record<string, unknown>;

/** The Namespace annotation that lists the hostnames its HTTPRoutes may claim. */
export const HOSTNAMES_ANNOTATION = "enclii.dev/hostnames";

/** The policy's and the binding's name. */
export const HOSTNAME_POLICY = "enclii-route-hostnames";

/** Options of {@link renderHostnameAdmission}. */
export interface HostnameAdmissionOptions {
  /** The Gateway every route must attach to. */
  readonly gateway: { readonly name: string; readonly namespace: string };
}

/** The annotation value for a namespace's hostnames (sorted, comma-separated). @throws on an invalid hostname */
export function hostnamesAnnotation(hostnames: readonly string[]): string {
  const bad = hostnames.filter(
    (h) => !/^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)+$/.test(h),
  );
  if (bad.length > 0)
    throw new Error(`hostnames ${bad.join(", ")}: must be lowercase DNS names without wildcards`);
  return [...new Set(hostnames)].sort().join(",");
}

const ANNOTATIONS = "namespaceObject.metadata.annotations";

/** The ValidatingAdmissionPolicy and its binding. */
export function renderHostnameAdmission(o: HostnameAdmissionOptions): Obj[] {
  const meta = {
    name: HOSTNAME_POLICY,
    labels: commonLabels({ name: HOSTNAME_POLICY, component: "router" }),
  };
  const ref = `'${o.gateway.namespace}/${o.gateway.name}'`;
  return [
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicy",
      metadata: meta,
      spec: {
        failurePolicy: "Fail",
        matchConstraints: {
          resourceRules: [
            {
              apiGroups: ["gateway.networking.k8s.io"],
              apiVersions: ["*"],
              operations: ["CREATE", "UPDATE"],
              resources: ["httproutes"],
            },
          ],
        },
        variables: [
          {
            name: "allowed",
            expression: `has(${ANNOTATIONS}) && '${HOSTNAMES_ANNOTATION}' in ${ANNOTATIONS} ? ${ANNOTATIONS}['${HOSTNAMES_ANNOTATION}'].split(',') : []`,
          },
          { name: "hostnames", expression: "has(object.spec.hostnames) ? object.spec.hostnames : []" },
          {
            name: "foreign",
            expression: "variables.hostnames.filter(h, !(h in variables.allowed))",
          },
        ],
        validations: [
          {
            expression: "size(variables.hostnames) > 0",
            message:
              "spec.hostnames: list the hostnames this route serves (a route without hostnames would answer every hostname of the router); see docs/routing.md",
            reason: "Invalid",
          },
          {
            expression: "size(variables.foreign) == 0",
            messageExpression: `'spec.hostnames: ' + variables.foreign.join(', ') + ' not among the hostnames of namespace ' + namespaceObject.metadata.name + ' (annotation ${HOSTNAMES_ANNOTATION}: ' + (size(variables.allowed) == 0 ? 'none' : variables.allowed.join(', ')) + '); add the hostname to the tenant (tenants[].domains) instead'`,
            reason: "Forbidden",
          },
          {
            expression: `!has(object.spec.parentRefs) || object.spec.parentRefs.all(p, (!has(p.group) || p.group == 'gateway.networking.k8s.io') && (!has(p.kind) || p.kind == 'Gateway') && p.name == '${o.gateway.name}' && has(p.namespace) && p.namespace == '${o.gateway.namespace}')`,
            messageExpression: `'spec.parentRefs: a route attaches to the router only (Gateway ' + ${ref} + ')'`,
            reason: "Forbidden",
          },
        ],
      },
    },
    {
      apiVersion: "admissionregistration.k8s.io/v1",
      kind: "ValidatingAdmissionPolicyBinding",
      metadata: meta,
      spec: { policyName: HOSTNAME_POLICY, validationActions: ["Deny"] },
    },
  ];
}
