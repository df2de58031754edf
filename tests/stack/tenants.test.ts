/**
 * Tenants in their own stacks (issue 18 item 3, docs/tenant-stacks.md): production plans as its
 * platform stack plus its tenant stacks; a tenant added to a tenant stack changes that stack only,
 * by that tenant's resources; the platform's plan does not depend on its tenants.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { parse, stringify } from "yaml";
import type { PlanDocument } from "../../scripts/lib/plan-document";
import { type PlanRun, ROOT, readPlan, runEnvPlanCli, runPlanCli } from "../helpers/plan-cli";

let env: PlanRun;
let plusOne: PlanRun;
let bare: PlanRun;
const plan = (stack: string): PlanDocument => readPlan(join(env.outDir, stack));

/** Resources by URN, with what the plan diff compares (inputs, parent, dependencies). */
const byUrn = (p: PlanDocument) =>
  new Map(
    p.resources.map((r) => [r.urn, JSON.stringify([r.type, r.parent, r.inputs, r.dependencies, r.protect])]),
  );

beforeAll(() => {
  env = runEnvPlanCli("production");
  // One tenant more in production-tenants-a, planned on the same platform plan.
  const doc = parse(readFileSync(join(ROOT, "Pulumi.production-tenants-a.yaml"), "utf8")) as {
    config: Record<string, unknown>;
  };
  const tenants = doc.config["enclii-infra:tenants"] as Record<string, unknown>[];
  const dir = mkdtempSync(join(tmpdir(), "plus-one-"));
  const file = join(dir, "Pulumi.production-tenants-a.yaml");
  const delta = { slug: "delta", tier: "starter", domains: ["shop.delta.example"] };
  writeFileSync(file, stringify({ config: { ...doc.config, "enclii-infra:tenants": [...tenants, delta] } }));
  plusOne = runPlanCli([
    "--stack",
    "production-tenants-a",
    "--config-file",
    file,
    "--platform-plan",
    join(env.outDir, "production", "plan.json"),
  ]);
  // The platform alone, in a project folder without any tenant stack.
  const only = mkdtempSync(join(tmpdir(), "platform-only-"));
  for (const f of ["Pulumi.yaml", "Pulumi.production.yaml"]) copyFileSync(join(ROOT, f), join(only, f));
  bare = runPlanCli(["--stack", "production", "--stacks-dir", only]);
}, 600_000);

describe("production as a platform stack and tenant stacks", () => {
  it("plans the environment and the variants", () => {
    expect(env.status, env.stderr).toBe(0);
    expect(plusOne.status, plusOne.stderr).toBe(0);
    expect(bare.status, bare.stderr).toBe(0);
  });

  it("holds no tenant resource in the platform stack", () => {
    const platform = plan("production");
    const tenantTypes = [
      "enclii:tenancy:Tenant",
      "enclii:auth:DedicatedJanua",
      "cloudflare:index/customHostname:CustomHostname",
    ];
    expect(platform.resources.filter((r) => tenantTypes.includes(r.type))).toEqual([]);
    expect(platform.resources.filter((r) => /tenant-(acme|globex|initech)|janua-globex/.test(r.urn))).toEqual(
      [],
    );
    expect(Object.keys(platform.outputs)).toEqual(expect.arrayContaining(["tenantInputs", "tenantSecrets"]));
    // Secrets stay secrets: the platform's secret output is masked, the plain one is not.
    expect(platform.outputs.tenantSecrets).toBe("[secret]");
    expect((platform.outputs.tenantInputs as { nodeIps: string[] }).nodeIps.length).toBeGreaterThan(0);
  });

  it("plans the same platform (URNs and inputs) with or without its tenant stacks", () => {
    expect([...byUrn(readPlan(bare.outDir)).entries()]).toEqual([...byUrn(plan("production")).entries()]);
  });

  it.each([
    ["production-tenants-a", "acme"],
    ["production-tenants-a", "globex"],
    ["production-tenants-b", "initech"],
  ])("stamps tenant %s/%s fully in its tenant stack", (stack, slug) => {
    const p = plan(stack);
    const tenant = p.resources.find((r) => r.type === "enclii:tenancy:Tenant" && r.name === `tenant-${slug}`);
    expect(tenant?.parent).toMatch(/pulumi:pulumi:Stack/);
    const inTenant = p.resources.filter(
      (r) => r.urn.includes("enclii:tenancy:Tenant$") && r.urn.includes(`tenant-${slug}`),
    );
    const kinds = inTenant.map((r) => String(r.inputs.kind ?? r.type));
    for (const kind of ["Namespace", "ResourceQuota", "LimitRange"]) expect(kinds, kind).toContain(kind);
    expect(kinds.filter((k) => k === "NetworkPolicy").length).toBeGreaterThanOrEqual(4);
    expect(kinds).toContain("pulumi-nodejs:dynamic/enclii:JanuaOAuthClient");
    const outputs = p.outputs.tenants as Record<string, { hostnames: string[] }>;
    expect(outputs[slug]?.hostnames[0]).toBe(`${slug}.enclii.dev`);
  });

  it("reads the platform through one StackReference, its Janua credentials and kubeconfig as secrets", () => {
    const p = plan("production-tenants-b");
    const provider = p.resources.find((r) => r.type === "pulumi:providers:kubernetes");
    expect(provider?.inputs.kubeconfig).toBe("[secret]");
    const org = p.resources.find((r) => r.type === "pulumi-nodejs:dynamic/enclii:JanuaOrganization");
    expect(JSON.stringify(org?.inputs)).not.toMatch(/placeholder|adminPassword":"[^[]/);
    // The tenant's egress excepts the platform's node addresses, read in clear.
    const nodeIps = (plan("production").outputs.tenantInputs as { nodeIps: string[] }).nodeIps;
    const egress = p.resources.find((r) => r.name === "tenant-initech-networkpolicy-allow-egress");
    for (const ip of nodeIps) expect(JSON.stringify(egress?.inputs)).toContain(ip.split("/")[0]);
  });

  it("gives the dedicated tenant its own Janua, database, Redis and R2 bucket in its tenant stack", () => {
    const p = plan("production-tenants-a");
    const tenant = p.resources.find((r) => r.type === "enclii:tenancy:Tenant" && r.name === "tenant-globex");
    const dedicated = p.resources.find((r) => r.type === "enclii:auth:DedicatedJanua");
    expect(dedicated?.parent).toBe(tenant?.urn);
    const children = p.resources.filter((r) => r.parent === dedicated?.urn).map((r) => r.type);
    expect(children).toEqual(
      expect.arrayContaining(["enclii:data:Postgres", "enclii:data:Redis", "enclii:auth:Janua"]),
    );
    const buckets = p.resources
      .filter((r) => r.type === "cloudflare:index/r2Bucket:R2Bucket")
      .map((r) => r.inputs.name);
    expect(buckets).toEqual(["enclii-production-cnpg-janua-globex"]);
  });

  it("adding a tenant to a tenant stack adds only that tenant's resources there", () => {
    const before = byUrn(plan("production-tenants-a"));
    const after = byUrn(readPlan(plusOne.outDir));
    const removed = [...before.keys()].filter((urn) => !after.has(urn));
    expect(removed).toEqual([]);
    const changed = [...before.keys()].filter((urn) => before.get(urn) !== after.get(urn));
    expect(changed).toEqual([]);
    const added = [...after.keys()].filter((urn) => !before.has(urn));
    expect(added.length).toBeGreaterThan(5);
    for (const urn of added) expect(urn, urn).toMatch(/delta/);
  });
});
