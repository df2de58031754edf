/**
 * A local HTTP server on 127.0.0.1 following Janua's documented API: admin sign-in with a
 * Bearer token, client registration idempotent on client_key (201 with the secret, 200
 * without), 401 on a wrong internal key, 503 before the admin exists, organization
 * create/list/delete, client GET/PATCH/DELETE/rotate, validation errors as 422.
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

type Json = Record<string, unknown>;

/** Behaviour knobs. */
export interface JanuaServerOptions {
  readonly internalApiKey: string;
  readonly adminEmail: string;
  readonly adminPassword: string;
  /** Answer 503 to this many requests first (the deployment coming up). @default 0 */
  readonly unavailableFor?: number;
  /** Whether the bootstrap admin exists yet. @default true */
  readonly adminExists?: boolean;
  /**
   * Stand in front of Janua as the Access application of its admin hostname and cloudflared's
   * Access check do: a request without this service token's `CF-Access-Client-Id` and
   * `CF-Access-Client-Secret` never reaches Janua. It gets a 403 (cloudflared
   * ingress/middleware/jwtvalidator.go without an Access JWT, or Access refusing a token), or with
   * `refusal: "login"` the 302 to the team's login page that Access sends when an app also admits
   * people by email. @default no Access
   */
  readonly access?: {
    readonly clientId: string;
    readonly clientSecret: string;
    readonly refusal?: "403" | "login";
  };
}

/** The fake Janua. */
export class FakeJanua {
  url = "";
  readonly requests: { method: string; path: string; status: number }[] = [];
  readonly clients = new Map<string, Json>();
  readonly organizations = new Map<string, Json>();
  adminExists: boolean;
  private unavailable: number;
  private readonly tokens = new Set<string>();
  private server?: Server;

  constructor(readonly options: JanuaServerOptions) {
    this.adminExists = options.adminExists ?? true;
    this.unavailable = options.unavailableFor ?? 0;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => {
      let raw = "";
      req.on("data", (c) => (raw += c));
      req.on("end", () => this.handle(req, res, raw));
    });
    await new Promise<void>((resolve) => this.server?.listen(0, "127.0.0.1", resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const path = (req.url ?? "/").split("?")[0] ?? "/";
    const method = req.method ?? "GET";
    let body: Json = {};
    try {
      body = raw ? (JSON.parse(raw) as Json) : {};
    } catch {
      body = {};
    }
    const access = this.options.access;
    if (
      access &&
      (req.headers["cf-access-client-id"] !== access.clientId ||
        req.headers["cf-access-client-secret"] !== access.clientSecret)
    ) {
      const login = access.refusal === "login";
      this.requests.push({ method, path, status: login ? 302 : 403 });
      if (login) {
        res.writeHead(302, {
          location: "https://enclii.cloudflareaccess.com/cdn-cgi/access/login/auth-admin",
        });
        res.end();
      } else {
        res.writeHead(403, { "content-type": "text/html" });
        res.end("<html><body>Forbidden</body></html>");
      }
      return;
    }
    const [status, answer] = this.route(req, method, path, body);
    this.requests.push({ method, path, status });
    res.writeHead(status, { "content-type": "application/json" });
    res.end(JSON.stringify(answer));
  }

  private bearer(req: IncomingMessage): boolean {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    return token !== undefined && this.tokens.has(token);
  }

  private route(req: IncomingMessage, method: string, path: string, body: Json): [number, Json] {
    if (this.unavailable > 0) {
      this.unavailable--;
      return [503, { detail: "Service starting" }];
    }
    if (method === "POST" && path === "/api/v1/auth/signin") {
      if (
        !this.adminExists ||
        body.email !== this.options.adminEmail ||
        body.password !== this.options.adminPassword
      ) {
        return [401, { detail: "Invalid credentials" }];
      }
      const token = randomUUID();
      this.tokens.add(token);
      return [200, { access_token: token, token_type: "bearer" }];
    }
    if (method === "POST" && path === "/api/v1/oauth/clients/register") {
      if (req.headers["x-internal-api-key"] !== this.options.internalApiKey)
        return [401, { detail: "Invalid internal API key" }];
      if (!this.adminExists) return [503, { detail: "No admin user exists yet" }];
      const uris = (body.redirect_uris ?? []) as string[];
      const bad = uris.filter(
        (u) => !u.startsWith("https://") && !/^http:\/\/(localhost|127\.0\.0\.1)/.test(u),
      );
      if (bad.length > 0) {
        return [
          422,
          { detail: [{ loc: ["body", "redirect_uris"], msg: `must use https: ${bad.join(", ")}` }] },
        ];
      }
      const existing = [...this.clients.values()].find((c) => c.client_key === body.client_key);
      if (existing) {
        const { client_secret: _secret, ...withoutSecret } = existing;
        return [200, withoutSecret];
      }
      const client = {
        id: randomUUID(),
        client_id: `jnc_${randomUUID().replace(/-/g, "").slice(0, 20)}`,
        client_secret: `jns_${randomUUID().replace(/-/g, "")}`,
        is_active: true,
        created_at: new Date().toISOString(),
        ...body,
      };
      this.clients.set(String(client.client_id), client);
      return [201, client];
    }
    const clientMatch = /^\/api\/v1\/oauth\/clients\/([^/]+)(\/rotate)?$/.exec(path);
    if (clientMatch) {
      if (!this.bearer(req)) return [401, { detail: "Not authenticated" }];
      const id = clientMatch[1] as string;
      const client = this.clients.get(id);
      if (!client) return [404, { detail: "Client not found" }];
      if (clientMatch[2] && method === "POST") {
        client.client_secret = `jns_${randomUUID().replace(/-/g, "")}`;
        return [200, client];
      }
      if (method === "GET") {
        const { client_secret: _s, ...rest } = client;
        return [200, rest];
      }
      if (method === "PATCH") {
        Object.assign(client, body, { updated_at: new Date().toISOString() });
        const { client_secret: _s, ...rest } = client;
        return [200, rest];
      }
      if (method === "DELETE") {
        this.clients.delete(id);
        return [204, {}];
      }
    }
    if (path === "/api/v1/organizations/" && method === "POST") {
      if (!this.bearer(req)) return [401, { detail: "Not authenticated" }];
      if (!/^[a-z0-9-]+$/.test(String(body.slug)))
        return [422, { detail: [{ loc: ["body", "slug"], msg: "invalid slug" }] }];
      if ([...this.organizations.values()].some((o) => o.slug === body.slug))
        return [409, { detail: "Slug taken" }];
      const org = { id: randomUUID(), ...body };
      this.organizations.set(String(org.id), org);
      return [201, org];
    }
    if (path === "/api/v1/admin/organizations" && method === "GET") {
      if (!this.bearer(req)) return [401, { detail: "Not authenticated" }];
      return [200, { organizations: [...this.organizations.values()] }];
    }
    const orgMatch = /^\/api\/v1\/admin\/organizations\/([^/]+)$/.exec(path);
    if (orgMatch && method === "DELETE") {
      if (!this.bearer(req)) return [401, { detail: "Not authenticated" }];
      if (!this.organizations.delete(orgMatch[1] as string))
        return [404, { detail: "Organization not found" }];
      return [204, {}];
    }
    return [404, { detail: "Not found" }];
  }
}
