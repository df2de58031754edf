/**
 * The RBAC evaluator answers as the API server's authorizer does. Each case follows kubernetes
 * v1.34.0 `pkg/apis/rbac/v1/evaluation_helpers.go` (VerbMatches, APIGroupMatches, ResourceMatches,
 * ResourceNameMatches, lines 27-100), `plugin/pkg/auth/authorizer/rbac/rbac.go` (RuleAllows, lines
 * 176-195) and `pkg/registry/rbac/validation/rule.go` (VisitRulesFor, appliesToUser).
 */
import { describe, expect, it } from "vitest";
import { mayDo, ruleAllows } from "../../components/shared/rbac-eval";

const sa = { namespace: "enclii", name: "switchyard-api" };
const role = (kind: "Role" | "ClusterRole", name: string, rules: object[], namespace?: string) => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind,
  metadata: { name, ...(namespace ? { namespace } : {}) },
  rules,
});
const binding = (
  kind: "RoleBinding" | "ClusterRoleBinding",
  roleRef: { kind: string; name: string },
  subjects: object[],
  namespace?: string,
) => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind,
  metadata: { name: "b", ...(namespace ? { namespace } : {}) },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", ...roleRef },
  subjects,
});
const saSubject = { kind: "ServiceAccount", name: "switchyard-api", namespace: "enclii" };

describe("RBAC rule matching (evaluation_helpers.go)", () => {
  const pods = { verbs: ["get"], apiGroups: [""], resources: ["pods"] };

  it("does not let `pods` cover the `pods/log` or `pods/exec` subresources", () => {
    expect(ruleAllows(pods, { verb: "get", apiGroup: "", resource: "pods" })).toBe(true);
    expect(ruleAllows(pods, { verb: "get", apiGroup: "", resource: "pods", subresource: "log" })).toBe(false);
  });

  it("lets `*/log` match the log subresource of any resource, and `*` match everything", () => {
    const anyLog = { verbs: ["get"], apiGroups: [""], resources: ["*/log"] };
    expect(ruleAllows(anyLog, { verb: "get", apiGroup: "", resource: "pods", subresource: "log" })).toBe(
      true,
    );
    expect(ruleAllows(anyLog, { verb: "get", apiGroup: "", resource: "pods" })).toBe(false);
    const all = { verbs: ["*"], apiGroups: ["*"], resources: ["*"] };
    expect(
      ruleAllows(all, { verb: "escalate", apiGroup: "rbac.authorization.k8s.io", resource: "roles" }),
    ).toBe(true);
  });

  it("matches the API group exactly: the core group is the empty string", () => {
    expect(ruleAllows(pods, { verb: "get", apiGroup: "apps", resource: "pods" })).toBe(false);
  });

  it("restricts by resourceNames only requests that name an object (list and create carry no name)", () => {
    const one = { verbs: ["get", "list"], apiGroups: [""], resources: ["secrets"], resourceNames: ["a"] };
    expect(ruleAllows(one, { verb: "get", apiGroup: "", resource: "secrets", name: "a" })).toBe(true);
    expect(ruleAllows(one, { verb: "get", apiGroup: "", resource: "secrets", name: "b" })).toBe(false);
    expect(ruleAllows(one, { verb: "list", apiGroup: "", resource: "secrets" })).toBe(false);
  });
});

describe("RBAC bindings (rule.go)", () => {
  const reader = { verbs: ["get"], apiGroups: [""], resources: ["secrets"] };

  it("grants a RoleBinding's rules only in the binding's namespace, even for a ClusterRole", () => {
    const objects = [
      role("ClusterRole", "secret-reader", [reader]),
      binding("RoleBinding", { kind: "ClusterRole", name: "secret-reader" }, [saSubject], "tenant-acme"),
    ];
    const get = (namespace?: string) => ({ verb: "get", apiGroup: "", resource: "secrets", namespace });
    expect(mayDo(objects, sa, get("tenant-acme"))).toBe(true);
    expect(mayDo(objects, sa, get("data"))).toBe(false);
    expect(mayDo(objects, sa, get(undefined))).toBe(false);
  });

  it("grants a ClusterRoleBinding everywhere", () => {
    const objects = [
      role("ClusterRole", "secret-reader", [reader]),
      binding("ClusterRoleBinding", { kind: "ClusterRole", name: "secret-reader" }, [saSubject]),
    ];
    expect(mayDo(objects, sa, { verb: "get", apiGroup: "", resource: "secrets", namespace: "data" })).toBe(
      true,
    );
  });

  it("applies a binding to the service account's groups and user name, and to no other account", () => {
    const roles = [role("ClusterRole", "secret-reader", [reader])];
    const ref = { kind: "ClusterRole", name: "secret-reader" };
    const request = { verb: "get", apiGroup: "", resource: "secrets", namespace: "data" };
    for (const subject of [
      { kind: "Group", name: "system:serviceaccounts" },
      { kind: "Group", name: "system:serviceaccounts:enclii" },
      { kind: "Group", name: "system:authenticated" },
      { kind: "User", name: "system:serviceaccount:enclii:switchyard-api" },
    ])
      expect(
        mayDo([...roles, binding("ClusterRoleBinding", ref, [subject])], sa, request),
        subject.name,
      ).toBe(true);
    for (const subject of [
      { kind: "Group", name: "system:serviceaccounts:janua" },
      { kind: "ServiceAccount", name: "switchyard-api", namespace: "janua" },
      { kind: "ServiceAccount", name: "default", namespace: "enclii" },
    ])
      expect(
        mayDo([...roles, binding("ClusterRoleBinding", ref, [subject])], sa, request),
        subject.name,
      ).toBe(false);
  });

  it("reads a RoleBinding subject without a namespace as the binding's own namespace", () => {
    const objects = [
      role("Role", "r", [reader], "enclii"),
      binding(
        "RoleBinding",
        { kind: "Role", name: "r" },
        [{ kind: "ServiceAccount", name: "switchyard-api" }],
        "enclii",
      ),
    ];
    expect(mayDo(objects, sa, { verb: "get", apiGroup: "", resource: "secrets", namespace: "enclii" })).toBe(
      true,
    );
  });
});

describe("RBAC requests the API server can make", () => {
  it("refuses to evaluate a named create, which the API server never produces", () => {
    const rule = { verbs: ["create"], apiGroups: [""], resources: ["secrets"], resourceNames: ["a"] };
    expect(() => ruleAllows(rule, { verb: "create", apiGroup: "", resource: "secrets", name: "a" })).toThrow(
      /carries no name/,
    );
    expect(ruleAllows(rule, { verb: "create", apiGroup: "", resource: "secrets" })).toBe(false);
  });
});
