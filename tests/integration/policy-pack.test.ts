import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { PlanResource } from "../../scripts/lib/plan-document";
import { asEngineResource, runPolicyPack } from "../../scripts/lib/policy-client";
import { renderPolicyDocs } from "../../scripts/lib/policy-docs";
import { ROOT, runPlanCli } from "../helpers/plan-cli";

const resource = (name: string, props: Record<string, unknown>): PlanResource => ({
  urn: `urn:pulumi:test::enclii-infra::kubernetes:core/v1:Service::${name}`,
  type: "kubernetes:core/v1:Service",
  name,
  parent: null,
  custom: true,
  dependencies: [],
  protect: false,
  inputs: props,
});

describe("the policy pack over gRPC", () => {
  it("is served as the engine serves it and reports the bad resource, not the good one", async () => {
    const good = resource("web", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "web", namespace: "x" },
      spec: { type: "ClusterIP" },
    });
    const bad = resource("lb", {
      apiVersion: "v1",
      kind: "Service",
      metadata: { name: "lb", namespace: "x" },
      spec: { type: "LoadBalancer" },
    });
    const result = await runPolicyPack(join(ROOT, "policies"), [good, bad].map(asEngineResource));
    expect(result.pack).toBe("enclii-infra@0.1.0");
    expect(result.policies).toBeGreaterThanOrEqual(35);
    expect(result.violations).toEqual([
      expect.objectContaining({
        policy: "kubernetes-service-forbid-external-types",
        enforcementLevel: "mandatory",
        urn: bad.urn,
        message: expect.stringContaining("Service x/lb is LoadBalancer"),
      }),
    ]);
  }, 60_000);

  it("fails the plan with exit code 2 on a mandatory violation (a budget the stack exceeds)", () => {
    const text = readFileSync(join(ROOT, "Pulumi.staging.yaml"), "utf8").replace(
      "monthlyUsd: 40",
      "monthlyUsd: 5",
    );
    const first = runPlanCli(["--stack", "staging"]);
    const file = join(first.outDir, "Pulumi.tight.yaml");
    writeFileSync(file, text);
    const run = runPlanCli(["--stack", "staging", "--config-file", file]);
    expect(run.status).toBe(2);
    expect(run.stderr).toContain("1 mandatory policy violation(s)");
    const summary = readFileSync(join(run.outDir, "summary.md"), "utf8");
    expect(summary).toContain("stack-cost-require-within-budget");
  }, 120_000);

  it("docs/policies.md is current (run `npm run docs`)", () => {
    expect(readFileSync(join(ROOT, "docs", "policies.md"), "utf8")).toBe(renderPolicyDocs());
  });
});
