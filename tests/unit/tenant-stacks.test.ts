/**
 * Tenant stacks (docs/tenant-stacks.md): a tenant stack's config is its platform stack's committed
 * config with its own tenants, judged over every tenant stack of the environment.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { stringify } from "yaml";
import { parseStackConfig, StackConfigError } from "../../stacks/config";
import { platformReferenceName, readTenantStacks } from "../../stacks/tenant-stack-config";
import { baseProjectConfig, baseSecrets, toRawConfig } from "../helpers/config-fixtures";

type Json = Record<string, unknown>;

const yaml = (config: Json) =>
  stringify({ config: Object.fromEntries(Object.entries(config).map(([k, v]) => [`enclii-infra:${k}`, v])) });

/** A project directory with platform stack `p` and the given tenant stacks (name -> tenants). */
function environment(tenantStacks: Record<string, Json[]>, platform: Json = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "tenant-stacks-"));
  const { tenants: _t, ...base } = baseProjectConfig();
  writeFileSync(join(dir, "Pulumi.p.yaml"), yaml({ ...base, ...platform }));
  for (const [stack, tenants] of Object.entries(tenantStacks)) {
    writeFileSync(join(dir, `Pulumi.${stack}.yaml`), yaml({ role: "tenants", platformStack: "p", tenants }));
  }
  return dir;
}

function parseTenantStack(dir: string, stack: string, extra: Json = {}) {
  const raw = toRawConfig({ role: "tenants", platformStack: "p", ...extra }, { "cloudflare:apiToken": "t" });
  // The tenants come from the file, as the CLI would pass them.
  const file = readTenantStacks(dir, "p").find((s) => s.stack === stack);
  if (file) raw["enclii-infra:tenants"] = JSON.stringify(file.tenants);
  return parseStackConfig(raw, stack, { projectDir: dir });
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (e) {
    expect(e).toBeInstanceOf(StackConfigError);
    return [...(e as StackConfigError).problems];
  }
  throw new Error("expected the configuration to be rejected");
}

const growth = (slug: string) => ({ slug, tier: "growth" });

describe("tenant stacks", () => {
  it("takes every setting but the tenants from the platform stack's file", () => {
    const dir = environment({ "p-tenants": [{ slug: "acme", domains: ["app.acme.example"] }] });
    const config = parseTenantStack(dir, "p-tenants");
    expect(config).toMatchObject({
      role: "tenants",
      platformStack: "p",
      stack: "p-tenants",
      domain: "enclii.dev",
    });
    expect(config.tenants.map((t) => t.slug)).toEqual(["acme"]);
    expect(config.nodes).toHaveLength(1);
  });

  it("fails when a platform stack lists tenants, naming the tenant stack to move them to", () => {
    const problems = problemsOf(() => parseStackConfig(toRawConfig(baseProjectConfig(), baseSecrets()), "p"));
    expect(problems).toEqual([
      expect.stringContaining("enclii-infra:tenants: a platform stack holds no tenant"),
    ]);
    expect(problems[0]).toContain("Pulumi.p-tenants.yaml with enclii-infra:role: tenants");
  });

  it("fails when a tenant stack sets a platform setting, naming what a tenant stack sets", () => {
    const dir = environment({ "p-tenants": [] });
    const problems = problemsOf(() => parseTenantStack(dir, "p-tenants", { domain: "other.example" }));
    expect(problems).toEqual([
      expect.stringContaining(
        "enclii-infra:domain: unknown key for a tenant stack (it sets role, platformStack and tenants",
      ),
    ]);
  });

  it("fails when the platform stack's file is missing", () => {
    const dir = environment({ "p-tenants": [] });
    const raw = toRawConfig({ role: "tenants", platformStack: "nope" }, { "cloudflare:apiToken": "t" });
    const problems = problemsOf(() => parseStackConfig(raw, "p-tenants", { projectDir: dir }));
    expect(problems).toEqual([
      expect.stringContaining("enclii-infra:platformStack: cannot read Pulumi.nope.yaml"),
    ]);
  });

  it("asks a tenant stack for cloudflare:apiToken only", () => {
    const dir = environment({ "p-tenants": [] });
    const raw = toRawConfig({ role: "tenants", platformStack: "p" }, {});
    const problems = problemsOf(() => parseStackConfig(raw, "p-tenants", { projectDir: dir }));
    expect(problems).toEqual([expect.stringContaining("cloudflare:apiToken: required secret is not set")]);
  });

  it("fails when a slug is taken by a tenant of another tenant stack of the environment", () => {
    const dir = environment({
      "p-tenants-a": [{ slug: "acme" }],
      "p-tenants-b": [{ slug: "beta" }, { slug: "acme" }],
    });
    expect(problemsOf(() => parseTenantStack(dir, "p-tenants-b"))).toEqual([
      'enclii-infra:tenants[1].slug: tenant slug "acme" is used more than once (got "acme")',
    ]);
    // Each stack reports its own entry.
    expect(problemsOf(() => parseTenantStack(dir, "p-tenants-a"))).toEqual([
      'enclii-infra:tenants[0].slug: tenant slug "acme" is used more than once (got "acme")',
    ]);
  });

  it("fails when a custom domain is claimed in another tenant stack", () => {
    const dir = environment({
      "p-tenants-a": [{ slug: "acme", domains: ["shop.example"] }],
      "p-tenants-b": [{ slug: "beta", domains: ["shop.example"] }],
    });
    expect(problemsOf(() => parseTenantStack(dir, "p-tenants-b"))).toEqual([
      'enclii-infra:tenants[0].domains[0]: custom domain shop.example is claimed by more than one tenant (got "shop.example")',
    ]);
  });

  it("checks capacity over every tenant stack of the environment with the same error as one stack", () => {
    // Three growth tenants fit an AX41 alone; six across two stacks do not.
    const alone = environment({ "p-tenants-a": ["e1", "e2", "e3"].map(growth) });
    expect(parseTenantStack(alone, "p-tenants-a").environmentTenants).toHaveLength(3);
    const both = environment({
      "p-tenants-a": ["e1", "e2", "e3"].map(growth),
      "p-tenants-b": ["e4", "e5", "e6"].map(growth),
    });
    const problems = problemsOf(() => parseTenantStack(both, "p-tenants-b"));
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(
      /^enclii-infra:tenants: need 24\.0 CPU \/ 48\.0 GiB of requests on top of the platform's .* add a node, move a tenant to a smaller tier or raise capacity\.overcommit \(got \["e4","e5","e6"\]\) \[counted over every tenant stack of p: p-tenants-b, p-tenants-a\]$/,
    );
  });

  it("validates a dedicated tenant's recovery settings, which stay in the platform's postgres.recovery", () => {
    const recovery = { "janua-zeta": { fromServerName: "janua-zeta", archiveServerName: "janua-zeta-2" } };
    const dir = environment(
      { "p-tenants": [{ slug: "acme", auth: "dedicated" }] },
      { postgres: { recovery } },
    );
    expect(problemsOf(() => parseTenantStack(dir, "p-tenants"))).toEqual([
      expect.stringContaining(
        "enclii-infra:postgres.recovery.janua-zeta: is not a PostgreSQL cluster of this stack; use one of postgres, janua-acme",
      ),
    ]);
  });

  it("names the platform stack in the StackReference as the CLI resolves a bare name", () => {
    expect(platformReferenceName("staging", "acme-org", "enclii-infra")).toBe(
      "acme-org/enclii-infra/staging",
    );
    expect(platformReferenceName("acme-org/staging", "x", "enclii-infra")).toBe(
      "acme-org/enclii-infra/staging",
    );
    expect(platformReferenceName("o/p/staging", "x", "enclii-infra")).toBe("o/p/staging");
  });
});
