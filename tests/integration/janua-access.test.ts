/**
 * The Janua providers through the Access-protected admin hostname: the fake Janua
 * (tests/helpers/janua-server.ts) behind the Access check cloudflared makes.
 */
import { describe, expect, it } from "vitest";
import {
  JANUA_PROVIDER_VERSION,
  type JanuaConnection,
  januaOAuthClientProvider,
  januaOrganizationProvider,
} from "../../components/auth/janua-provider";
import { januaFixture } from "../helpers/janua-fixtures";
import { runSerialized, serializeProvider } from "../helpers/serialized";

const fx = januaFixture();

const TOKEN = { clientId: "0123abcd.access", clientSecret: "access-secret-0123456789" };
const clients = januaOAuthClientProvider as Required<typeof januaOAuthClientProvider>;
const orgs = januaOrganizationProvider as Required<typeof januaOrganizationProvider>;

const withToken = (conn: JanuaConnection): JanuaConnection => ({
  ...conn,
  accessClientId: TOKEN.clientId,
  accessClientSecret: TOKEN.clientSecret,
});
const client = (connection: JanuaConnection) => ({
  connection,
  clientKey: "enclii-control-plane",
  name: "Enclii",
  redirectUris: ["https://api.enclii.dev/v1/auth/callback"],
  providerVersion: JANUA_PROVIDER_VERSION,
});

describe("through the Access-protected admin hostname", () => {
  it("is refused with 403 without the service token headers, before Janua sees the request", async () => {
    const conn = await fx.start({ access: TOKEN });
    await expect(clients.create(client(conn))).rejects.toThrow(
      "Janua refused OAuth client enclii-control-plane (403: <html><body>Forbidden</body></html>)",
    );
    expect(fx.janua.clients.size).toBe(0);
    expect(fx.janua.requests).toEqual([
      { method: "GET", path: "/api/v1/oauth/clients/internal/by-name/Enclii", status: 403 },
    ]);
  });

  it("is refused with a wrong client secret", async () => {
    const conn = await fx.start({ access: TOKEN });
    await expect(clients.create(client({ ...withToken(conn), accessClientSecret: "wrong" }))).rejects.toThrow(
      "(403: ",
    );
    expect(fx.janua.clients.size).toBe(0);
  });

  it("passes with the service token headers on every request: register, sign-in, rotate", async () => {
    const conn = withToken(await fx.start({ access: TOKEN }));
    const first = await clients.create(client(conn));
    const second = await clients.create(client(conn));
    expect(second.id).toBe(first.id);
    expect(fx.janua.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "GET /api/v1/oauth/clients/internal/by-name/Enclii 404",
      "POST /api/v1/oauth/clients/register 201",
      "GET /api/v1/oauth/clients/internal/by-name/Enclii 200",
      "POST /api/v1/oauth/clients/register 200",
      "POST /api/v1/auth/signin 200",
      `POST /api/v1/oauth/clients/${first.id}/rotate 200`,
    ]);
  });

  it("passes for the organization provider too (sign-in, admin list, create, delete)", async () => {
    const conn = withToken(await fx.start({ access: TOKEN, organizationDeleteCommits: true }));
    const inputs = { connection: conn, name: "Acme", slug: "acme" };
    const created = await orgs.create(inputs);
    await orgs.delete(created.id, inputs);
    expect(fx.janua.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /api/v1/auth/signin 200",
      "GET /api/v1/admin/organizations 200",
      "POST /api/v1/organizations/ 200",
      `DELETE /api/v1/admin/organizations/${created.id} 200`,
      `GET /api/v1/organizations/${created.id} 404`,
    ]);
    expect(fx.janua.organizations.size).toBe(0);
  });

  it("fails at once on Access's login redirect instead of reading the login page as a success", async () => {
    const conn = await fx.start({ access: { ...TOKEN, refusal: "login" } });
    await expect(orgs.create({ connection: conn, name: "Acme", slug: "acme" })).rejects.toThrow(
      `Janua's URL ${conn.baseUrl} redirected the admin sign-in to https://enclii.cloudflareaccess.com/cdn-cgi/access/login/auth-admin (302): Cloudflare Access did not admit the request`,
    );
    expect(fx.janua.requests).toHaveLength(1);
  });

  it("sends the headers from the serialized provider text in a fresh Node process", async () => {
    const conn = withToken(await fx.start({ access: TOKEN }));
    const { file, dir } = serializeProvider("components/auth/janua-provider.ts", "januaOAuthClientProvider");
    const [created] = (await runSerialized(file, dir, [{ method: "create", args: [client(conn)] }])) as {
      id: string;
    }[];
    expect(created?.id).toBe([...fx.janua.clients.keys()][0]);
    expect(fx.janua.requests.map((r) => r.status)).toEqual([404, 201]);
  });
});
