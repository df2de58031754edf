/**
 * A local HTTP server on 127.0.0.1 modelling madfam-org/janua's API at commit
 * d181ef412389a9dc58396cd262927e4060ef8410 (paths under apps/api/), every route the Janua
 * providers call, each handler citing the lines it follows:
 * - POST /api/v1/auth/signin (app/routers/v1/auth.py 365-489), limited to 5 a minute per remote
 *   address by slowapi's fixed window in memory (auth.py 45-46 and 366; laurentS/slowapi v0.1.9
 *   slowapi/extension.py 244-247; alisaifee/limits 5.8.0 limits/strategies.py 144-163,
 *   limits/storage/memory.py 88-102), answered with slowapi's 429 (extension.py 76-87, headers
 *   only when enabled, 378-412). Janua's own GlobalRateLimitMiddleware is never installed:
 *   app/main.py 523 drops what create_rate_limit_middleware returns
 *   (app/middleware/global_rate_limit.py 698-713), so no other route is limited;
 * - OAuth clients (app/routers/v1/oauth_clients.py) and organizations (organizations.py,
 *   admin.py): tests/helpers/janua-model.ts holds their state;
 * - errors as `{"error": {...}}` (app/core/error_handling.py 295-331).
 * In front of it, optionally, the Access application of the admin hostname (cloudflared).
 */
import { randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import {
  type Answer,
  clientDetail,
  httpError,
  JanuaState,
  type Json,
  oauthClientCreateErrors,
  paging,
  parseUuid,
  validationError,
} from "./janua-model";
import { adminOrganizationRoute, organizationRoute } from "./janua-organizations";

/** Behaviour knobs. */
export interface JanuaServerOptions {
  readonly internalApiKey: string;
  readonly adminEmail: string;
  readonly adminPassword: string;
  /** Answer 503 to this many requests first (no ready Janua pod behind the Service yet). @default 0 */
  readonly unavailableFor?: number;
  /** Whether the bootstrap admin exists yet (app/core/database.py 219-305). @default true */
  readonly adminExists?: boolean;
  /** The sign-in limit (auth.py 366: `5/minute`). Tests shorten the window. */
  readonly signInLimit?: { readonly max?: number; readonly windowMs?: number };
  /** slowapi's `RATELIMIT_HEADERS_ENABLED` (extension.py 239-241): Janua leaves it off. @default false */
  readonly rateLimitHeaders?: boolean;
  /** `expires_in` of a token (app/config.py 127: 480 minutes). @default 28800 */
  readonly tokenTtlSeconds?: number;
  /**
   * Whether the admin organization DELETE really deletes. Upstream it does not (admin.py 820 calls
   * the AsyncSession's coroutine `delete` without await); true models a Janua where that is fixed.
   * @default false
   */
  readonly organizationDeleteCommits?: boolean;
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
export class FakeJanua extends JanuaState {
  url = "";
  readonly requests: { method: string; path: string; status: number }[] = [];
  readonly admin: { id: string; email: string } = { id: randomUUID(), email: "" };
  adminExists: boolean;
  private unavailable: number;
  private readonly tokens = new Map<string, { userId: string; expiresAt: number }>();
  private readonly signInWindows = new Map<string, { count: number; resetAt: number }>();
  private server?: Server;

  constructor(readonly options: JanuaServerOptions) {
    super();
    this.admin.email = options.adminEmail;
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

  /** Sign-ins this fake answered with a token or a refusal other than 429. */
  signIns(): number {
    return this.requests.filter((r) => r.path === "/api/v1/auth/signin" && r.status !== 429).length;
  }

  /** An organization someone else created (the bootstrap admin is neither owner nor member). */
  addForeignOrganization(body: { name: string; slug: string }): Json {
    return this.createOrganization(body, { id: randomUUID(), email: "someone@else.example" });
  }

  /** Expires every token handed out so far (as if their 480 minutes had passed). */
  expireTokens(): void {
    for (const t of this.tokens.values()) t.expiresAt = 0;
  }

  private handle(req: IncomingMessage, res: ServerResponse, raw: string): void {
    const url = new URL(req.url ?? "/", "http://janua");
    const method = req.method ?? "GET";
    const access = this.options.access;
    if (
      access &&
      (req.headers["cf-access-client-id"] !== access.clientId ||
        req.headers["cf-access-client-secret"] !== access.clientSecret)
    ) {
      const login = access.refusal === "login";
      this.requests.push({ method, path: url.pathname, status: login ? 302 : 403 });
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
    let body: Json | undefined;
    try {
      body = raw ? (JSON.parse(raw) as Json) : undefined;
    } catch {
      body = undefined;
    }
    const headers: Record<string, string> = {};
    const [status, answer] = this.route(req, method, url, body, headers);
    this.requests.push({ method, path: url.pathname, status });
    if (status === 204 || answer === null) {
      res.writeHead(status, headers);
      res.end();
      return;
    }
    res.writeHead(status, { "content-type": "application/json", ...headers });
    res.end(JSON.stringify(answer));
  }

  /** The signed-in user of a request, or the refusal (app/dependencies.py 175-228). */
  private user(req: IncomingMessage): { id: string; isAdmin: boolean } | Answer {
    const token = /^Bearer (.+)$/.exec(req.headers.authorization ?? "")?.[1];
    // FastAPI HTTPBearer without a header: 401 "Not authenticated" (403 before FastAPI 0.122).
    if (token === undefined) return httpError(401, "Not authenticated");
    const session = this.tokens.get(token);
    if (!session || session.expiresAt <= Date.now()) return httpError(401, "Invalid or expired token");
    return { id: session.userId, isAdmin: session.userId === this.admin.id };
  }

  private route(
    req: IncomingMessage,
    method: string,
    url: URL,
    body: Json | undefined,
    headers: Record<string, string>,
  ): Answer {
    if (this.unavailable > 0) {
      this.unavailable--;
      return httpError(503, "Service Unavailable");
    }
    const path = url.pathname;
    if (path === "/api/v1/auth/signin" && method === "POST") return this.signIn(req, body, headers);
    if (path === "/api/v1/oauth/clients/register" && method === "POST") return this.register(req, body);
    const byName = /^\/api\/v1\/oauth\/clients\/internal\/by-name\/([^/]+)$/.exec(path);
    if (byName && method === "GET") return this.byName(req, decodeURIComponent(byName[1] ?? ""));
    // Starlette redirect_slashes: the organizations router's "/" route answers its bare path with a 307.
    if (path === "/api/v1/organizations") {
      headers.location = `${path}/`;
      return [307, null];
    }
    const clients = /^\/api\/v1\/oauth\/clients(?:\/([^/]+)(\/rotate)?)?$/.exec(path);
    const orgs = /^\/api\/v1\/organizations\/([^/]*)$/.exec(path);
    const admin = /^\/api\/v1\/admin\/organizations(?:\/([^/]+))?$/.exec(path);
    if (!clients && !orgs && !admin) return httpError(404, "Not Found");
    const user = this.user(req);
    if (Array.isArray(user)) return user;
    // Starlette hands path parameters over percent-decoded.
    const param = (s: string | undefined) => (s === undefined ? undefined : decodeURIComponent(s));
    if (clients)
      return this.client(method, param(clients[1]), clients[2] !== undefined, url, body ?? {}, user);
    const ctx = {
      state: this,
      admin: this.admin,
      deleteCommits: this.options.organizationDeleteCommits ?? false,
    };
    if (orgs) return organizationRoute(ctx, method, param(orgs[1]) ?? "", body ?? {}, user);
    return adminOrganizationRoute(ctx, method, param(admin?.[1]), url, user);
  }

  /** auth.py 365-489, under slowapi's `5/minute` per remote address (auth.py 366). */
  private signIn(req: IncomingMessage, body: Json | undefined, headers: Record<string, string>): Answer {
    // SignInRequest (auth.py 78-87) is validated before slowapi's wrapper runs, so it is not counted.
    if (
      !body ||
      typeof body.password !== "string" ||
      (body.email === undefined && body.username === undefined)
    ) {
      return validationError([
        {
          field: "body",
          message: "Value error, Either email or username must be provided",
          type: "value_error",
        },
      ]);
    }
    const max = this.options.signInLimit?.max ?? 5;
    const windowMs = this.options.signInLimit?.windowMs ?? 60_000;
    // slowapi/util.py 20-27 get_remote_address: the peer of the connection (cloudflared's pod).
    const address = req.socket.remoteAddress ?? "127.0.0.1";
    const now = Date.now();
    let w = this.signInWindows.get(address);
    // limits memory.py 88-102: the window starts with its first hit; refused hits count too.
    if (!w || now >= w.resetAt) {
      w = { count: 0, resetAt: now + windowMs };
      this.signInWindows.set(address, w);
    }
    w.count++;
    if (w.count > max) {
      if (this.options.rateLimitHeaders) {
        const resetIn = 1 + w.resetAt / 1000;
        Object.assign(headers, {
          "x-ratelimit-limit": String(max),
          "x-ratelimit-remaining": "0",
          "x-ratelimit-reset": String(Math.floor(resetIn)),
          "retry-after": String(Math.floor(resetIn - now / 1000)),
        });
      }
      const per =
        windowMs % 60_000 === 0 ? `${windowMs / 60_000} minute` : `${Math.ceil(windowMs / 1000)} second`;
      return [429, { error: `Rate limit exceeded: ${max} per ${per}` }];
    }
    // auth.py 378-411: unknown user or wrong password, 401 "Invalid credentials".
    if (
      !this.adminExists ||
      body.email !== this.options.adminEmail ||
      body.password !== this.options.adminPassword
    ) {
      return httpError(401, "Invalid credentials");
    }
    const token = `eyJ${randomUUID().replace(/-/g, "")}`;
    const ttl = this.options.tokenTtlSeconds ?? 480 * 60;
    this.tokens.set(token, { userId: this.admin.id, expiresAt: now + ttl * 1000 });
    // auth.py 470-489 and TokenResponse 141-152.
    return [
      200,
      {
        user: { id: this.admin.id, email: this.admin.email, email_verified: true, is_admin: true },
        tokens: { access_token: token, refresh_token: randomUUID(), token_type: "bearer", expires_in: ttl },
        mfa_required: false,
        mfa_token: null,
      },
    ];
  }

  /**
   * oauth_clients.py 218-237: the oldest client with this name (service 181-207), with the internal
   * key; 404 "OAuth client not found".
   */
  private byName(req: IncomingMessage, name: string): Answer {
    const key = req.headers["x-internal-api-key"];
    if (key === undefined) {
      return validationError([
        { field: "header.X-Internal-API-Key", message: "Field required", type: "missing" },
      ]);
    }
    if (key !== this.options.internalApiKey) return httpError(401, "Invalid API key");
    const found = this.findForRegistration(undefined, name);
    return found ? [200, clientDetail(found)] : httpError(404, "OAuth client not found");
  }

  /** oauth_clients.py 54-192. */
  private register(req: IncomingMessage, body: Json | undefined): Answer {
    const key = req.headers["x-internal-api-key"];
    // app/dependencies.py 157-167: the header is required (422 without it); a wrong key is 401.
    if (key === undefined) {
      return validationError([
        { field: "header.X-Internal-API-Key", message: "Field required", type: "missing" },
      ]);
    }
    if (key !== this.options.internalApiKey) return httpError(401, "Invalid API key");
    const data = body ?? {};
    const errors = oauthClientCreateErrors(data);
    if (errors.length > 0) return validationError(errors);
    // 78-83.
    const clientKey = typeof data.client_key === "string" && data.client_key ? data.client_key : undefined;
    const audience = typeof data.audience === "string" && data.audience ? data.audience : undefined;
    if (clientKey && audience && clientKey !== audience) {
      return httpError(400, "client_key must match audience until a separate client key column exists");
    }
    // 85-132: found by key (as audience) or name, reconciled, 200 without the secret.
    const existing = this.findForRegistration(clientKey ?? audience, data.name);
    if (existing) {
      if (data.client_id && existing.client_id !== data.client_id) {
        return httpError(409, "Client name already registered with a different client_id");
      }
      this.reconcile(existing, data);
      return [200, clientDetail(existing)];
    }
    // 145-155: the first admin creates it; none yet is 503.
    if (!this.adminExists)
      return httpError(503, "No admin user found. Run ADMIN_BOOTSTRAP_PASSWORD to create one.");
    // 157-162.
    let organizationId: string | undefined;
    if (data.organization_id) {
      organizationId = parseUuid(String(data.organization_id));
      if (!organizationId) return httpError(400, "Invalid organization_id format");
    }
    const { client, secret } = this.createClient(
      { ...data, organization_id: organizationId ?? null },
      this.admin.id,
    );
    // 173-192: the secret only for a confidential client.
    return [201, clientDetail(client, client.is_confidential ? secret : null)];
  }

  /** oauth_clients.py 321-557. Admins reach every client (service 444-448). */
  private client(
    method: string,
    segment: string | undefined,
    rotate: boolean,
    url: URL,
    body: Json,
    user: { isAdmin: boolean; id: string },
  ): Answer {
    if (segment === undefined) {
      if (method !== "GET") return httpError(405, "Method Not Allowed");
      // 321-372 and service 209-265: newest first, paged by page and per_page (1-100).
      const paged = paging(url);
      if (Array.isArray(paged)) return paged;
      const { page, perPage } = paged;
      const visible = [...this.clients.values()]
        .filter((c) => user.isAdmin || c.created_by === user.id)
        .sort((a, b) => String(b.created_at).localeCompare(String(a.created_at)));
      const clients = visible.slice((page - 1) * perPage, page * perPage).map((c) => {
        const { client_secret: _s, last_used_at: _l, organization_id: _o, ...item } = clientDetail(c);
        return item;
      });
      return [200, { clients, total: visible.length, page, per_page: perPage }];
    }
    // 388-391, 435-438, 483-486, 521-524: the path segment is the client's database UUID.
    const id = parseUuid(segment);
    if (!id) return httpError(400, "Invalid client_id format");
    const c = this.clients.get(id);
    if (!c || (!user.isAdmin && c.created_by !== user.id)) return httpError(404, "OAuth client not found");
    if (rotate) {
      if (method !== "POST") return httpError(405, "Method Not Allowed");
      // 499-557: a new primary secret; the old ones stay valid for the grace period (24 h).
      const secret = `jns_${randomUUID().replace(/-/g, "")}${randomUUID().replace(/-/g, "")}`;
      (c.secrets as string[]).push(secret);
      return [
        200,
        {
          client_id: c.client_id,
          client_secret: secret,
          rotated_at: new Date().toISOString(),
          grace_period_hours: 24,
        },
      ];
    }
    if (method === "GET") return [200, clientDetail(c)];
    if (method === "PATCH") {
      // OAuthClientUpdate (schema 161-191): only these fields, only redirect_uris validated;
      // service 289-292 sets every field the body carries, null included.
      const redirect = oauthClientCreateErrors({
        name: "x",
        redirect_uris: body.redirect_uris ?? [],
        grant_types: [],
      });
      if (redirect.length > 0) return validationError(redirect);
      for (const f of [
        "name",
        "description",
        "redirect_uris",
        "allowed_scopes",
        "grant_types",
        "audience",
        "logo_url",
        "website_url",
        "is_active",
      ]) {
        if (f in body) c[f] = body[f];
      }
      c.updated_at = new Date().toISOString();
      return [200, clientDetail(c)];
    }
    if (method === "DELETE") {
      // 470-496: 204, no body.
      this.clients.delete(id);
      return [204, null];
    }
    return httpError(405, "Method Not Allowed");
  }
}
