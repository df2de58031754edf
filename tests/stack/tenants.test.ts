import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { PlanDocument } from "../../scripts/lib/plan-document";
import { type PlanRun, ROOT, readPlan, runPlanCli } from "../helpers/plan-cli";

let base: PlanDocument;
let plusOne: PlanDocument;
let runs: PlanRun[];

beforeAll(() => {
  const doc = parse(readFileSync(join(ROOT, "Pulumi.production.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  const tenants = doc.config["enclii-infra:tenants"] as Record<string, unknown>[];
  const withDelta = {
    config: {
      ...doc.config,
      "enclii-infra:tenants": [
        ...tenants,
        { slug: "delta", tier: "starter", domains: ["shop.delta.example"] },
      ],
    },
  };
  const first = runPlanCli(["--stack", "production"]);
  const file = join(first.outDir, "Pulumi.production-plus-one.yaml");
  writeFileSync(file, stringify(withDelta));
  const second = runPlanCli(["--stack", "production", "--config-file", file]);
  runs = [first, second];
  base = readPlan(first.outDir);
  plusOne = readPlan(second.outDir);
});

describe("tenants in the production plan", () => {
  it("plans both variants", () => {
    for (const run of runs) expect(run.status, run.stderr).toBe(0);
  });

  it.each(["acme", "globex", "initech"])("stamps tenant %s fully", (slug) => {
    const inTenant = base.resources.filter(
      (r) => r.urn.includes(`enclii:tenancy:Tenant$`) && r.urn.includes(`tenant-${slug}`),
    );
    const kinds = inTenant.map((r) => String(r.inputs.kind ?? r.type));
    for (const kind of ["Namespace", "ResourceQuota", "LimitRange"]) expect(kinds, kind).toContain(kind);
    expect(kinds.filter((k) => k === "NetworkPolicy").length).toBeGreaterThanOrEqual(4);
    expect(kinds).toContain("pulumi-nodejs:dynamic/enclii:JanuaOAuthClient");
    const tenant = base.resources.find(
      (r) => r.type === "enclii:tenancy:Tenant" && r.name === `tenant-${slug}`,
    );
    expect(tenant?.parent).toMatch(/pulumi:pulumi:Stack/);
    const outputs = base.outputs.tenants as Record<string, { hostnames: string[] }>;
    expect(outputs[slug]?.hostnames[0]).toBe(`${slug}.enclii.dev`);
  });

  it("gives the dedicated tenant its own Janua, database and Redis under its Tenant", () => {
    const tenant = base.resources.find(
      (r) => r.type === "enclii:tenancy:Tenant" && r.name === "tenant-globex",
    );
    const dedicated = base.resources.find((r) => r.type === "enclii:auth:DedicatedJanua");
    expect(dedicated?.parent).toBe(tenant?.urn);
    const children = base.resources.filter((r) => r.parent === dedicated?.urn).map((r) => r.type);
    expect(children).toEqual(
      expect.arrayContaining(["enclii:data:Postgres", "enclii:data:Redis", "enclii:auth:Janua"]),
    );
  });

  it("adding a tenant adds only that tenant's resources: the tunnel and cloudflared stay as they are", () => {
    const before = new Map(base.resources.map((r) => [r.urn, r]));
    const after = new Map(plusOne.resources.map((r) => [r.urn, r]));
    for (const urn of before.keys()) expect(after.has(urn), urn).toBe(true);
    const added = [...after.keys()].filter((urn) => !before.has(urn));
    expect(added.length).toBeGreaterThan(5);
    for (const urn of added) expect(urn, urn).toMatch(/delta/);
    const changed = [...before.values()]
      .filter((r) => JSON.stringify(r.inputs) !== JSON.stringify(after.get(r.urn)?.inputs))
      .map((r) => r.name);
    // Its hostnames reach it through the router's catch-all and its own HTTPRoute, so the tunnel's
    // configuration and cloudflared's egress do not change; the probe of the new custom hostname is
    // the only shared change.
    expect(changed.sort()).toEqual(["monitoring-probe-custom-hostnames"]);
    expect(added.filter((urn) => urn.includes("HTTPRoute"))).toHaveLength(1);
  });
});
