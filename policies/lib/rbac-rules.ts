/**
 * What an RBAC rule grants, for the RBAC policies: wildcards, the verbs that escalate, and Secret
 * reads. Built on components/shared/rbac-eval.ts `ruleAllows` (kubernetes v1.34.0 rbac.go
 * RuleAllows and evaluation_helpers.go).
 */
import { type RbacRequest, ruleAllows } from "../../components/shared/rbac-eval";

// biome-ignore lint/suspicious/noExplicitAny: manifests are untyped JSON
type Obj = Record<string, any>;

/** The rules of a Role or ClusterRole object. */
export const rulesOf = (props: Obj): Obj[] => (Array.isArray(props?.rules) ? props.rules : []);

/** How a rule is named in messages: its resources (with groups) and verbs. */
export function describeRule(rule: Obj): string {
  const groups = (rule.apiGroups ?? []) as string[];
  const resources = ((rule.resources ?? rule.nonResourceURLs ?? []) as string[]).join(", ");
  const where =
    groups.length === 0 || groups.every((g) => g === "")
      ? resources
      : `${resources} (${groups.map((g) => g || "core").join(", ")})`;
  return `${where}: ${((rule.verbs ?? []) as string[]).join(", ")}`;
}

/** The fields of a rule that hold a `*`. */
export function wildcardFields(rule: Obj): string[] {
  const star = (list: unknown) =>
    Array.isArray(list) && list.some((v) => v === "*" || /^\*\//.test(String(v)));
  return ["verbs", "apiGroups", "resources", "nonResourceURLs"].filter((f) => star(rule[f]));
}

/**
 * Requests that let a subject raise its own privileges (kubernetes docs, "Using RBAC
 * Authorization", privilege escalation prevention: `escalate` and `bind` on roles, and
 * `impersonate` on users, groups, service accounts, uids and user extras).
 */
const ESCALATIONS: readonly (RbacRequest & { what: string })[] = [
  ...["roles", "clusterroles"].flatMap((resource) =>
    ["escalate", "bind"].map((verb) => ({
      what: `${verb} on ${resource}`,
      verb,
      apiGroup: "rbac.authorization.k8s.io",
      resource,
    })),
  ),
  ...["users", "groups", "serviceaccounts"].map((resource) => ({
    what: `impersonate ${resource}`,
    verb: "impersonate",
    apiGroup: "",
    resource,
  })),
  { what: "impersonate uids", verb: "impersonate", apiGroup: "authentication.k8s.io", resource: "uids" },
];

/**
 * The escalations a rule grants. `resourceNames` is ignored: binding or impersonating even one
 * named role or user can be a step up, and a named grant is still a grant.
 */
export function escalationsOf(rule: Obj): string[] {
  const unnamed = { ...rule, resourceNames: [] };
  const found = ESCALATIONS.filter((r) => ruleAllows(unnamed, r)).map((r) => r.what);
  const extras = ((rule.resources ?? []) as string[]).some((r) => r.startsWith("userextras"));
  if (
    extras &&
    ruleAllows(
      { ...unnamed, resources: ["userextras"] },
      { verb: "impersonate", apiGroup: "authentication.k8s.io", resource: "userextras" },
    )
  )
    found.push("impersonate userextras");
  return found;
}

/** Whether a rule lets its subject read Secrets by any name (get, list or watch). */
export function readsSecrets(rule: Obj): boolean {
  return ["get", "list", "watch"].some((verb) =>
    ruleAllows(rule, { verb, apiGroup: "", resource: "secrets" }),
  );
}
