/**
 * RBAC as the API server decides it: SubjectAccessReviews for every ServiceAccount the program
 * creates, against each stack's server with that stack's objects applied (RBAC authorizer plus the
 * roles kube-apiserver bootstraps), asserted both ways; and the project's pure evaluator
 * (components/shared/rbac-eval.ts) cross-checked against the server's answers over a grid of
 * requests.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { mayDo, type RbacRequest } from "../../components/shared/rbac-eval";
import { applyPlan } from "../helpers/apply-plan";
import { type AccessQuestion, serviceAccountCan } from "../helpers/kube-client";
import { STACKS } from "../helpers/plan-cli";
import { type Obj, planObjects } from "../helpers/plan-objects";
import { apiServerIfReady, requireApiServer } from "../helpers/test-api-server";

beforeAll(async () => {
  const api = apiServerIfReady();
  if (!api) return;
  for (const stack of STACKS) await applyPlan(api.servers[stack], api.plans[stack]);
}, 600_000);

type Row = readonly [allowed: boolean, question: AccessQuestion];
const can = (q: AccessQuestion): Row => [true, q];
const cannot = (q: AccessQuestion): Row => [false, q];
const WRITE = ["create", "update", "patch", "delete"] as const;

/** What each ServiceAccount may and may not do; `tenant` stands for every tenant namespace. */
const TABLE: Record<string, { namespace: string; name: string; rows: readonly Row[] }> = {
  "control plane (switchyard-api)": {
    namespace: "enclii",
    name: "switchyard-api",
    rows: [
      ...WRITE.map((verb) => can({ verb, group: "apps", resource: "deployments", namespace: "tenant" })),
      ...WRITE.map((verb) =>
        can({ verb, group: "gateway.networking.k8s.io", resource: "httproutes", namespace: "tenant" }),
      ),
      can({ verb: "create", resource: "services", namespace: "tenant" }),
      can({ verb: "create", resource: "secrets", namespace: "tenant" }),
      can({ verb: "get", resource: "pods", subresource: "log", namespace: "tenant" }),
      can({ verb: "list", resource: "namespaces" }),
      cannot({ verb: "create", resource: "pods", subresource: "exec", namespace: "tenant" }),
      cannot({ verb: "create", resource: "pods", namespace: "tenant" }),
      cannot({ verb: "get", resource: "secrets", namespace: "data" }),
      cannot({ verb: "list", resource: "secrets", namespace: "data" }),
      cannot({ verb: "get", resource: "secrets", namespace: "enclii" }),
      cannot({ verb: "create", resource: "namespaces" }),
      cannot({ verb: "delete", resource: "namespaces" }),
      cannot({
        verb: "create",
        group: "rbac.authorization.k8s.io",
        resource: "rolebindings",
        namespace: "tenant",
      }),
      cannot({ verb: "create", group: "rbac.authorization.k8s.io", resource: "clusterrolebindings" }),
      cannot({ verb: "bind", group: "rbac.authorization.k8s.io", resource: "clusterroles" }),
      cannot({
        verb: "escalate",
        group: "rbac.authorization.k8s.io",
        resource: "roles",
        namespace: "tenant",
      }),
      cannot({
        verb: "create",
        group: "networking.k8s.io",
        resource: "networkpolicies",
        namespace: "tenant",
      }),
      cannot({ verb: "delete", resource: "resourcequotas", namespace: "tenant" }),
      cannot({ verb: "create", group: "apps", resource: "deployments", namespace: "data" }),
      cannot({ verb: "create", group: "apps", resource: "deployments", namespace: "kube-system" }),
      cannot({ verb: "create", resource: "serviceaccounts", subresource: "token", namespace: "tenant" }),
      cannot({ verb: "impersonate", resource: "serviceaccounts" }),
    ],
  },
  "upgrade controller (system-upgrade)": {
    namespace: "system-upgrade",
    name: "system-upgrade",
    rows: [
      can({ verb: "watch", group: "upgrade.cattle.io", resource: "plans", namespace: "system-upgrade" }),
      can({
        verb: "update",
        group: "upgrade.cattle.io",
        resource: "plans",
        subresource: "status",
        namespace: "system-upgrade",
      }),
      can({ verb: "create", group: "batch", resource: "jobs", namespace: "system-upgrade" }),
      can({ verb: "get", resource: "secrets", namespace: "system-upgrade" }),
      can({ verb: "patch", resource: "nodes" }),
      can({ verb: "create", resource: "pods", subresource: "eviction", namespace: "tenant" }),
      can({
        verb: "update",
        group: "coordination.k8s.io",
        resource: "leases",
        namespace: "system-upgrade",
        name: "system-upgrade-controller",
      }),
      cannot({
        verb: "update",
        group: "coordination.k8s.io",
        resource: "leases",
        namespace: "kube-system",
        name: "kube-scheduler",
      }),
      cannot({ verb: "create", group: "batch", resource: "jobs", namespace: "kube-system" }),
      cannot({ verb: "get", resource: "secrets", namespace: "data" }),
      cannot({ verb: "get", resource: "secrets", namespace: "kube-system" }),
      cannot({ verb: "create", resource: "namespaces" }),
      cannot({ verb: "create", group: "rbac.authorization.k8s.io", resource: "clusterrolebindings" }),
      cannot({ verb: "delete", resource: "nodes" }),
    ],
  },
  "cert-manager API check (cert-manager-api-check)": {
    namespace: "cert-manager",
    name: "cert-manager-api-check",
    rows: [
      can({
        verb: "create",
        group: "cert-manager.io",
        resource: "certificaterequests",
        namespace: "cert-manager",
      }),
      cannot({
        verb: "create",
        group: "cert-manager.io",
        resource: "certificaterequests",
        namespace: "tenant",
      }),
      cannot({ verb: "get", resource: "secrets", namespace: "cert-manager" }),
      cannot({
        verb: "create",
        group: "cert-manager.io",
        resource: "certificates",
        namespace: "cert-manager",
      }),
      cannot({ verb: "list", resource: "namespaces" }),
    ],
  },
};

const nsOf = (o: Obj) => (o.metadata as { namespace?: string; name: string }).namespace;
const nameOf = (o: Obj) => (o.metadata as { name: string }).name;

describe.each(STACKS)("%s: what each ServiceAccount may do, as the API server decides", (stack) => {
  const objects = (api: ReturnType<typeof requireApiServer>) =>
    planObjects(api.plans[stack]).map((o) => o.object);
  const tenants = (all: readonly Obj[]) =>
    all.filter((o) => o.kind === "Namespace" && nameOf(o).startsWith("tenant-")).map(nameOf);

  it("covers every ServiceAccount the program creates", (ctx) => {
    const api = requireApiServer(ctx);
    const created = objects(api)
      .filter((o) => o.kind === "ServiceAccount")
      .map((o) => `${nsOf(o)}/${nameOf(o)}`)
      .sort();
    expect(created).toEqual(
      Object.values(TABLE)
        .map((t) => `${t.namespace}/${t.name}`)
        .sort(),
    );
  });

  for (const [who, { namespace, name, rows }] of Object.entries(TABLE)) {
    it(`${who}: the table holds both ways`, async (ctx) => {
      const api = requireApiServer(ctx);
      const namespaces = tenants(objects(api));
      expect(namespaces.length).toBeGreaterThan(0);
      const wrong: string[] = [];
      for (const [allowed, q] of rows) {
        for (const ns of q.namespace === "tenant" ? namespaces : [q.namespace]) {
          const question = { ...q, ...(ns ? { namespace: ns } : {}) };
          const answer = await serviceAccountCan(api.servers[stack], { namespace, name }, question);
          if (answer !== allowed) wrong.push(`${allowed ? "cannot" : "can"} ${JSON.stringify(question)}`);
        }
      }
      expect(wrong).toEqual([]);
    });
  }

  it("rbac-eval answers as the API server over a grid of requests (bootstrap self-reviews aside)", async (ctx) => {
    const api = requireApiServer(ctx);
    const all = objects(api);
    const namespaces = [
      ...new Set(all.filter((o) => o.kind === "Namespace").map(nameOf)),
      "kube-system",
      "default",
    ];
    const resources: [string, string, string?][] = [
      ["", "secrets"],
      ["", "configmaps"],
      ["", "pods"],
      ["", "pods", "log"],
      ["", "pods", "exec"],
      ["", "pods", "eviction"],
      ["", "services"],
      ["", "serviceaccounts", "token"],
      ["", "events"],
      ["apps", "deployments"],
      ["apps", "statefulsets"],
      ["batch", "jobs"],
      ["gateway.networking.k8s.io", "httproutes"],
      ["networking.k8s.io", "networkpolicies"],
      ["rbac.authorization.k8s.io", "rolebindings"],
      ["rbac.authorization.k8s.io", "roles"],
      ["upgrade.cattle.io", "plans"],
      ["cert-manager.io", "certificaterequests"],
      ["coordination.k8s.io", "leases"],
    ];
    const clusterResources: [string, string][] = [
      ["", "namespaces"],
      ["", "nodes"],
      ["rbac.authorization.k8s.io", "clusterrolebindings"],
      ["apiextensions.k8s.io", "customresourcedefinitions"],
    ];
    const verbs = ["get", "list", "watch", "create", "update", "patch", "delete", "deletecollection"];
    const requests: RbacRequest[] = [];
    for (const verb of verbs) {
      for (const [apiGroup, resource, subresource] of resources)
        for (const namespace of namespaces)
          requests.push({ verb, apiGroup, resource, ...(subresource ? { subresource } : {}), namespace });
      for (const [apiGroup, resource] of clusterResources) requests.push({ verb, apiGroup, resource });
    }
    const differ: string[] = [];
    let checked = 0;
    for (const { namespace, name } of Object.values(TABLE)) {
      const sa = { namespace, name };
      // 16 reviews at a time: the server answers them concurrently.
      for (let i = 0; i < requests.length; i += 16) {
        const batch = requests.slice(i, i + 16);
        const answers = await Promise.all(
          batch.map((r) =>
            serviceAccountCan(api.servers[stack], sa, {
              verb: r.verb,
              group: r.apiGroup,
              resource: r.resource,
              ...(r.subresource ? { subresource: r.subresource } : {}),
              ...(r.namespace ? { namespace: r.namespace } : {}),
            }),
          ),
        );
        batch.forEach((r, j) => {
          checked++;
          if (answers[j] !== mayDo(all, sa, r))
            differ.push(`${namespace}/${name} ${JSON.stringify(r)}: server ${answers[j]}`);
        });
      }
    }
    expect(differ).toEqual([]);
    expect(checked).toBeGreaterThan(1000);
    ctx.annotate(`${stack}: ${checked} SubjectAccessReviews agree with rbac-eval`);
  });
});
