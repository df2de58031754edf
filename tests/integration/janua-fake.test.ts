/**
 * The fake Janua (tests/helpers/janua-server.ts) pinned to the upstream behaviour it cites: one
 * test per rule, each naming madfam-org/janua d181ef41 file and lines (apps/api/...).
 */
import { afterEach, describe, expect, it } from "vitest";
import { JANUA_ADMIN, JANUA_KEY } from "../helpers/janua-fixtures";
import { FakeJanua, type JanuaServerOptions } from "../helpers/janua-server";

type Json = Record<string, unknown>;

let janua: FakeJanua | undefined;
afterEach(async () => {
  await janua?.stop();
  janua = undefined;
});

async function start(options: Partial<JanuaServerOptions> = {}): Promise<FakeJanua> {
  janua = new FakeJanua({ internalApiKey: JANUA_KEY, ...JANUA_ADMIN, ...options });
  await janua.start();
  return janua;
}

async function call(
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; key?: string } = {},
): Promise<{ status: number; body: Json & Json[]; headers: Headers }> {
  const headers: Record<string, string> = {};
  if (opts.body !== undefined) headers["content-type"] = "application/json";
  if (opts.token) headers.authorization = `Bearer ${opts.token}`;
  if (opts.key !== undefined) headers["x-internal-api-key"] = opts.key;
  const res = await fetch(`${janua?.url}${path}`, {
    method,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    redirect: "manual",
  });
  const text = await res.text();
  return {
    status: res.status,
    body: (text ? JSON.parse(text) : null) as Json & Json[],
    headers: res.headers,
  };
}

const signIn = () =>
  call("POST", "/api/v1/auth/signin", {
    body: { email: JANUA_ADMIN.adminEmail, password: JANUA_ADMIN.adminPassword },
  });
async function token(): Promise<string> {
  const { body } = await signIn();
  return String((body.tokens as Json).access_token);
}
const client = (extra: Json = {}) => ({
  name: "Enclii",
  client_key: "enclii-control-plane",
  redirect_uris: ["https://api.enclii.dev/v1/auth/callback"],
  ...extra,
});
const register = (body: Json, key = JANUA_KEY) =>
  call("POST", "/api/v1/oauth/clients/register", { body, key });
const message = (body: Json) => (body.error as Json).message;

describe("sign-in (auth.py 365-489)", () => {
  it("answers tokens.access_token with expires_in of 480 minutes (auth.py 470-489, config.py 127)", async () => {
    await start();
    const { status, body } = await signIn();
    expect(status).toBe(200);
    expect(body).toMatchObject({ mfa_required: false, tokens: { token_type: "bearer", expires_in: 28_800 } });
    expect(body.access_token).toBeUndefined();
  });

  it("refuses a wrong password with 401 Invalid credentials in Janua's error shape (auth.py 395-411, error_handling.py 321-331)", async () => {
    await start();
    const { status, body } = await call("POST", "/api/v1/auth/signin", {
      body: { email: JANUA_ADMIN.adminEmail, password: "x" },
    });
    expect(status).toBe(401);
    expect(body.error).toMatchObject({ code: "HTTP_ERROR", message: "Invalid credentials" });
  });

  it("answers the 6th sign-in of a minute from one address 429 with slowapi's body and no Retry-After (auth.py 366; slowapi extension.py 76-87, 381)", async () => {
    await start();
    for (let i = 0; i < 5; i++) expect((await signIn()).status).toBe(200);
    const limited = await signIn();
    expect(limited.status).toBe(429);
    expect(limited.body).toEqual({ error: "Rate limit exceeded: 5 per 1 minute" });
    expect(limited.headers.get("retry-after")).toBeNull();
  });

  it("counts failed sign-ins too, and not bodies that fail validation (auth.py 78-87 before the limiter)", async () => {
    await start();
    for (let i = 0; i < 3; i++)
      expect((await call("POST", "/api/v1/auth/signin", { body: { password: "x" } })).status).toBe(422);
    for (let i = 0; i < 5; i++)
      await call("POST", "/api/v1/auth/signin", { body: { email: JANUA_ADMIN.adminEmail, password: "x" } });
    expect((await signIn()).status).toBe(429);
  });

  it("sends Retry-After with slowapi's headers enabled, and opens a new window when the old one ends (extension.py 378-412; limits memory.py 88-102)", async () => {
    await start({ rateLimitHeaders: true, signInLimit: { windowMs: 1000 } });
    for (let i = 0; i < 5; i++) await signIn();
    const limited = await signIn();
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(limited.headers.get("x-ratelimit-limit")).toBe("5");
    await new Promise((r) => setTimeout(r, 1050));
    expect((await signIn()).status).toBe(200);
  });

  it("limits no other route: Janua's global rate-limit middleware is never installed (main.py 523, global_rate_limit.py 698-713)", async () => {
    await start();
    const statuses = [];
    for (let i = 0; i < 30; i++)
      statuses.push((await register(client({ client_key: `k${i}`, name: `n${i}` }))).status);
    expect(new Set(statuses)).toEqual(new Set([201]));
  });
});

describe("the admin's token (dependencies.py 175-228)", () => {
  it("refuses a missing bearer with 401 Not authenticated, an expired one with 401 Invalid or expired token (dependencies.py 186-188)", async () => {
    const j = await start();
    expect((await call("GET", "/api/v1/admin/organizations")).status).toBe(401);
    const t = await token();
    expect((await call("GET", "/api/v1/admin/organizations", { token: t })).status).toBe(200);
    j.expireTokens();
    const expired = await call("GET", "/api/v1/admin/organizations", { token: t });
    expect([expired.status, message(expired.body)]).toEqual([401, "Invalid or expired token"]);
  });
});

describe("POST /oauth/clients/register (oauth_clients.py 54-192)", () => {
  it("needs X-Internal-API-Key: 422 without it, 401 Invalid API key when wrong (dependencies.py 157-167)", async () => {
    await start();
    const missing = await call("POST", "/api/v1/oauth/clients/register", { body: client() });
    expect(missing.status).toBe(422);
    expect((missing.body.error as Json).details).toEqual({
      validation_errors: [{ field: "header.X-Internal-API-Key", message: "Field required", type: "missing" }],
    });
    expect(message((await register(client(), "wrong")).body)).toBe("Invalid API key");
  });

  it("creates with 201: a UUID id, a jnc_ client_id and the jns_ secret once (173-192, service 27-58)", async () => {
    await start();
    const { status, body } = await register(client());
    expect(status).toBe(201);
    expect(body.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(body.client_id).toMatch(/^jnc_[A-Za-z0-9_-]{32}$/);
    expect(body.client_secret).toMatch(/^jns_/);
    expect(body.audience).toBe("enclii-control-plane");
    expect(
      (await register(client({ client_key: "spa", name: "SPA", is_confidential: false }))).body.client_secret,
    ).toBeNull();
  });

  it("is idempotent on client_key: 200 without a secret, non-secret fields reconciled, organization_id never (104-132)", async () => {
    await start();
    const first = await register(client());
    const org = "00000000-0000-4000-8000-000000000001";
    const again = await register(client({ name: "Enclii 2", organization_id: org }));
    expect(again.status).toBe(200);
    expect(again.body).toMatchObject({
      id: first.body.id,
      client_id: first.body.client_id,
      name: "Enclii 2",
      client_secret: null,
    });
    expect(again.body.organization_id).toBeNull();
  });

  it("falls back to the oldest client of the same name when no client has the key (95-102)", async () => {
    await start();
    const first = await register(client());
    const other = await register(client({ client_key: "another-key" }));
    expect(other.status).toBe(200);
    expect(other.body.id).toBe(first.body.id);
    expect(other.body.audience).toBe("another-key");
  });

  it("refuses a client_key different from the audience with 400 (78-83)", async () => {
    await start();
    const { status, body } = await register(client({ audience: "other" }));
    expect([status, message(body)]).toEqual([
      400,
      "client_key must match audience until a separate client key column exists",
    ]);
  });

  it("answers 503 for a new client while no admin exists, after the idempotency lookup (85-155)", async () => {
    const j = await start();
    await register(client());
    j.adminExists = false;
    expect((await register(client())).status).toBe(200);
    const { status, body } = await register(client({ client_key: "new", name: "New" }));
    expect([status, message(body)]).toEqual([
      503,
      "No admin user found. Run ADMIN_BOOTSTRAP_PASSWORD to create one.",
    ]);
  });

  it("validates redirect URIs, scopes and grant types as OAuthClientCreate does (schema 91-158)", async () => {
    await start();
    const { status, body } = await register(
      client({ redirect_uris: ["http://app.example.com/cb"], allowed_scopes: ["Bad Scope"] }),
    );
    expect(status).toBe(422);
    const errors = ((body.error as Json).details as Json).validation_errors as Json[];
    expect(errors.map((e) => [e.field, String(e.message).split(":")[0]])).toEqual([
      ["body.redirect_uris", "Value error, Redirect URI must use HTTPS"],
      ["body.allowed_scopes", "Value error, Invalid scope"],
    ]);
    expect((await register(client({ redirect_uris: ["http://localhost:3000/cb"] }))).status).toBe(201);
  });

  it("refuses an organization_id that is not a UUID with 400 (157-162)", async () => {
    await start();
    expect(message((await register(client({ organization_id: "acme" }))).body)).toBe(
      "Invalid organization_id format",
    );
  });
});

describe("GET /oauth/clients/internal/by-name/{name} (oauth_clients.py 218-237)", () => {
  it("answers the oldest client of that name with the internal key, 404 when none (service 181-207)", async () => {
    await start();
    const first = await register(client());
    await register(client({ client_key: "other" }));
    const found = await call("GET", "/api/v1/oauth/clients/internal/by-name/Enclii", { key: JANUA_KEY });
    expect(found.body).toMatchObject({ id: first.body.id, client_secret: null });
    const none = await call("GET", "/api/v1/oauth/clients/internal/by-name/Nobody", { key: JANUA_KEY });
    expect([none.status, message(none.body)]).toEqual([404, "OAuth client not found"]);
    expect(
      (await call("GET", "/api/v1/oauth/clients/internal/by-name/Enclii", { key: "wrong" })).status,
    ).toBe(401);
  });
});

describe("/oauth/clients/{client_id} (oauth_clients.py 375-557)", () => {
  it("rejects the public jnc_ client_id with 400 Invalid client_id format on GET, PATCH, DELETE and rotate (388-391, 435-438, 483-486, 521-524)", async () => {
    await start();
    const { body } = await register(client());
    const t = await token();
    for (const [method, suffix] of [
      ["GET", ""],
      ["PATCH", ""],
      ["DELETE", ""],
      ["POST", "/rotate"],
    ] as const) {
      const res = await call(method, `/api/v1/oauth/clients/${String(body.client_id)}${suffix}`, {
        token: t,
        ...(method === "PATCH" ? { body: {} } : {}),
      });
      expect([method, res.status, message(res.body)]).toEqual([method, 400, "Invalid client_id format"]);
    }
  });

  it("takes the UUID in any form Python's uuid.UUID parses (CPython Lib/uuid.py)", async () => {
    await start();
    const { body } = await register(client());
    const t = await token();
    const bare = String(body.id).replace(/-/g, "").toUpperCase();
    expect((await call("GET", `/api/v1/oauth/clients/${bare}`, { token: t })).body.id).toBe(body.id);
    expect((await call("GET", `/api/v1/oauth/clients/{${String(body.id)}}`, { token: t })).status).toBe(200);
  });

  it("GET never returns the secret; a missing client is 404 OAuth client not found (399-420)", async () => {
    await start();
    const { body } = await register(client());
    const t = await token();
    expect(
      (await call("GET", `/api/v1/oauth/clients/${String(body.id)}`, { token: t })).body.client_secret,
    ).toBeNull();
    const missing = await call("GET", "/api/v1/oauth/clients/00000000-0000-4000-8000-000000000009", {
      token: t,
    });
    expect([missing.status, message(missing.body)]).toEqual([404, "OAuth client not found"]);
  });

  it("PATCH sets the fields it carries, validates only redirect URIs (schema 161-191, service 289-292)", async () => {
    await start();
    const { body } = await register(client({ description: "d" }));
    const t = await token();
    const path = `/api/v1/oauth/clients/${String(body.id)}`;
    const patched = await call("PATCH", path, {
      token: t,
      body: { name: "Renamed", description: null, allowed_scopes: ["Bad Scope"] },
    });
    expect(patched.body).toMatchObject({ name: "Renamed", description: null, allowed_scopes: ["Bad Scope"] });
    expect(patched.body.redirect_uris).toEqual(["https://api.enclii.dev/v1/auth/callback"]);
    expect(
      (await call("PATCH", path, { token: t, body: { redirect_uris: ["http://x.example/cb"] } })).status,
    ).toBe(422);
  });

  it("DELETE answers 204 without a body, then 404 (470-496)", async () => {
    await start();
    const { body } = await register(client());
    const t = await token();
    const path = `/api/v1/oauth/clients/${String(body.id)}`;
    const deleted = await call("DELETE", path, { token: t });
    expect([deleted.status, deleted.body]).toEqual([204, null]);
    expect((await call("DELETE", path, { token: t })).status).toBe(404);
  });

  it("rotate answers a new secret with the public client_id (499-557)", async () => {
    await start();
    const { body } = await register(client());
    const rotated = await call("POST", `/api/v1/oauth/clients/${String(body.id)}/rotate`, {
      token: await token(),
    });
    expect(rotated.body).toMatchObject({ client_id: body.client_id, grace_period_hours: 24 });
    expect(rotated.body.client_secret).toMatch(/^jns_/);
    expect(rotated.body.client_secret).not.toBe(body.client_secret);
  });

  it("lists clients newest first, paged, with total (321-372, service 209-265)", async () => {
    await start();
    for (let i = 0; i < 3; i++) await register(client({ client_key: `k${i}`, name: `n${i}` }));
    const { body } = await call("GET", "/api/v1/oauth/clients?page=2&per_page=2", { token: await token() });
    expect(body).toMatchObject({ total: 3, page: 2, per_page: 2 });
    expect((body.clients as Json[]).map((c) => c.name)).toEqual(["n0"]);
  });
});

describe("organizations (organizations.py, admin.py)", () => {
  it("creates with 200, the creator's email as the default billing email; a taken slug is 400, a bad one 422 (organizations.py 37-48, 232-302)", async () => {
    await start();
    const t = await token();
    const created = await call("POST", "/api/v1/organizations/", {
      token: t,
      body: { name: "Acme", slug: "acme" },
    });
    expect(created.status).toBe(200);
    expect(created.body).toMatchObject({
      slug: "acme",
      billing_email: JANUA_ADMIN.adminEmail,
      is_owner: true,
    });
    const taken = await call("POST", "/api/v1/organizations/", {
      token: t,
      body: { name: "Acme", slug: "acme" },
    });
    expect([taken.status, message(taken.body)]).toEqual([400, "Organization slug already exists"]);
    expect(
      (await call("POST", "/api/v1/organizations/", { token: t, body: { name: "A", slug: "Acme!" } })).status,
    ).toBe(422);
    expect(
      (await call("POST", "/api/v1/organizations", { token: t, body: { name: "A", slug: "b" } })).status,
    ).toBe(307);
  });

  it("GET: 400 for a non-UUID, 404 when gone, 403 for an organization the admin does not own (organizations.py 158-229, 366-403)", async () => {
    const j = await start();
    const t = await token();
    expect(message((await call("GET", "/api/v1/organizations/acme", { token: t })).body)).toBe(
      "Invalid organization ID",
    );
    expect(
      (await call("GET", "/api/v1/organizations/00000000-0000-4000-8000-000000000009", { token: t })).status,
    ).toBe(404);
    const foreign = j.addForeignOrganization({ name: "Foreign", slug: "foreign" });
    const res = await call("GET", `/api/v1/organizations/${String(foreign.id)}`, { token: t });
    expect([res.status, message(res.body)]).toEqual([403, "Not a member of this organization"]);
  });

  it('PATCH applies the fields that are not null, "" included (organizations.py 406-470)', async () => {
    await start();
    const t = await token();
    const { body } = await call("POST", "/api/v1/organizations/", {
      token: t,
      body: { name: "Acme", slug: "acme", description: "d" },
    });
    const path = `/api/v1/organizations/${String(body.id)}`;
    expect(
      (await call("PATCH", path, { token: t, body: { name: "Acme Inc", description: null } })).body,
    ).toMatchObject({
      name: "Acme Inc",
      description: "d",
      slug: "acme",
    });
    expect((await call("PATCH", path, { token: t, body: { description: "" } })).body.description).toBe("");
  });

  it("admin list: a bare array, 20 per page by default, at most 100, filtered by search (admin.py 734-799)", async () => {
    await start();
    const t = await token();
    for (let i = 0; i < 25; i++)
      await call("POST", "/api/v1/organizations/", {
        token: t,
        body: { name: `Org ${i}`, slug: `org-${i}` },
      });
    const first = await call("GET", "/api/v1/admin/organizations", { token: t });
    expect(Array.isArray(first.body)).toBe(true);
    expect(first.body).toHaveLength(20);
    expect((await call("GET", "/api/v1/admin/organizations?page=2", { token: t })).body).toHaveLength(5);
    expect((await call("GET", "/api/v1/admin/organizations?per_page=101", { token: t })).status).toBe(422);
    const found = await call("GET", "/api/v1/admin/organizations?search=ORG-2", { token: t });
    expect(found.body.map((o: Json) => o.slug).sort()).toEqual([
      "org-2",
      "org-20",
      "org-21",
      "org-22",
      "org-23",
      "org-24",
    ]);
    expect(Object.keys(found.body[0] as Json)).not.toContain("description");
  });

  it("admin DELETE answers 200 but deletes nothing, since db.delete is not awaited (admin.py 802-823); 404 unknown, 400 not a UUID", async () => {
    const j = await start();
    const t = await token();
    const { body } = await call("POST", "/api/v1/organizations/", {
      token: t,
      body: { name: "Acme", slug: "acme" },
    });
    const del = await call("DELETE", `/api/v1/admin/organizations/${String(body.id)}`, { token: t });
    expect(del).toMatchObject({ status: 200, body: { message: "Organization deleted successfully" } });
    expect(j.organizations.has(String(body.id))).toBe(true);
    expect(
      (await call("DELETE", "/api/v1/admin/organizations/00000000-0000-4000-8000-000000000009", { token: t }))
        .status,
    ).toBe(404);
    expect((await call("DELETE", "/api/v1/admin/organizations/acme", { token: t })).status).toBe(400);
  });
});
