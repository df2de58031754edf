/**
 * The RBAC policies (wildcards, escalation verbs, Secrets read cluster-wide, cluster-admin) on the
 * RBAC the program renders, on the RBAC the upstream charts render (tests/helpers/chart-rbac-fixtures.ts,
 * transcribed from the pinned templates), and on one-change failing fixtures.
 */
import type { PolicyResource } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import {
  renderControlPlaneIdentity,
  renderControlPlaneTenantAccess,
} from "../../components/control-plane/rbac";
import { renderControllerRbac } from "../../components/k3s/upgrade-plans";
import { renderGrafanaSidecarRole } from "../../components/observability/monitoring-values";
import { renderCertManagerCheck } from "../../components/storage/cert-manager-check";
import { chartChildName } from "../../policies/lib/rbac-exemptions";
import { CHART_RBAC, type ChartChild, LONGHORN_RBAC, MONITORING_RBAC } from "../helpers/chart-rbac-fixtures";
import { runResourcePolicy, runStackPolicy, stackResource, urnOf } from "../helpers/policy-run";

// biome-ignore lint/suspicious/noExplicitAny: fixtures are untyped manifests
type Obj = Record<string, any>;
const WILDCARDS = "kubernetes-rbac-forbid-wildcards";
const ESCALATION = "kubernetes-rbac-forbid-escalation-verbs";
const SECRETS = "kubernetes-rbac-forbid-cluster-secret-reads";
const CLUSTER_ADMIN = "kubernetes-rbac-forbid-cluster-admin";
const RESOURCE_POLICIES = [WILDCARDS, ESCALATION, CLUSTER_ADMIN];
const NO_EXEMPTIONS = { exemptions: {} };

const typeOf = (o: Obj) => `kubernetes:${o.apiVersion}:${o.kind}`;
const rbacOnly = (objects: Obj[]) => objects.filter((o) => String(o.apiVersion).startsWith("rbac."));

/** Every RBAC object the program renders itself. */
const PROGRAM_RBAC: Obj[] = rbacOnly([
  ...renderControlPlaneIdentity({ namespace: "enclii" }),
  ...renderControlPlaneTenantAccess({ tenantNamespace: "tenant-acme", controlPlaneNamespace: "enclii" }),
  ...renderControllerRbac(),
  renderGrafanaSidecarRole("monitoring"),
  ...renderCertManagerCheck("cert-manager"),
]);

const asStack = (objects: Obj[]): PolicyResource[] => objects.map((o) => stackResource(typeOf(o), o));
const fromChart = (children: readonly ChartChild[]): PolicyResource[] =>
  children.map((c) => stackResource(c.type, c.props, { urn: c.urn }));
const resourceFindings = (name: string, children: readonly ChartChild[], config = {}) =>
  children.flatMap((c) => runResourcePolicy(name, c.type, c.props, { urn: c.urn, config }));
const clusterRole = (rules: Obj[], name = "r"): Obj => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind: "ClusterRole",
  metadata: { name },
  rules,
});
const binding = (
  kind: "ClusterRoleBinding" | "RoleBinding",
  role: string,
  roleKind = "ClusterRole",
): Obj => ({
  apiVersion: "rbac.authorization.k8s.io/v1",
  kind,
  metadata: { name: "b", ...(kind === "RoleBinding" ? { namespace: "tenant-acme" } : {}) },
  roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: roleKind, name: role },
  subjects: [{ kind: "ServiceAccount", name: "app", namespace: "tenant-acme" }],
});

describe("the RBAC the program renders", () => {
  it("passes every RBAC policy", () => {
    expect(PROGRAM_RBAC.length).toBeGreaterThan(8);
    for (const name of RESOURCE_POLICIES) {
      expect(
        PROGRAM_RBAC.flatMap((o) => runResourcePolicy(name, typeOf(o), o)),
        name,
      ).toEqual([]);
    }
    expect(runStackPolicy(SECRETS, asStack(PROGRAM_RBAC))).toEqual([]);
  });
});

describe("kubernetes-rbac-forbid-wildcards", () => {
  const role = () => clusterRole([{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] }]);

  it("fails on a '*' verb, a '*' resource and a '*' API group, one violation per rule", () => {
    for (const [change, field] of [
      [{ verbs: ["*"] }, "verbs"],
      [{ resources: ["*"] }, "resources"],
      [{ resources: ["*/scale"] }, "resources"],
      [{ apiGroups: ["*"] }, "apiGroups"],
    ] as const) {
      const bad = role();
      Object.assign(bad.rules[0], change);
      expect(runResourcePolicy(WILDCARDS, typeOf(bad), bad)).toEqual([
        expect.stringMatching(
          new RegExp(`^ClusterRole r: rule 1 \\(.*\\) uses '\\*' in ${field}; list what is needed$`),
        ),
      ]);
    }
    expect(runResourcePolicy(WILDCARDS, typeOf(role()), role())).toEqual([]);
  });

  it("exempts the upstream charts' wildcard roles, and only as chart children", () => {
    expect(resourceFindings(WILDCARDS, CHART_RBAC)).toEqual([]);
    // Without the exemptions: Longhorn's ClusterRole (6 rules) and Role (7) and the operator (3).
    const found = resourceFindings(WILDCARDS, CHART_RBAC, NO_EXEMPTIONS);
    expect(found.filter((m) => m.startsWith("ClusterRole longhorn-role:"))).toHaveLength(6);
    expect(found.filter((m) => m.startsWith("Role longhorn-system/longhorn:"))).toHaveLength(7);
    expect(found.filter((m) => m.startsWith("ClusterRole kube-prometheus-stack-operator:"))).toHaveLength(3);
    expect(found).toHaveLength(16);
    // The same object declared by the program (no Chart parent) gets no exemption.
    const longhornRole = LONGHORN_RBAC[0] as ChartChild;
    expect(chartChildName(longhornRole.urn)).toBe("longhorn:longhorn-role");
    expect(
      runResourcePolicy(WILDCARDS, longhornRole.type, longhornRole.props, {
        urn: urnOf("production", longhornRole.type, "longhorn-role", ["enclii:storage:Longhorn"]),
      }),
    ).toHaveLength(6);
  });
});

describe("kubernetes-rbac-forbid-escalation-verbs", () => {
  it("fails on bind, escalate and impersonate, and on a '*' verb over RBAC roles", () => {
    const cases: [Obj, string][] = [
      [
        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind"] },
        "bind on clusterroles",
      ],
      [
        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["escalate"] },
        "escalate on roles",
      ],
      [
        { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"] },
        "impersonate serviceaccounts",
      ],
      [
        { apiGroups: ["authentication.k8s.io"], resources: ["userextras/scopes"], verbs: ["impersonate"] },
        "impersonate userextras",
      ],
      [
        {
          apiGroups: ["rbac.authorization.k8s.io"],
          resources: ["roles"],
          verbs: ["*"],
          resourceNames: ["viewer"],
        },
        "escalate on roles, bind on roles",
      ],
    ];
    for (const [rule, grants] of cases) {
      const bad = clusterRole([rule]);
      expect(runResourcePolicy(ESCALATION, typeOf(bad), bad)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^ClusterRole r: rule 1 \\(.*\\) grants ${grants}; its holder could raise its own privileges$`,
          ),
        ),
      ]);
    }
  });

  it("passes create and update on roles (the API server still checks escalation for those)", () => {
    const ok = clusterRole([
      {
        apiGroups: ["rbac.authorization.k8s.io"],
        resources: ["roles", "rolebindings"],
        verbs: ["create", "update", "patch"],
      },
    ]);
    expect(runResourcePolicy(ESCALATION, typeOf(ok), ok)).toEqual([]);
  });

  it("exempts Longhorn's '*' on roles, cluster roles and service accounts only as its chart children", () => {
    expect(resourceFindings(ESCALATION, CHART_RBAC)).toEqual([]);
    expect(resourceFindings(ESCALATION, CHART_RBAC, NO_EXEMPTIONS)).toEqual([
      "ClusterRole longhorn-role: rule 19 (clusterrolebindings, clusterroles (rbac.authorization.k8s.io): *) grants escalate on clusterroles, bind on clusterroles; its holder could raise its own privileges",
      "Role longhorn-system/longhorn: rule 1 (pods, pods/log, events, secrets, services, endpoints, configmaps, serviceaccounts, persistentvolumeclaims, persistentvolumeclaims/status: *) grants impersonate serviceaccounts; its holder could raise its own privileges",
      "Role longhorn-system/longhorn: rule 6 (roles, rolebindings (rbac.authorization.k8s.io): *) grants escalate on roles, bind on roles; its holder could raise its own privileges",
    ]);
  });
});

describe("kubernetes-rbac-forbid-cluster-secret-reads", () => {
  const reader = clusterRole([{ apiGroups: [""], resources: ["secrets"], verbs: ["list"] }], "reader");

  it("fails when a ClusterRole that lists Secrets is bound cluster-wide", () => {
    expect(runStackPolicy(SECRETS, asStack([reader, binding("ClusterRoleBinding", "reader")]))).toEqual([
      {
        message:
          "ClusterRoleBinding b: ClusterRole reader reads Secrets and is bound cluster-wide (to ServiceAccount tenant-acme/app); bind it per namespace with a RoleBinding",
        urn: urnOf("staging", "kubernetes:rbac.authorization.k8s.io/v1:ClusterRoleBinding", "b"),
      },
    ]);
  });

  it("passes the same role bound in one namespace, or limited to named Secrets", () => {
    expect(runStackPolicy(SECRETS, asStack([reader, binding("RoleBinding", "reader")]))).toEqual([]);
    const named = clusterRole(
      [{ apiGroups: [""], resources: ["secrets"], verbs: ["get"], resourceNames: ["ca"] }],
      "reader",
    );
    expect(runStackPolicy(SECRETS, asStack([named, binding("ClusterRoleBinding", "reader")]))).toEqual([]);
  });

  it("fails on the built-in edit role and on an aggregated role that collects a Secret reader", () => {
    expect(runStackPolicy(SECRETS, asStack([binding("ClusterRoleBinding", "edit")]))).toHaveLength(1);
    expect(runStackPolicy(SECRETS, asStack([binding("ClusterRoleBinding", "view")]))).toEqual([]);
    const part = { ...reader, metadata: { name: "part", labels: { "example.com/aggregate": "true" } } };
    const aggregated = {
      ...clusterRole([], "reader"),
      aggregationRule: { clusterRoleSelectors: [{ matchLabels: { "example.com/aggregate": "true" } }] },
    };
    expect(
      runStackPolicy(SECRETS, asStack([part, aggregated, binding("ClusterRoleBinding", "reader")])),
    ).toHaveLength(1);
  });

  it("exempts each upstream chart binding by name, kube-state-metrics (which lists every Secret) included", () => {
    expect(runStackPolicy(SECRETS, fromChart(CHART_RBAC))).toEqual([]);
    const found = runStackPolicy(SECRETS, fromChart(CHART_RBAC), NO_EXEMPTIONS).map(
      (v) => v.message.split(":")[0],
    );
    expect(found).toEqual([
      "ClusterRoleBinding longhorn-bind",
      "ClusterRoleBinding longhorn-support-bundle",
      "ClusterRoleBinding kube-prometheus-stack-operator",
      "ClusterRoleBinding monitoring-kube-state-metrics",
      "ClusterRoleBinding cert-manager-controller-issuers",
      "ClusterRoleBinding cert-manager-controller-clusterissuers",
      "ClusterRoleBinding cert-manager-controller-certificates",
      "ClusterRoleBinding cert-manager-controller-orders",
      "ClusterRoleBinding cert-manager-controller-challenges",
      "ClusterRoleBinding cert-manager-cainjector",
      "ClusterRoleBinding cnpg-operator-cloudnative-pg",
      "ClusterRoleBinding cnpg-barman-cloud-plugin-barman-cloud-binding",
    ]);
    // Prometheus itself reads no Secrets.
    expect(found.some((m) => m.includes("kube-prometheus-stack-prometheus"))).toBe(false);
    expect(MONITORING_RBAC.some((c) => c.props.metadata.name === "kube-prometheus-stack-prometheus")).toBe(
      true,
    );
  });
});

describe("kubernetes-rbac-forbid-cluster-admin", () => {
  it("exempts only Longhorn's support bundle binding, as a chart child", () => {
    expect(resourceFindings(CLUSTER_ADMIN, CHART_RBAC)).toEqual([]);
    expect(resourceFindings(CLUSTER_ADMIN, CHART_RBAC, NO_EXEMPTIONS)).toEqual([
      "ClusterRoleBinding longhorn-support-bundle grants cluster-admin; bind a least-privilege role",
    ]);
    const own = binding("ClusterRoleBinding", "cluster-admin");
    expect(runResourcePolicy(CLUSTER_ADMIN, typeOf(own), own)).toHaveLength(1);
  });
});
