import { afterEach, describe, expect, it } from "vitest";
import {
  type JanuaConnection,
  januaOAuthClientProvider,
  januaOrganizationProvider,
} from "../../components/auth/janua-provider";
import { FakeJanua, type JanuaServerOptions } from "../helpers/janua-server";
import { runSerialized, serializeProvider } from "../helpers/serialized";

const KEY = "internal-key-0123456789";
const ADMIN = { adminEmail: "admin@enclii.dev", adminPassword: "admin-password-0123" };
const FAST = { baseDelayMs: 5, maxDelayMs: 20, maxAttempts: 8 };
const clients = januaOAuthClientProvider as Required<typeof januaOAuthClientProvider>;
const orgs = januaOrganizationProvider as Required<typeof januaOrganizationProvider>;

let janua: FakeJanua | undefined;
afterEach(async () => {
  await janua?.stop();
  janua = undefined;
});

async function start(
  options: { unavailableFor?: number; adminExists?: boolean; access?: JanuaServerOptions["access"] } = {},
): Promise<JanuaConnection> {
  janua = new FakeJanua({ internalApiKey: KEY, ...ADMIN, ...options });
  return { baseUrl: await janua.start(), internalApiKey: KEY, ...ADMIN, timing: FAST };
}

const client = (connection: JanuaConnection) => ({
  connection,
  clientKey: "enclii-control-plane",
  name: "Enclii",
  redirectUris: ["https://api.enclii.dev/v1/auth/callback"],
});

describe("Janua OAuth client provider", () => {
  it("registers with the internal API key and returns the secret from the 201", async () => {
    const conn = await start();
    const created = await clients.create(client(conn));
    expect(created.id).toMatch(/^jnc_/);
    expect(created.outs).toMatchObject({
      clientId: created.id,
      clientSecret: expect.stringMatching(/^jns_/),
    });
    expect(janua?.requests).toEqual([
      { method: "POST", path: "/api/v1/oauth/clients/register", status: 201 },
    ]);
  });

  it("is idempotent on client_key: a 200 without a secret adopts the client and rotates its secret once", async () => {
    const conn = await start();
    const first = await clients.create(client(conn));
    const second = await clients.create(client(conn));
    expect(second.id).toBe(first.id);
    expect(janua?.clients.size).toBe(1);
    expect(second.outs.clientSecret).toMatch(/^jns_/);
    expect(janua?.requests.map((r) => `${r.path} ${r.status}`)).toContain(
      `/api/v1/oauth/clients/${first.id}/rotate 200`,
    );
  });

  it("waits out 503s while Janua starts and while no admin exists", async () => {
    const conn = await start({ unavailableFor: 3 });
    await clients.create(client(conn));
    expect(janua?.requests.filter((r) => r.status === 503)).toHaveLength(3);
  });

  it("gives up on a Janua that never gets an admin, with a clear message", async () => {
    const conn = await start({ adminExists: false });
    await expect(clients.create(client(conn))).rejects.toThrow(
      "Janua not ready (503: No admin user exists yet) for OAuth client enclii-control-plane (gave up after 8 attempts)",
    );
  });

  it("turns a wrong internal key into a clear 401 message", async () => {
    const conn = await start();
    await expect(clients.create(client({ ...conn, internalApiKey: "wrong" }))).rejects.toThrow(
      "Janua refused OAuth client enclii-control-plane (401: Invalid internal API key); check the internal API key",
    );
  });

  it("reports validation errors with the field", async () => {
    const conn = await start();
    await expect(
      clients.create({ ...client(conn), redirectUris: ["http://app.example.com/cb"] }),
    ).rejects.toThrow(
      "Janua rejected OAuth client enclii-control-plane (422): body.redirect_uris: must use https: http://app.example.com/cb",
    );
  });

  it("updates redirect URIs with PATCH as the admin and keeps the secret", async () => {
    const conn = await start();
    const created = await clients.create(client(conn));
    const news = {
      ...client(conn),
      redirectUris: ["https://api.enclii.dev/v1/auth/callback", "https://app.enclii.dev/cb"],
    };
    const diff = await clients.diff(created.id, created.outs, news);
    expect(diff).toMatchObject({ changes: true, replaces: [] });
    const updated = await clients.update(created.id, created.outs, news);
    expect(updated.outs?.clientSecret).toBe(created.outs.clientSecret);
    expect(janua?.clients.get(created.id)?.redirect_uris).toEqual(news.redirectUris);
    expect(janua?.requests.map((r) => `${r.method} ${r.path}`)).toContain("POST /api/v1/auth/signin");
  });

  it("replaces the client when its key changes, and deletes it (twice is fine)", async () => {
    const conn = await start();
    const created = await clients.create(client(conn));
    expect(
      (await clients.diff(created.id, created.outs, { ...client(conn), clientKey: "other" })).replaces,
    ).toEqual(["clientKey"]);
    await clients.delete(created.id, created.outs);
    await clients.delete(created.id, created.outs);
    expect(janua?.clients.size).toBe(0);
  });
});

describe("Janua organization provider", () => {
  const org = (connection: JanuaConnection) => ({
    connection,
    name: "Acme Corp",
    slug: "acme",
    billingEmail: "billing@acme.example",
  });

  it("signs in as the admin and creates the organization; a second create adopts it", async () => {
    const conn = await start();
    const created = await orgs.create(org(conn));
    expect(janua?.organizations.get(created.id)).toMatchObject({
      slug: "acme",
      billing_email: "billing@acme.example",
    });
    const again = await orgs.create(org(conn));
    expect(again.id).toBe(created.id);
    expect(janua?.organizations.size).toBe(1);
  });

  it("reads it back, notices deletion, and deletes it", async () => {
    const conn = await start();
    const created = await orgs.create(org(conn));
    expect((await orgs.read(created.id, created.outs)).props).toMatchObject({ slug: "acme" });
    await orgs.delete(created.id, created.outs);
    expect((await orgs.read(created.id, created.outs)).id).toBe("");
  });

  it("fails clearly when the bootstrap admin password is wrong", async () => {
    const conn = await start();
    await expect(orgs.create(org({ ...conn, adminPassword: "nope" }))).rejects.toThrow(
      "Janua refused the admin sign-in (401: Invalid credentials)",
    );
  });

  it("replaces (delete first) on a rename, since the slug stays taken", async () => {
    const conn = await start();
    const created = await orgs.create(org(conn));
    expect(await orgs.diff(created.id, created.outs, { ...org(conn), name: "Acme Inc" })).toMatchObject({
      replaces: ["name"],
      deleteBeforeReplace: true,
    });
  });
});

describe("serialized like the engine does", () => {
  it("registers a client idempotently from the serialized provider text in a fresh Node process", async () => {
    const conn = await start();
    const { file, text, dir } = serializeProvider(
      "components/auth/janua-provider.ts",
      "januaOAuthClientProvider",
    );
    expect(text).not.toMatch(/require\("\.\.?\//);
    const inputs = client(conn);
    const [first, second] = (await runSerialized(file, dir, [
      { method: "create", args: [inputs] },
      { method: "create", args: [inputs] },
    ])) as { id: string }[];
    expect(second?.id).toBe(first?.id);
    expect(janua?.clients.size).toBe(1);
  });
});

describe("through the Access-protected admin hostname", () => {
  const TOKEN = { clientId: "0123abcd.access", clientSecret: "access-secret-0123456789" };
  const withToken = (conn: JanuaConnection): JanuaConnection => ({
    ...conn,
    accessClientId: TOKEN.clientId,
    accessClientSecret: TOKEN.clientSecret,
  });

  it("is refused with 403 without the service token headers, before Janua sees the request", async () => {
    const conn = await start({ access: TOKEN });
    await expect(clients.create(client(conn))).rejects.toThrow(
      "Janua refused OAuth client enclii-control-plane (403: <html><body>Forbidden</body></html>)",
    );
    expect(janua?.clients.size).toBe(0);
    expect(janua?.requests).toEqual([
      { method: "POST", path: "/api/v1/oauth/clients/register", status: 403 },
    ]);
  });

  it("is refused with a wrong client secret", async () => {
    const conn = await start({ access: TOKEN });
    await expect(clients.create(client({ ...withToken(conn), accessClientSecret: "wrong" }))).rejects.toThrow(
      "(403: ",
    );
    expect(janua?.clients.size).toBe(0);
  });

  it("passes with the service token headers on every request: register, sign-in, rotate", async () => {
    const conn = withToken(await start({ access: TOKEN }));
    const first = await clients.create(client(conn));
    const second = await clients.create(client(conn));
    expect(second.id).toBe(first.id);
    const paths = janua?.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
    expect(paths).toEqual([
      "POST /api/v1/oauth/clients/register 201",
      "POST /api/v1/oauth/clients/register 200",
      "POST /api/v1/auth/signin 200",
      `POST /api/v1/oauth/clients/${first.id}/rotate 200`,
    ]);
  });

  it("passes for the organization provider too (sign-in, admin list, create, delete)", async () => {
    const conn = withToken(await start({ access: TOKEN }));
    const created = await orgs.create({ connection: conn, name: "Acme", slug: "acme" });
    await orgs.delete(created.id, { connection: conn, name: "Acme", slug: "acme" });
    expect(janua?.requests.every((r) => r.status < 300)).toBe(true);
    expect(janua?.organizations.size).toBe(0);
  });

  it("fails at once on Access's login redirect instead of reading the login page as a success", async () => {
    const conn = await start({ access: { ...TOKEN, refusal: "login" } });
    await expect(orgs.create({ connection: conn, name: "Acme", slug: "acme" })).rejects.toThrow(
      `Janua's URL ${conn.baseUrl} redirected the admin sign-in to https://enclii.cloudflareaccess.com/cdn-cgi/access/login/auth-admin (302): Cloudflare Access did not admit the request`,
    );
    expect(janua?.requests).toHaveLength(1);
  });

  it("sends the headers from the serialized provider text in a fresh Node process", async () => {
    const conn = withToken(await start({ access: TOKEN }));
    const { file, dir } = serializeProvider("components/auth/janua-provider.ts", "januaOAuthClientProvider");
    const [created] = (await runSerialized(file, dir, [{ method: "create", args: [client(conn)] }])) as {
      id: string;
    }[];
    expect(created?.id).toMatch(/^jnc_/);
    expect(janua?.requests.map((r) => r.status)).toEqual([201]);
  });
});
