import { describe, expect, it } from "vitest";
import { apiVersionOf, gvkFromType } from "../helpers/gvk";
import { planCommittedStacks, STACKS } from "../helpers/plan-cli";

// What a real `pulumi preview` does with each Kubernetes resource: pulumi-kubernetes
// provider/pkg/provider/provider.go at commit 94977969: Check (lines 1158-1403) calls gvkFromURN at
// line 1295; gvkFromURN (lines 2710-2733) reads group/version/kind from the type token and fails
// unless its module is `group/version` (`core/v1` for the core group). The offline plan has no provider, so this test
// applies that rule to every token of both plans (see tests/helpers/gvk.ts).

const planOf = planCommittedStacks();

type Obj = Record<string, unknown>;

describe.each(STACKS)("Kubernetes type tokens of the %s plan", (stack) => {
  const plan = () => planOf(stack);
  const kubernetes = () => plan().resources.filter((r) => r.type.startsWith("kubernetes:"));

  it("parse the way gvkFromURN parses them: a module with both a group and a version", () => {
    expect(kubernetes().length).toBeGreaterThan(50);
    const unparsable = kubernetes()
      .map((r) => ({ urn: r.urn, gvk: gvkFromType(r.type) }))
      .filter((r) => "error" in r.gvk);
    expect(unparsable).toEqual([]);
    expect(kubernetes().filter((r) => r.type.startsWith("kubernetes:v1:"))).toEqual([]);
  });

  it("name the apiVersion and kind each object sends (the core group as core/v1)", () => {
    const objects = kubernetes().filter((r) => r.custom);
    expect(objects.length).toBeGreaterThan(50);
    for (const r of objects) {
      const gvk = gvkFromType(r.type);
      if ("error" in gvk) throw new Error(`${r.urn}: ${gvk.error}`);
      const inputs = r.inputs as Obj;
      expect({ apiVersion: apiVersionOf(gvk), kind: gvk.kind }, r.urn).toEqual({
        apiVersion: inputs.apiVersion,
        kind: inputs.kind,
      });
    }
    const core = objects.filter((r) => (r.inputs as Obj).apiVersion === "v1").map((r) => r.type);
    for (const kind of [
      "Namespace",
      "Service",
      "ConfigMap",
      "Secret",
      "ServiceAccount",
      "ResourceQuota",
      "LimitRange",
    ]) {
      expect(core, kind).toContain(`kubernetes:core/v1:${kind}`);
    }
  });

  it("keep CustomResource for CRD kinds only (a CNPG Cluster keeps its CRD's group)", () => {
    expect(kubernetes().some((r) => r.type === "kubernetes:postgresql.cnpg.io/v1:Cluster")).toBe(true);
  });
});
