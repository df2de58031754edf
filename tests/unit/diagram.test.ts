import { describe, expect, it } from "vitest";
import { MAX_TENANT_BOXES, renderDiagram } from "../../scripts/lib/diagram";
import type { PlanDocument, PlanResource } from "../../scripts/lib/plan-document";
import { parseMermaid } from "../helpers/mermaid";

const STACK = "urn:pulumi:p::enclii-infra::pulumi:pulumi:Stack::enclii-infra-p";

function component(type: string, name: string, parent = STACK): PlanResource {
  return {
    urn: `urn:pulumi:p::enclii-infra::${type}::${name}`,
    type,
    name,
    parent,
    custom: false,
    dependencies: [],
    protect: false,
    inputs: {},
  };
}

function namespace(parent: string, name: string, labels: Record<string, string>): PlanResource {
  return {
    urn: `urn:pulumi:p::enclii-infra::kubernetes:core/v1:Namespace::${name}`,
    type: "kubernetes:core/v1:Namespace",
    name,
    parent,
    custom: true,
    dependencies: [],
    protect: false,
    inputs: { metadata: { name, labels } },
  };
}

function planWithTenants(count: number): PlanDocument {
  const resources: PlanResource[] = [
    { ...component("pulumi:pulumi:Stack", "enclii-infra-p", ""), parent: null, urn: STACK },
    component("enclii:edge:Tunnel", "tunnel"),
  ];
  const ingresses: { hostname?: string; service: string }[] = [];
  for (let i = 0; i < count; i++) {
    const slug = `t${i}`;
    const tenant = component("enclii:tenancy:Tenant", `tenant-${slug}`);
    resources.push(
      tenant,
      namespace(tenant.urn, `tenant-${slug}`, {
        "enclii.dev/tenant": slug,
        "enclii.dev/tier": i % 3 ? "starter" : "growth",
      }),
    );
    ingresses.push({
      hostname: `${slug}.example.dev`,
      service: `http://tenant-gateway.tenant-${slug}.svc.cluster.local:80`,
    });
  }
  ingresses.push({ service: "http_status:404" });
  resources.push({
    urn: "urn:pulumi:p::enclii-infra::cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig::cfg",
    type: "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig",
    name: "cfg",
    parent: resources[1]?.urn ?? null,
    custom: true,
    dependencies: [],
    protect: false,
    inputs: { config: { ingresses } },
  });
  return { project: "enclii-infra", stack: "p", resources } as unknown as PlanDocument;
}

describe("stack diagram", () => {
  it("draws each tenant in its tier with its routes when there are few", async () => {
    const d = renderDiagram(planWithTenants(3));
    expect(d).toContain('subgraph tier_growth["growth"]');
    expect(d).toContain('tenant_t1["t1"]');
    expect(d).toContain('tunnel -->|"t2.example.dev"| tenant_t2');
    expect(await parseMermaid(d)).toBe("flowchart-v2");
  });

  it(`collapses tenants into one box per tier above ${MAX_TENANT_BOXES}, routes grouped`, async () => {
    const d = renderDiagram(planWithTenants(30));
    expect(d).toContain('tier_growth["10 growth tenants"]');
    expect(d).toContain('tier_starter["20 starter tenants"]');
    expect(d).not.toContain("tenant_t1[");
    expect(d).toMatch(/tunnel -->\|"t1\.example\.dev, t2\.example\.dev \+18 more"\| tier_starter/);
    expect(await parseMermaid(d)).toBe("flowchart-v2");
  });

  it("the parser used by these tests rejects a broken flowchart", async () => {
    await expect(parseMermaid("flowchart LR\n  a --> \n  subgraph x\n")).rejects.toThrow(/Expecting/);
  });
});
