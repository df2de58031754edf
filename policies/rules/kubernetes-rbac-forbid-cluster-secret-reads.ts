import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { RBAC_EXEMPTION_SCHEMA, type RbacExemptions, rbacExemption } from "../lib/rbac-exemptions";
import { readsSecrets, rulesOf } from "../lib/rbac-rules";
import { kubernetesObjects } from "../lib/stack";

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped JSON
type Obj = Record<string, any>;

/**
 * Built-in ClusterRoles that read Secrets: `admin` and `edit` get/list/watch them, `cluster-admin`
 * everything (kubernetes plugin/pkg/auth/authorizer/rbac/bootstrappolicy/policy.go
 * ClusterRoles: `edit` adds secrets read and write, `view` deliberately leaves Secrets out). They
 * are not in the stack, so their names stand for their rules.
 */
const BUILTIN_SECRET_READERS = ["cluster-admin", "admin", "edit"];

/** A ClusterRole's rules, an aggregated one's being those of the roles its selectors match. */
function clusterRoleRules(role: Obj, roles: readonly Obj[]): Obj[] {
  const selectors = (role.aggregationRule?.clusterRoleSelectors ?? []) as Obj[];
  if (selectors.length === 0) return rulesOf(role);
  const matching = roles.filter((r) =>
    selectors.some((s) =>
      Object.entries(s.matchLabels ?? {}).every(([k, v]) => r.metadata?.labels?.[k] === v),
    ),
  );
  return matching.flatMap((r) => rulesOf(r));
}

/**
 * No ClusterRoleBinding gives anyone Secret reads in every namespace: a subject that can get,
 * list or watch all Secrets holds every credential of the cluster (the RBAC authorizer grants a
 * ClusterRoleBinding's role in all namespaces: kubernetes pkg/registry/rbac/validation/rule.go
 * VisitRulesFor). A role bound per namespace with a RoleBinding is fine. Needs the stack view to
 * join bindings to roles; rules limited by resourceNames read only those Secrets and pass.
 * Upstream charts' bindings are exempt one by one (policies/lib/rbac-exemptions.ts).
 */
export const kubernetesRbacForbidClusterSecretReads: StackValidationPolicy = {
  name: "kubernetes-rbac-forbid-cluster-secret-reads",
  description:
    "No ClusterRoleBinding binds a ClusterRole that gets, lists or watches Secrets (its own rules, an aggregated role's, or the built-in admin, edit and cluster-admin); named upstream chart bindings are exempt with their reason.",
  enforcementLevel: "mandatory",
  severity: "critical",
  remediationSteps:
    "Bind the role per namespace with a RoleBinding, or name the Secrets in resourceNames. An upstream chart's binding needs an entry in policies/lib/rbac-exemptions.ts citing its template.",
  configSchema: RBAC_EXEMPTION_SCHEMA,
  validateStack: (args, reportViolation) => {
    const config = args.getConfig<{ exemptions?: RbacExemptions }>();
    const objects = kubernetesObjects(args.resources);
    const roles = objects.filter((o) => o.props.kind === "ClusterRole").map((o) => o.props);
    const bindings = objects.filter((o) => o.props.kind === "ClusterRoleBinding");
    for (const { resource, props } of bindings as { resource: PolicyResource; props: Obj }[]) {
      if (props.roleRef?.kind !== "ClusterRole") continue;
      if (rbacExemption("ClusterRoleBinding", resource.urn, "cluster-secret-reads", config)) continue;
      const roleName = String(props.roleRef?.name);
      const role = roles.find((r) => r.metadata?.name === roleName);
      const reads = role
        ? clusterRoleRules(role, roles).some(readsSecrets)
        : BUILTIN_SECRET_READERS.includes(roleName);
      if (!reads) continue;
      const subjects = ((props.subjects ?? []) as Obj[])
        .map((s) => `${s.kind} ${s.namespace ? `${s.namespace}/` : ""}${s.name}`)
        .join(", ");
      reportViolation(
        `ClusterRoleBinding ${props.metadata?.name}: ClusterRole ${roleName} reads Secrets and is bound cluster-wide (to ${subjects || "no subject"}); bind it per namespace with a RoleBinding`,
        resource.urn,
      );
    }
  },
};
