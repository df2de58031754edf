/**
 * The hostname rule of tenant routing as the API server enforces it: the ValidatingAdmissionPolicy
 * `enclii-route-hostnames` (components/tenancy/hostname-admission.ts) compiled and evaluated by the
 * project's kube-apiserver build (CEL, `namespaceObject`, the strings extension), on HTTPRoutes
 * against the upstream Gateway API v1.6.1 CRD. A tenant cannot claim another tenant's hostname.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { ROUTER } from "../../components/edge/router-values";
import { renderHostnameAdmission } from "../../components/tenancy/hostname-admission";
import { renderHttpRoute } from "../../components/tenancy/http-routes";
import { renderTenantRoute } from "../../components/tenancy/tenant-manifests";
import type { ApiResponse, ApiServerConnection } from "../helpers/kube-apiserver";
import { apply, create, Discovery, statusMessage } from "../helpers/kube-client";
import { apiServerIfReady, requireApiServer } from "../helpers/test-api-server";

type Obj = Record<string, unknown>;

const namespace = (name: string, slug: string, hostnames?: string) => ({
  apiVersion: "v1",
  kind: "Namespace",
  metadata: {
    name,
    labels: { "enclii.dev/tenant": slug },
    ...(hostnames !== undefined ? { annotations: { "enclii.dev/hostnames": hostnames } } : {}),
  },
});
const route = (ns: string, hostnames: string[], name = "app"): Obj => ({
  apiVersion: "gateway.networking.k8s.io/v1",
  kind: "HTTPRoute",
  metadata: { name, namespace: ns },
  spec: {
    parentRefs: [
      { group: "gateway.networking.k8s.io", kind: "Gateway", name: "router", namespace: "router" },
    ],
    ...(hostnames.length > 0 ? { hostnames } : {}),
    rules: [{ backendRefs: [{ name: "web", port: 80 }] }],
  },
});

let conn: ApiServerConnection;
let d: Discovery;

beforeAll(async () => {
  const api = apiServerIfReady();
  if (!api) return;
  conn = api.servers.production;
  d = new Discovery(conn);
  for (const o of [
    ...renderHostnameAdmission({ gateway: { name: ROUTER.gateway, namespace: ROUTER.namespace } }),
    namespace("tenant-rt-alpha", "rt-alpha", "rt-alpha.enclii.dev,shop.alpha.example"),
    namespace("tenant-rt-beta", "rt-beta", "rt-beta.enclii.dev"),
    namespace("tenant-rt-bare", "rt-bare"),
  ]) {
    const res = await apply(conn, d, o);
    if (res.status >= 300) throw new Error(`${String(o.kind)}: ${res.status} ${res.text}`);
  }
  // The API server loads a new policy asynchronously: wait until it refuses a foreign hostname.
  for (let i = 0; i < 60; i++) {
    const res = await create(conn, d, route("tenant-rt-alpha", ["rt-beta.enclii.dev"], "probe"), {
      dryRun: true,
    });
    if (res.status >= 400) return;
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error("the hostname admission policy never took effect");
}, 120_000);

const admitted = (res: ApiResponse) => expect(res.status, res.text).toBeLessThan(300);
const refused = (res: ApiResponse, message: RegExp) => {
  expect(res.status, res.text).toBeGreaterThanOrEqual(400);
  expect(statusMessage(res)).toMatch(message);
  expect(statusMessage(res)).toMatch(/enclii-route-hostnames/);
};

describe("HTTPRoute hostnames, decided by the API server (ValidatingAdmissionPolicy)", () => {
  it("admits a route for the namespace's own hostnames, and the tenant's default route as rendered", async (ctx) => {
    requireApiServer(ctx);
    admitted(
      await create(conn, d, route("tenant-rt-alpha", ["shop.alpha.example", "rt-alpha.enclii.dev"]), {
        dryRun: true,
      }),
    );
    const own = renderTenantRoute({
      slug: "rt-alpha",
      hostnames: ["rt-alpha.enclii.dev", "shop.alpha.example"],
    });
    admitted(await create(conn, d, own, { dryRun: true }));
  });

  it("refuses another tenant's hostname, naming it and the namespace's own", async (ctx) => {
    requireApiServer(ctx);
    const res = await create(
      conn,
      d,
      route("tenant-rt-alpha", ["shop.alpha.example", "rt-beta.enclii.dev"]),
      { dryRun: true },
    );
    refused(
      res,
      /spec\.hostnames: rt-beta\.enclii\.dev not among the hostnames of namespace tenant-rt-alpha/,
    );
    expect(statusMessage(res)).toContain("rt-alpha.enclii.dev, shop.alpha.example");
  });

  it("refuses a platform hostname and a wildcard over the tenant's own domain", async (ctx) => {
    requireApiServer(ctx);
    refused(
      await create(conn, d, route("tenant-rt-beta", ["auth.enclii.dev"]), { dryRun: true }),
      /auth\.enclii\.dev not among/,
    );
    refused(
      await create(conn, d, route("tenant-rt-alpha", ["*.alpha.example"]), { dryRun: true }),
      /\*\.alpha\.example not among/,
    );
  });

  it("refuses a route without hostnames (it would answer every hostname of the router)", async (ctx) => {
    requireApiServer(ctx);
    refused(
      await create(conn, d, route("tenant-rt-alpha", []), { dryRun: true }),
      /list the hostnames this route serves/,
    );
  });

  it("refuses every hostname in a namespace without the annotation", async (ctx) => {
    requireApiServer(ctx);
    refused(
      await create(conn, d, route("tenant-rt-bare", ["rt-bare.enclii.dev"]), { dryRun: true }),
      /not among the hostnames of namespace tenant-rt-bare \(annotation enclii\.dev\/hostnames: none\)/,
    );
  });

  it("refuses a route that attaches to any other Gateway", async (ctx) => {
    requireApiServer(ctx);
    const other = route("tenant-rt-alpha", ["rt-alpha.enclii.dev"]);
    (other.spec as { parentRefs: Obj[] }).parentRefs = [{ name: "mine" }];
    refused(
      await create(conn, d, other, { dryRun: true }),
      /spec\.parentRefs: a route attaches to the router only/,
    );
  });

  it("refuses an update that adds a foreign hostname to an admitted route", async (ctx) => {
    requireApiServer(ctx);
    admitted(
      await apply(
        conn,
        d,
        renderHttpRoute({
          name: "grows",
          namespace: "tenant-rt-beta",
          hostnames: ["rt-beta.enclii.dev"],
          backend: { name: "web", port: 80 },
        }),
      ),
    );
    const grown = renderHttpRoute({
      name: "grows",
      namespace: "tenant-rt-beta",
      hostnames: ["rt-beta.enclii.dev", "shop.alpha.example"],
      backend: { name: "web", port: 80 },
    });
    refused(
      await apply(conn, d, grown),
      /shop\.alpha\.example not among the hostnames of namespace tenant-rt-beta/,
    );
  });
});
