import { describe, expect, it } from "vitest";

// Rendered manifests are plain JSON-like objects; tests read nested fields freely.
// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Manifest = Record<string, any>;

import { INSTALLED_VERSION_DROP_IN, renderInstallScript } from "../../components/k3s/scripts";
import {
  INSTALLED_VERSION_LABEL,
  renderControllerRbac,
  renderControllerWorkload,
  renderUpgradePlans,
} from "../../components/k3s/upgrade-plans";
import { loadCrdSchemas, validateObject } from "../helpers/k8s-validate";

// Upstream sources cited below: rancher/system-upgrade-controller v0.20.1 (commit 0d144460).

type Requirement = { key: string; operator: string; values?: string[] };

/** A metav1.LabelSelector requirement, as apimachinery's labels.Requirement.Matches evaluates it. */
function matches(labels: Record<string, string>, r: Requirement): boolean {
  const has = r.key in labels;
  switch (r.operator) {
    case "In":
      return has && (r.values ?? []).includes(labels[r.key] as string);
    case "NotIn":
      return !has || !(r.values ?? []).includes(labels[r.key] as string);
    case "Exists":
      return has;
    case "DoesNotExist":
      return !has;
    default:
      throw new Error(`operator ${r.operator}`);
  }
}

/**
 * Whether the controller would create a job for a node: pkg/upgrade/plan/plan.go 143-168 adds to
 * the Plan's nodeSelector `kubernetes.io/hostname` Exists and `plan.upgrade.cattle.io/<plan>`
 * NotIn [disabled, latestHash]; the running k3s version is not consulted.
 */
function selectedForJob(plan: Manifest, node: Record<string, string>, latestHash: string): boolean {
  const expressions: Requirement[] = [
    ...plan.spec.nodeSelector.matchExpressions,
    { key: "kubernetes.io/hostname", operator: "Exists" },
    {
      key: `plan.upgrade.cattle.io/${plan.metadata.name}`,
      operator: "NotIn",
      values: ["disabled", latestHash],
    },
  ];
  return (
    Object.keys(plan.spec.nodeSelector).every((k) => k === "matchExpressions") &&
    expressions.every((r) => matches(node, r))
  );
}

describe("k3s upgrade Plans", () => {
  const [server, agent] = renderUpgradePlans({ version: "v1.35.1+k3s1", concurrency: 2 }) as Manifest[];

  it("upgrades servers one at a time, cordoned, to the configured version", () => {
    expect(server?.spec).toMatchObject({ concurrency: 1, cordon: true, version: "v1.35.1+k3s1" });
    expect(server?.spec.nodeSelector.matchExpressions[0]).toEqual({
      key: "node-role.kubernetes.io/control-plane",
      operator: "In",
      values: ["true"],
    });
  });

  it("upgrades agents only after the servers, with the configured concurrency", () => {
    expect(agent?.spec).toMatchObject({ concurrency: 2, prepare: { args: ["prepare", "k3s-server"] } });
    expect(agent?.spec.nodeSelector.matchExpressions[0].operator).toBe("DoesNotExist");
  });

  // A fresh node carries no plan.upgrade.cattle.io/<plan> label, so plan.go 143-168 alone selects
  // it; the job then cordons it (pkg/upgrade/job/job.go 420-442) even when it already runs the
  // target. The install-time label keeps a node installed at the target out of both Plans.
  it("gives no job to a node freshly installed at the target version, and one to an older node", () => {
    const target = "v1.35.1-k3s1";
    const serverNode = {
      "kubernetes.io/hostname": "ax41-1",
      "node-role.kubernetes.io/control-plane": "true",
    };
    const agentNode = { "kubernetes.io/hostname": "cx-1" };
    for (const [plan, node] of [
      [server, serverNode],
      [agent, agentNode],
    ] as const) {
      expect(selectedForJob(plan as Manifest, { ...node, [INSTALLED_VERSION_LABEL]: target }, "h1")).toBe(
        false,
      );
      expect(
        selectedForJob(plan as Manifest, { ...node, [INSTALLED_VERSION_LABEL]: "v1.34.11-k3s1" }, "h1"),
      ).toBe(true);
      // Once upgraded, the controller's hash label keeps it out (handle_batch.go 109-133).
      const done = {
        ...node,
        [INSTALLED_VERSION_LABEL]: "v1.34.11-k3s1",
        [`plan.upgrade.cattle.io/${plan?.metadata.name}`]: "h1",
      };
      expect(selectedForJob(plan as Manifest, done, "h1")).toBe(false);
    }
    // Roles stay apart: the server Plan never picks an agent, nor the agent Plan a server.
    expect(selectedForJob(server as Manifest, agentNode, "h1")).toBe(false);
    expect(selectedForJob(agent as Manifest, serverNode, "h1")).toBe(false);
  });

  it("labels a node with the release the install script installs, in the value the Plans compare", () => {
    const script = renderInstallScript({ version: "v1.35.1+k3s1", role: "server" });
    // Written before the installer runs, in the not-yet-installed branch only (after `exit 0`).
    const dropIn = script.indexOf(INSTALLED_VERSION_DROP_IN);
    expect(dropIn).toBeGreaterThan(script.indexOf("exit 0"));
    expect(dropIn).toBeLessThan(script.indexOf('sh "$installer"'));
    expect(script).toContain(`node-label+:\n  - "${INSTALLED_VERSION_LABEL}=v1.35.1-k3s1"\n`);
    const expressions = server?.spec.nodeSelector.matchExpressions as Requirement[];
    expect(expressions).toContainEqual({
      key: INSTALLED_VERSION_LABEL,
      operator: "NotIn",
      values: ["v1.35.1-k3s1"],
    });
  });

  // The Plans' job hash covers only latestVersion, serviceAccountName, the digest annotation and
  // the Plan's secrets (pkg/upgrade/plan/plan.go 51-78); cordon without drain is job.go 420-442.
  it("cordons without draining and has no secrets or digest annotation", () => {
    for (const plan of [server, agent]) {
      expect(plan?.spec.cordon).toBe(true);
      expect(plan?.spec.drain).toBeUndefined();
      expect(plan?.spec.secrets).toBeUndefined();
      expect(plan?.metadata.annotations?.["upgrade.cattle.io/digest"]).toBeUndefined();
    }
  });

  it("validates against the upstream Plan CRD", (ctx) => {
    const { schemas, missing } = loadCrdSchemas();
    if (missing) {
      if (process.env.CI === "true") throw new Error(missing);
      ctx.skip(missing);
    }
    expect(validateObject(server as Record<string, unknown>, schemas)).toEqual([]);
    expect(validateObject(agent as Record<string, unknown>, schemas)).toEqual([]);
  });
});

describe("system-upgrade-controller", () => {
  const rule = (apiGroups: string[], resources: string[], verbs: string[], resourceNames?: string[]) => ({
    apiGroups,
    resources,
    verbs,
    ...(resourceNames ? { resourceNames } : {}),
  });
  const byKindName = (kind: string, name: string) =>
    (renderControllerRbac() as Manifest[]).find((o) => o.kind === kind && o.metadata.name === name);

  // manifests/clusterrole.yaml lines 1-76, transcribed rule by rule, in upstream's order. Lines
  // 14-24 are the CRD rule: pkg/upgrade/controller.go 147-149 and 184-195 register the Plan CRD
  // at every start and main.go 114-116 exits fatally when that fails (crash loop without it).
  it("grants the controller ClusterRole exactly upstream's rules, the CRD rule included", () => {
    expect(byKindName("ClusterRole", "system-upgrade-controller")?.rules).toEqual([
      rule(["batch"], ["jobs"], ["get", "list", "watch"]),
      rule(
        ["apiextensions.k8s.io"],
        ["customresourcedefinitions"],
        ["get", "list", "watch", "create", "patch", "update"],
      ),
      rule([""], ["namespaces", "nodes"], ["get", "list", "watch"]),
      rule([""], ["nodes"], ["update"]),
      rule([""], ["events"], ["get", "create", "patch", "update"]),
      rule(["coordination.k8s.io"], ["leases"], ["create"]),
      rule(["coordination.k8s.io"], ["leases"], ["get", "update"], ["system-upgrade-controller"]),
      rule(
        ["upgrade.cattle.io"],
        ["plans", "plans/status"],
        ["get", "list", "watch", "create", "patch", "update", "delete"],
      ),
    ]);
  });

  // manifests/clusterrole.yaml lines 78-103 (Role) and 105-144 (drainer ClusterRole).
  it("grants the Role and the drainer ClusterRole exactly upstream's rules", () => {
    expect(byKindName("Role", "system-upgrade-controller")?.rules).toEqual([
      rule(
        ["batch"],
        ["jobs"],
        ["create", "delete", "deletecollection", "patch", "update", "get", "list", "watch"],
      ),
      rule([""], ["secrets"], ["get", "list", "watch"]),
    ]);
    expect(byKindName("ClusterRole", "system-upgrade-controller-drainer")?.rules).toEqual([
      rule([""], ["pods/eviction"], ["create"]),
      rule([""], ["pods"], ["get", "list", "delete"]),
      rule([""], ["nodes"], ["get", "patch"]),
      rule(["apps"], ["statefulsets", "daemonsets", "replicasets"], ["get", "list"]),
    ]);
  });

  // The controller owns the Plan CRD (controller.go 184-195 -> wrangler pkg/crd/crd.go 79-106:
  // create, or Update with its embedded copy; no flag disables it, main.go 37-88).
  it("renders no CustomResourceDefinition: the controller registers its own", () => {
    const all = [
      ...renderControllerRbac(),
      ...renderControllerWorkload(),
      ...renderUpgradePlans({ version: "v1.35.1+k3s1", concurrency: 1 }),
    ] as Manifest[];
    expect(all.filter((o) => o.kind === "CustomResourceDefinition")).toEqual([]);
  });

  it("binds no cluster-admin role", () => {
    for (const o of renderControllerRbac() as Manifest[]) {
      if (o.roleRef) expect(o.roleRef.name).not.toBe("cluster-admin");
    }
  });

  it("runs the controller restricted with requests and limits and no hostPath", () => {
    const deployment = (renderControllerWorkload() as Manifest[]).find((o) => o.kind === "Deployment");
    const pod = deployment?.spec.template.spec;
    expect(pod.containers[0].securityContext).toMatchObject({
      runAsNonRoot: true,
      allowPrivilegeEscalation: false,
    });
    expect(pod.containers[0].resources.limits).toBeDefined();
    expect(pod.volumes.every((v: Record<string, unknown>) => !("hostPath" in v))).toBe(true);
  });
});
