/**
 * Issue 15 item 4: the order of a first `up` on an empty node, read from the recorded dependencies
 * of both offline plans. Janua (shared and dedicated) and the control plane wait for their CNPG
 * `Cluster` (awaited until Ready) and their Redis StatefulSets (awaited until every pod is ready);
 * the Janua API resources wait for the Janua they call.
 *
 * Upstream: pulumi-kubernetes (commit 94977969) provider/pkg/metadata/overrides.go `ReadyCondition`:
 * a custom resource without `pulumi.com/waitFor` is not awaited (unless PULUMI_K8S_AWAIT_ALL=true);
 * provider/pkg/await/condition/custom.go: `condition=Ready` waits for that condition to be "True";
 * provider/pkg/await/statefulset.go: a StatefulSet is awaited until readyReplicas == spec.replicas;
 * provider/pkg/await/await.go: the await is bounded by the resource's timeout, 10 minutes by default.
 * cloudnative-pg api/v1/cluster_types.go: `ConditionClusterReady ClusterConditionType = "Ready"`;
 * api/v1/database_types.go: a Database reports `status.applied: true` once CNPG created it, which
 * happens after the Cluster is Ready (its roles and databases are reconciled then).
 */
import { describe, expect, it } from "vitest";
import { CLUSTER_READY_AWAIT, DATABASE_APPLIED_AWAIT } from "../../components/data/postgres";
import type { PlanResource } from "../../scripts/lib/plan-document";
import { planCommittedStacks, STACKS } from "../helpers/plan-cli";

const planOf = planCommittedStacks();

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary manifest fields
type Inputs = Record<string, any>;
const meta = (r: PlanResource) => ((r.inputs as Inputs).metadata ?? {}) as Inputs;

describe.each(STACKS)("first up on an empty node, %s plan", (stack) => {
  const resources = () => planOf(stack).resources;
  const ofKind = (kind: string, namespace?: string) =>
    resources().filter(
      (r) =>
        (r.inputs as Inputs).kind === kind && (namespace === undefined || meta(r).namespace === namespace),
    );
  const clusterIn = (ns: string) => {
    const found = ofKind("Cluster", ns).filter((r) => r.type.startsWith("kubernetes:postgresql.cnpg.io/"));
    expect(found, `CNPG Cluster in ${ns}`).toHaveLength(1);
    return found[0] as PlanResource;
  };
  const redisIn = (ns: string) => {
    const found = ofKind("StatefulSet", ns).filter((r) => String(meta(r).name).startsWith("redis"));
    expect(found.length, `Redis StatefulSets in ${ns}`).toBeGreaterThan(0);
    return found;
  };
  const januaNamespaces = () =>
    ofKind("Deployment")
      .filter((r) => meta(r).name === "janua")
      .map((r) => meta(r).namespace);
  const databaseIn = (ns: string, name: string) => {
    const found = ofKind("Database", ns).filter((r) => (r.inputs as Inputs).spec.name === name);
    expect(found, `Database ${name} in ${ns}`).toHaveLength(1);
    return found[0] as PlanResource;
  };
  const januaIn = (ns: string) =>
    ofKind("Deployment", ns).find((r) => meta(r).name === "janua") as PlanResource;

  it("awaits every CNPG Cluster until its Ready condition, and every Redis StatefulSet by its awaiter", () => {
    const clusters = ofKind("Cluster").filter((r) => r.type.startsWith("kubernetes:postgresql.cnpg.io/"));
    expect(clusters.length).toBeGreaterThan(0);
    for (const c of clusters) {
      expect(meta(c).annotations?.["pulumi.com/waitFor"], c.name).toBe("condition=Ready");
    }
    expect(CLUSTER_READY_AWAIT).toEqual({ "pulumi.com/waitFor": "condition=Ready" });
    // Every Database is awaited until CNPG applied it.
    const databases = ofKind("Database");
    expect(databases.length).toBeGreaterThan(0);
    for (const d of databases)
      expect(meta(d).annotations?.["pulumi.com/waitFor"], d.name).toBe("jsonpath={.status.applied}=true");
    expect(DATABASE_APPLIED_AWAIT["pulumi.com/waitFor"]).toBe("jsonpath={.status.applied}=true");
    const sets = ofKind("StatefulSet").filter((r) => String(meta(r).name).startsWith("redis"));
    expect(sets.length).toBeGreaterThan(0);
    // No skipAwait and no waitFor override: the built-in StatefulSet awaiter (readyReplicas) runs.
    for (const s of sets) {
      expect(meta(s).annotations?.["pulumi.com/skipAwait"], s.name).toBeUndefined();
      expect(meta(s).annotations?.["pulumi.com/waitFor"], s.name).toBeUndefined();
    }
  });

  it("starts every Janua (shared and dedicated) after its own database Cluster and Redis", () => {
    const namespaces = januaNamespaces();
    expect(namespaces).toContain("janua");
    expect(namespaces.some((ns) => String(ns).startsWith("janua-"))).toBe(true);
    for (const ns of namespaces) {
      const janua = januaIn(ns);
      // The shared Janua's data is in `data`; a dedicated one keeps its own beside it.
      const dataNs = ns === "janua" ? "data" : ns;
      expect(janua.dependencies, `${ns}: Cluster`).toContain(clusterIn(dataNs).urn);
      expect(janua.dependencies, `${ns}: Database`).toContain(databaseIn(dataNs, "janua").urn);
      for (const redis of redisIn(dataNs))
        expect(janua.dependencies, `${ns}: ${redis.name}`).toContain(redis.urn);
    }
  });

  it("starts the control plane after the shared database Cluster and Redis", () => {
    const deployments = ofKind("Deployment", "enclii");
    expect(deployments.map((d) => meta(d).name).sort()).toEqual(["switchyard-api", "switchyard-ui"]);
    for (const d of deployments) {
      expect(d.dependencies, d.name).toContain(clusterIn("data").urn);
      expect(d.dependencies, d.name).toContain(databaseIn("data", "enclii").urn);
      for (const redis of redisIn("data")) expect(d.dependencies, d.name).toContain(redis.urn);
    }
  });

  it("calls Janua's API (organizations, OAuth clients) only after the Janua it calls is ready", () => {
    const calls = resources().filter((r) =>
      /^pulumi-nodejs:dynamic\/enclii:Janua(Organization|OAuthClient)$/.test(r.type),
    );
    expect(calls.length).toBeGreaterThan(0);
    const dedicated = new Set(januaNamespaces().filter((ns) => ns !== "janua"));
    for (const call of calls) {
      // tenant-<slug>-... calls its dedicated Janua when it has one, else the shared one.
      const slug = /^tenant-(.+)-(organization|oauth-client)$/.exec(call.name)?.[1];
      const ns = slug && dedicated.has(`janua-${slug}`) ? `janua-${slug}` : "janua";
      expect(call.dependencies, call.name).toContain(januaIn(ns).urn);
    }
  });
});
