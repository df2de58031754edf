/**
 * A small evaluator of Kubernetes RBAC over rendered objects: "may this subject do this verb on
 * this resource here", answered as the API server's RBAC authorizer answers it. Pure.
 *
 * Followed from kubernetes v1.34.0:
 * - `plugin/pkg/auth/authorizer/rbac/rbac.go` `RuleAllows` (lines 176-195): a resource request
 *   matches a rule when its verb, API group, resource (`<resource>/<subresource>` combined) and
 *   name match (only resource requests are modelled here).
 * - `pkg/apis/rbac/v1/evaluation_helpers.go` (lines 27-100): `*` matches every verb, group and
 *   resource, a `*` before `/<subresource>` matches that subresource of any resource, an empty
 *   `resourceNames` matches every name, and `pods` does not match `pods/log`.
 * - `pkg/registry/rbac/validation/rule.go` `VisitRulesFor` and `appliesToUser` (lines 178-330): a
 *   ClusterRoleBinding grants its role everywhere; a RoleBinding grants its Role or ClusterRole
 *   only in the binding's namespace; a ServiceAccount subject matches
 *   `system:serviceaccount:<namespace>:<name>`; a Group subject matches the user's groups, and a
 *   service account's groups are `system:serviceaccounts`, `system:serviceaccounts:<namespace>`
 *   and `system:authenticated`.
 *
 * Only the objects given are considered: the roles k3s bootstraps (`system:*`) are not, so an
 * answer of "no" means "no rule the program renders allows it".
 */

type Obj = Record<string, unknown>;

/** One rule of a Role or ClusterRole. */
interface PolicyRule {
  readonly verbs?: string[];
  readonly apiGroups?: string[];
  readonly resources?: string[];
  readonly resourceNames?: string[];
  readonly nonResourceURLs?: string[];
}

/** A request as the authorizer sees it. */
export interface RbacRequest {
  readonly verb: string;
  /** `""` for the core group. */
  readonly apiGroup: string;
  readonly resource: string;
  readonly subresource?: string;
  /** Undefined for a cluster-scoped request (namespaces, nodes, ClusterRoles). */
  readonly namespace?: string;
  readonly name?: string;
}

/** A service account, the subject the platform's workloads run as. */
export interface ServiceAccountRef {
  readonly namespace: string;
  readonly name: string;
}

const has = (list: readonly string[] | undefined, value: string) =>
  (list ?? []).some((v) => v === "*" || v === value);

function resourceMatches(rule: PolicyRule, resource: string, subresource: string | undefined): boolean {
  const combined = subresource ? `${resource}/${subresource}` : resource;
  return (rule.resources ?? []).some(
    (r) => r === "*" || r === combined || (subresource !== undefined && r === `*/${subresource}`),
  );
}

/** Whether one rule allows the request (rbac.go `RuleAllows`). */
export function ruleAllows(rule: PolicyRule, request: RbacRequest): boolean {
  // The API server's RequestInfo carries no name for a create or a deletecollection of the
  // resource itself (apiserver pkg/endpoints/request/requestinfo.go): a test naming one would
  // "prove" a resourceNames restriction that never applies.
  if (
    request.name !== undefined &&
    !request.subresource &&
    ["create", "deletecollection"].includes(request.verb)
  )
    throw new Error(`rbac-eval: a ${request.verb} request carries no name (got ${request.name})`);
  const names = rule.resourceNames ?? [];
  return (
    has(rule.verbs, request.verb) &&
    (rule.apiGroups ?? []).some((g) => g === "*" || g === request.apiGroup) &&
    resourceMatches(rule, request.resource, request.subresource) &&
    (names.length === 0 || (request.name !== undefined && names.includes(request.name)))
  );
}

function subjectApplies(subject: Obj, sa: ServiceAccountRef, bindingNamespace: string | undefined): boolean {
  if (subject.kind === "ServiceAccount") {
    // An empty subject namespace on a RoleBinding means the binding's own namespace.
    const ns = (subject.namespace as string | undefined) || bindingNamespace;
    return subject.name === sa.name && ns === sa.namespace;
  }
  if (subject.kind === "User") return subject.name === `system:serviceaccount:${sa.namespace}:${sa.name}`;
  if (subject.kind === "Group") {
    return [
      "system:serviceaccounts",
      `system:serviceaccounts:${sa.namespace}`,
      "system:authenticated",
    ].includes(subject.name as string);
  }
  return false;
}

const metaOf = (o: Obj) => (o.metadata ?? {}) as { name?: string; namespace?: string };

/** The rules that apply to a service account in a namespace (or cluster-wide when undefined). */
export function rulesFor(objects: readonly Obj[], sa: ServiceAccountRef, namespace?: string): PolicyRule[] {
  const roles = (kind: string, ns?: string) =>
    objects.filter((o) => o.kind === kind && (ns === undefined || metaOf(o).namespace === ns));
  const rulesOf = (kind: string, name: string, ns?: string): PolicyRule[] =>
    roles(kind, ns)
      .filter((r) => metaOf(r).name === name)
      .flatMap((r) => (r.rules as PolicyRule[] | undefined) ?? []);
  const rules: PolicyRule[] = [];
  for (const binding of objects) {
    if (binding.kind !== "ClusterRoleBinding" && binding.kind !== "RoleBinding") continue;
    const bindingNs = metaOf(binding).namespace;
    if (binding.kind === "RoleBinding" && bindingNs !== namespace) continue;
    const subjects = (binding.subjects as Obj[] | undefined) ?? [];
    if (!subjects.some((s) => subjectApplies(s, sa, bindingNs))) continue;
    const ref = binding.roleRef as { kind: string; name: string };
    rules.push(
      ...(ref.kind === "ClusterRole"
        ? rulesOf("ClusterRole", ref.name)
        : rulesOf("Role", ref.name, bindingNs)),
    );
  }
  return rules;
}

/** Whether the rendered RBAC lets the service account make the request. */
export function mayDo(objects: readonly Obj[], sa: ServiceAccountRef, request: RbacRequest): boolean {
  return rulesFor(objects, sa, request.namespace).some((rule) => ruleAllows(rule, request));
}
