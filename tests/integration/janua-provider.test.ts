/**
 * The Janua providers against the local model of Janua (tests/helpers/janua-server.ts, whose
 * handlers cite madfam-org/janua's routers). The serialized runs are in janua-serialized.test.ts.
 */
import { describe, expect, it } from "vitest";
import {
  JANUA_PROVIDER_VERSION,
  type JanuaConnection,
  januaOAuthClientProvider,
  januaOrganizationProvider,
} from "../../components/auth/janua-provider";
import { REPLACE_ON, replaceReasons, statefulReason } from "../../scripts/lib/plan-diff/replacement";
import { FAST_TIMING, januaFixture } from "../helpers/janua-fixtures";

const fx = januaFixture({ ...FAST_TIMING, maxRateLimitWaitMs: 50 });

const clients = januaOAuthClientProvider as Required<typeof januaOAuthClientProvider>;
const orgs = januaOrganizationProvider as Required<typeof januaOrganizationProvider>;

const client = (connection: JanuaConnection) => ({
  connection,
  clientKey: "enclii-control-plane",
  name: "Enclii",
  redirectUris: ["https://api.enclii.dev/v1/auth/callback"],
  providerVersion: JANUA_PROVIDER_VERSION,
});
const org = (connection: JanuaConnection) => ({
  connection,
  name: "Acme Corp",
  slug: "acme",
  billingEmail: "billing@acme.example",
  providerVersion: JANUA_PROVIDER_VERSION,
});
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const calls = () => fx.janua.requests.map((r) => `${r.method} ${r.path} ${r.status}`);

describe("Janua OAuth client provider", () => {
  it("registers with the internal API key; the Pulumi id is the client's UUID, client_id an output", async () => {
    const conn = await fx.start();
    const created = await clients.create(client(conn));
    expect(created.id).toMatch(UUID);
    expect(created.outs).toMatchObject({
      januaId: created.id,
      clientId: expect.stringMatching(/^jnc_/),
      clientSecret: expect.stringMatching(/^jns_/),
      providerVersion: JANUA_PROVIDER_VERSION,
    });
    expect(calls()).toEqual([
      "GET /api/v1/oauth/clients/internal/by-name/Enclii 404",
      "POST /api/v1/oauth/clients/register 201",
    ]);
  });

  it("adopts an existing client (200, no secret) and rotates its secret by its UUID", async () => {
    const conn = await fx.start();
    const first = await clients.create(client(conn));
    const second = await clients.create(client(conn));
    expect(second.id).toBe(first.id);
    expect(fx.janua.clients.size).toBe(1);
    expect(second.outs.clientSecret).toMatch(/^jns_/);
    expect(second.outs.clientSecret).not.toBe(first.outs.clientSecret);
    expect(calls()).toContain(`POST /api/v1/oauth/clients/${first.id}/rotate 200`);
  });

  it("waits out 503s while Janua starts; gives up on a Janua without an admin with Janua's message", async () => {
    let conn = await fx.start({ unavailableFor: 3 });
    await clients.create(client(conn));
    expect(fx.janua.requests.filter((r) => r.status === 503)).toHaveLength(3);
    await fx.janua.stop();
    conn = await fx.start({ adminExists: false });
    await expect(clients.create(client(conn))).rejects.toThrow(
      "Janua not ready (503: No admin user found. Run ADMIN_BOOTSTRAP_PASSWORD to create one.) for OAuth client enclii-control-plane (gave up after 8 attempts)",
    );
  });

  it("turns a wrong internal key into a clear 401 message", async () => {
    const conn = await fx.start();
    await expect(
      clients.create({ ...client(conn), connection: { ...conn, internalApiKey: "wrong" } }),
    ).rejects.toThrow(
      "Janua refused OAuth client enclii-control-plane (401: Invalid API key); check the internal API key",
    );
  });

  it("fails when inputs break Janua's rules, naming every field, before any call", async () => {
    const conn = await fx.start();
    await expect(
      clients.create({
        ...client(conn),
        redirectUris: ["http://app.example.com/cb"],
        allowedScopes: ["openid", "Bad Scope"],
        grantTypes: ["password"],
        audience: "other",
        organizationId: "acme",
      }),
    ).rejects.toThrow(
      'Janua OAuth client enclii-control-plane: audience: must equal clientKey "enclii-control-plane" or be unset (got "other"); redirectUris[0]: an https URL (http only for localhost) (got "http://app.example.com/cb"); allowedScopes[1]: one of openid, profile, email, offline_access, api, admin or namespace:action (got "Bad Scope"); grantTypes[0]: one of authorization_code, refresh_token, client_credentials, implicit (got "password"); organizationId: a UUID (got "acme")',
    );
    expect(fx.janua.requests).toEqual([]);
  });

  it.for([
    ["name", { name: "Enclii Control Plane" }, { name: "Enclii Control Plane" }],
    ["description", { description: "the control plane" }, { description: "the control plane" }],
    [
      "redirectUris",
      { redirectUris: ["https://api.enclii.dev/cb", "https://app.enclii.dev/cb"] },
      { redirect_uris: ["https://api.enclii.dev/cb", "https://app.enclii.dev/cb"] },
    ],
    [
      "allowedScopes",
      { allowedScopes: ["openid", "email", "billing:read"] },
      { allowed_scopes: ["openid", "email", "billing:read"] },
    ],
    [
      "grantTypes",
      { grantTypes: ["authorization_code", "refresh_token", "client_credentials"] },
      { grant_types: ["authorization_code", "refresh_token", "client_credentials"] },
    ],
  ] as const)("updates %s in place with a PATCH by UUID and keeps the secret", async ([, change, live]) => {
    const conn = await fx.start();
    const created = await clients.create(client(conn));
    const news = { ...client(conn), ...change };
    expect(await clients.diff(created.id, created.outs, news)).toMatchObject({ changes: true, replaces: [] });
    const updated = await clients.update(created.id, created.outs as never, news);
    expect(updated.outs).toMatchObject({ januaId: created.id, clientSecret: created.outs.clientSecret });
    expect(fx.janua.clients.get(created.id)).toMatchObject(live);
    expect(calls().filter((c) => c.startsWith("PATCH"))).toEqual([
      `PATCH /api/v1/oauth/clients/${created.id} 200`,
    ]);
  });

  it("clears a description with null, and turns a client public and back through /register (PATCH cannot)", async () => {
    const conn = await fx.start();
    const created = await clients.create({ ...client(conn), description: "d" });
    const cleared = await clients.update(created.id, created.outs as never, client(conn));
    expect(fx.janua.clients.get(created.id)?.description).toBeNull();
    const pub = { ...client(conn), isConfidential: false };
    const madePublic = await clients.update(created.id, cleared.outs as never, pub);
    expect(fx.janua.clients.get(created.id)?.is_confidential).toBe(false);
    expect(madePublic.outs?.clientSecret).toBe("");
    const back = await clients.update(created.id, madePublic.outs as never, client(conn));
    expect(fx.janua.clients.get(created.id)?.is_confidential).toBe(true);
    expect(back.outs?.clientSecret).toMatch(/^jns_/);
    expect(fx.janua.clients.size).toBe(1);
  });

  it("replaces on clientKey or organizationId, deleting first; the plan diff names the same fields", async () => {
    const conn = await fx.start();
    const created = await clients.create(client(conn));
    for (const [field, value] of [
      ["clientKey", "other"],
      ["organizationId", "00000000-0000-4000-8000-000000000001"],
    ]) {
      const diff = await clients.diff(created.id, created.outs, {
        ...client(conn),
        [field as string]: value,
      });
      expect(diff).toEqual({ changes: true, replaces: [field], deleteBeforeReplace: true });
    }
    expect(REPLACE_ON["pulumi-nodejs:dynamic/enclii:JanuaOAuthClient"]).toEqual([
      "clientKey",
      "organizationId",
    ]);
  });

  it("a replacement registered before the delete would adopt the live client by its name, so it is refused; deleting first leaves exactly the new one", async () => {
    const conn = await fx.start();
    const old = await clients.create(client(conn));
    const news = { ...client(conn), clientKey: "enclii-control-plane-2" };
    // The engine's default order (create, then delete the old) would take over the live client
    // and then delete it; the provider refuses the create instead.
    await expect(clients.create(news)).rejects.toThrow(
      `Janua OAuth client enclii-control-plane-2: the name "Enclii" belongs to Janua's client ${String(old.outs.clientId)} (audience "enclii-control-plane"), and /register would take that client over`,
    );
    expect(fx.janua.clients.get(old.id)?.audience).toBe("enclii-control-plane");
    // The order the provider's diff asks for (deleteBeforeReplace).
    await clients.delete(old.id, old.outs as never);
    const fresh = await clients.create(news);
    expect(fresh.id).not.toBe(old.id);
    expect([...fx.janua.clients.keys()]).toEqual([fresh.id]);
  });

  it("refuses a name another service's client holds in the shared Janua, leaving that client untouched", async () => {
    const conn = await fx.start();
    const voxa = fx.janua.createClient(
      { name: "Voxa", client_key: "voxa", redirect_uris: ["https://voxa.example/cb"] },
      fx.janua.admin.id,
    );
    await expect(clients.create({ ...client(conn), clientKey: "tenant-voxa", name: "Voxa" })).rejects.toThrow(
      'the name "Voxa" belongs to Janua\'s client',
    );
    expect(fx.janua.clients.get(String(voxa.client.id))).toMatchObject({
      audience: "voxa",
      redirect_uris: ["https://voxa.example/cb"],
    });
    expect(fx.janua.clients.size).toBe(1);
  });

  it("reads drift back, and reads a client deleted out of band as gone", async () => {
    const conn = await fx.start();
    const created = await clients.create(client(conn));
    Object.assign(fx.janua.clients.get(created.id) ?? {}, { redirect_uris: ["https://evil.example/cb"] });
    const read = await clients.read(created.id, created.outs as never);
    expect(read.props).toMatchObject({
      redirectUris: ["https://evil.example/cb"],
      clientId: created.outs.clientId,
    });
    expect(read.props).not.toHaveProperty("allowedScopes", expect.anything());
    expect((await clients.diff(created.id, read.props as never, client(conn))).changes).toBe(true);
    fx.janua.clients.delete(created.id);
    expect(await clients.read(created.id, created.outs as never)).toEqual({ id: "", props: {} });
  });

  it("deletes by UUID; deleting twice is fine", async () => {
    const conn = await fx.start();
    const created = await clients.create(client(conn));
    await clients.delete(created.id, created.outs as never);
    await clients.delete(created.id, created.outs as never);
    expect(fx.janua.clients.size).toBe(0);
    expect(calls().filter((c) => c.startsWith("DELETE"))).toEqual([
      `DELETE /api/v1/oauth/clients/${created.id} 204`,
      `DELETE /api/v1/oauth/clients/${created.id} 404`,
    ]);
  });

  it("signs in once for many calls, and once more only after its token expired", async () => {
    const conn = await fx.start();
    const created = await clients.create(client(conn));
    for (let i = 0; i < 5; i++) await clients.read(created.id, created.outs as never);
    expect(fx.janua.signIns()).toBe(1);
    fx.janua.expireTokens();
    await clients.read(created.id, created.outs as never);
    expect(fx.janua.signIns()).toBe(2);
  });

  it("reports a stored provider version other than the current one as an update, never a replace", async () => {
    const conn = await fx.start();
    const created = await clients.create(client(conn));
    expect(await clients.diff(created.id, created.outs, client(conn))).toMatchObject({ changes: false });
    for (const old of [undefined, JANUA_PROVIDER_VERSION - 1]) {
      expect(
        await clients.diff(created.id, { ...created.outs, providerVersion: old }, client(conn)),
      ).toMatchObject({
        changes: true,
        replaces: [],
      });
    }
  });
});

describe("Janua organization provider", () => {
  it("creates the organization as the admin; a second create adopts it by slug", async () => {
    const conn = await fx.start();
    const created = await orgs.create(org(conn));
    expect(created.id).toMatch(UUID);
    expect(fx.janua.organizations.get(created.id)).toMatchObject({
      slug: "acme",
      billing_email: "billing@acme.example",
    });
    const again = await orgs.create(org(conn));
    expect(again.id).toBe(created.id);
    expect(fx.janua.organizations.size).toBe(1);
    expect(fx.janua.signIns()).toBe(1);
  });

  it("finds its slug on any page of the admin list", async () => {
    const conn = await fx.start();
    for (let i = 0; i < 150; i++) fx.janua.addForeignOrganization({ name: `Acme ${i}`, slug: `acme-${i}` });
    const target = fx.janua.createOrganization({ name: "Acme", slug: "acme" }, fx.janua.admin);
    const adopted = await orgs.create(org(conn));
    expect(adopted.id).toBe(target.id);
    expect(calls().filter((c) => c.includes("/admin/organizations"))).toEqual([
      "GET /api/v1/admin/organizations 200",
      "GET /api/v1/admin/organizations 200",
    ]);
  });

  it.for([
    ["name", { name: "Acme Inc" }, { name: "Acme Inc" }],
    ["description", { description: "Acme's tenant" }, { description: "Acme's tenant" }],
    ["billingEmail", { billingEmail: "ap@acme.example" }, { billing_email: "ap@acme.example" }],
  ] as const)(
    "updates %s in place with a PATCH: same organization, never deleted",
    async ([, change, live]) => {
      const conn = await fx.start();
      const created = await orgs.create(org(conn));
      const news = { ...org(conn), ...change };
      expect(await orgs.diff(created.id, created.outs, news)).toMatchObject({ changes: true, replaces: [] });
      await orgs.update(created.id, created.outs as never, news);
      expect(fx.janua.organizations.get(created.id)).toMatchObject(live);
      expect(calls().filter((c) => /^(PATCH|DELETE|POST \/api\/v1\/organizations)/.test(c))).toEqual([
        "POST /api/v1/organizations/ 200",
        `PATCH /api/v1/organizations/${created.id} 200`,
      ]);
    },
  );

  it("clears a description with an empty string, since Janua ignores null", async () => {
    const conn = await fx.start();
    const created = await orgs.create({ ...org(conn), description: "d" });
    await orgs.update(created.id, created.outs as never, org(conn));
    expect(fx.janua.organizations.get(created.id)?.description).toBe("");
    const read = await orgs.read(created.id, { ...created.outs, description: undefined } as never);
    expect(read.props).toMatchObject({ description: undefined });
  });

  it("replaces only on a slug change, which the plan diff marks as destroying the organization's state", async () => {
    const conn = await fx.start();
    const created = await orgs.create(org(conn));
    expect(await orgs.diff(created.id, created.outs, { ...org(conn), slug: "acme-2" })).toMatchObject({
      changes: true,
      replaces: ["slug"],
    });
    const type = "pulumi-nodejs:dynamic/enclii:JanuaOrganization";
    expect(replaceReasons(type, ["slug"])).toEqual(["slug"]);
    expect(replaceReasons(type, ["name", "description", "billingEmail"])).toEqual([]);
    expect(statefulReason(type)).toContain("its users and memberships are lost");
  });

  it("reads drift back, an organization it does not own through the admin list, and a deleted one as gone", async () => {
    const conn = await fx.start();
    const created = await orgs.create(org(conn));
    Object.assign(fx.janua.organizations.get(created.id) ?? {}, { name: "Renamed" });
    expect((await orgs.read(created.id, created.outs as never)).props).toMatchObject({ name: "Renamed" });
    const foreign = fx.janua.addForeignOrganization({ name: "Foreign", slug: "foreign" });
    const read = await orgs.read(String(foreign.id), { ...org(conn), slug: "foreign" } as never);
    expect(read).toMatchObject({ id: foreign.id, props: { name: "Foreign" } });
    fx.janua.organizations.delete(created.id);
    expect(await orgs.read(created.id, created.outs as never)).toEqual({ id: "", props: {} });
  });

  it("fails a delete that Janua answers with 200 but does not commit, saying what to do", async () => {
    const conn = await fx.start();
    const created = await orgs.create(org(conn));
    await expect(orgs.delete(created.id, created.outs as never)).rejects.toThrow(
      `Janua answered that organization acme (${created.id}) was deleted, but it still exists`,
    );
    expect(fx.janua.organizations.has(created.id)).toBe(true);
  });

  it("deletes where Janua's delete commits; deleting twice is fine", async () => {
    const conn = await fx.start({ organizationDeleteCommits: true });
    const created = await orgs.create(org(conn));
    await orgs.delete(created.id, created.outs as never);
    await orgs.delete(created.id, created.outs as never);
    expect(fx.janua.organizations.size).toBe(0);
  });

  it("fails clearly when the bootstrap admin password is wrong, and on an invalid slug before any call", async () => {
    const conn = await fx.start();
    await expect(
      orgs.create({ ...org(conn), connection: { ...conn, adminPassword: "nope" } }),
    ).rejects.toThrow("Janua refused the admin sign-in (401: Invalid credentials)");
    const before = fx.janua.requests.length;
    await expect(orgs.create({ ...org(conn), slug: "Acme!" })).rejects.toThrow(
      'Janua organization Acme!: slug: 1-100 of a-z, 0-9 and - (got "Acme!")',
    );
    expect(fx.janua.requests).toHaveLength(before);
  });
});
