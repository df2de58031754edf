/**
 * The state and handlers of the fake Janua (janua-server.ts): OAuth clients and organizations as
 * madfam-org/janua's routers keep them, at commit d181ef412389a9dc58396cd262927e4060ef8410
 * (apps/api/...). Each handler cites the file and lines it follows; "schema" is
 * app/schemas/oauth_client.py, "service" app/services/oauth_client_service.py.
 */
import { randomBytes, randomUUID } from "node:crypto";

/** A JSON object. */
export type Json = Record<string, unknown>;
/** Status and body of an answer. */
export type Answer = [number, Json | Json[] | null];

/** `{"error": {...}}`: every HTTPException as app/core/error_handling.py 321-331 renders it. */
export function httpError(status: number, message: string): Answer {
  return [
    status,
    { error: { code: "HTTP_ERROR", message, request_id: randomUUID(), timestamp: Date.now() / 1000 } },
  ];
}

/** One pydantic error as FastAPI reports it: `loc` joined with dots (error_handling.py 295-318). */
export interface FieldError {
  readonly field: string;
  readonly message: string;
  readonly type: string;
}

/** 422 VALIDATION_ERROR with every field error (error_handling.py 295-318). */
export function validationError(errors: readonly FieldError[]): Answer {
  return [
    422,
    {
      error: {
        code: "VALIDATION_ERROR",
        message: "Request validation failed",
        details: { validation_errors: errors },
        request_id: randomUUID(),
        timestamp: Date.now() / 1000,
      },
    },
  ];
}

/**
 * CPython's `uuid.UUID(hex)` (Lib/uuid.py, UUID.__init__): drops `urn:`, `uuid:`, braces and
 * dashes, then needs 32 hex digits. Returns the canonical form, or undefined (a ValueError).
 */
export function parseUuid(value: string): string | undefined {
  const hex = value
    .replace("urn:", "")
    .replace("uuid:", "")
    .replace(/^\{+|\}+$/g, "")
    .replace(/-/g, "");
  if (!/^[0-9a-fA-F]{32}$/.test(hex)) return undefined;
  const h = hex.toLowerCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

/**
 * `page: int = Query(1, ge=1)`, `per_page: int = Query(20, ge=1, le=100)` (oauth_clients.py 324-325,
 * admin.py 736-737): the page and its size, or the 422.
 */
export function paging(url: URL): { page: number; perPage: number } | Answer {
  const page = Number(url.searchParams.get("page") ?? 1);
  const perPage = Number(url.searchParams.get("per_page") ?? 20);
  if (Number.isInteger(page) && page >= 1 && Number.isInteger(perPage) && perPage >= 1 && perPage <= 100)
    return { page, perPage };
  return validationError([
    {
      field: "query.per_page",
      message: "Input should be less than or equal to 100",
      type: "less_than_equal",
    },
  ]);
}

const str = (v: unknown) => (typeof v === "string" ? v : undefined);
const urlsafe = (bytes: number) => randomBytes(bytes).toString("base64url");

/** `OAuthClientCreate` (schema 16-158): the field errors of a registration body. */
export function oauthClientCreateErrors(body: Json): FieldError[] {
  const errors: FieldError[] = [];
  const value = (field: string, message: string) =>
    errors.push({ field: `body.${field}`, message: `Value error, ${message}`, type: "value_error" });
  if (typeof body.name !== "string" || body.name.length < 1 || body.name.length > 255)
    errors.push({
      field: "body.name",
      message: "String should have at least 1 character",
      type: "string_too_short",
    });
  for (const uri of (body.redirect_uris ?? []) as string[]) {
    // schema 91-108: localhost and 127.0.0.1 may use http; everything else https with a host.
    let url: URL | undefined;
    try {
      url = new URL(uri);
    } catch {
      url = undefined;
    }
    const host = url?.host ?? "";
    if (host.startsWith("localhost") || host.startsWith("127.0.0.1")) continue;
    if (url?.protocol !== "https:") value("redirect_uris", `Redirect URI must use HTTPS: ${uri}`);
    else if (!host) value("redirect_uris", `Invalid redirect URI: ${uri}`);
  }
  // schema 110-130: base scopes or namespace:action.
  const base = new Set(["openid", "profile", "email", "offline_access", "api", "admin"]);
  for (const scope of (body.allowed_scopes ?? []) as string[]) {
    if (!base.has(scope) && !/^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$/.test(scope))
      value(
        "allowed_scopes",
        `Invalid scope: ${scope}. Use base scopes (${[...base].sort().join(", ")}) or namespace:action format (e.g. billing:read)`,
      );
  }
  // schema 132-147.
  const grants = (body.grant_types ?? ["authorization_code", "refresh_token"]) as string[];
  for (const grant of grants) {
    if (!["authorization_code", "refresh_token", "client_credentials", "implicit"].includes(grant))
      value("grant_types", `Invalid grant type: ${grant}`);
  }
  // schema 149-158: a model validator, reported at the body.
  if (errors.length === 0 && grants.some((g) => g === "authorization_code" || g === "implicit")) {
    if (((body.redirect_uris ?? []) as string[]).length === 0)
      errors.push({
        field: "body",
        message: "Value error, redirect_uris are required for authorization_code or implicit clients",
        type: "value_error",
      });
  }
  return errors;
}

/** The detail response of a client, never with its secret unless given (oauth_clients.py 195-215). */
export function clientDetail(c: Json, secret: string | null = null): Json {
  const { secrets: _secrets, created_by: _by, ...rest } = c;
  return { ...rest, client_secret: secret };
}

/** Janua's OAuth clients and organizations. */
export class JanuaState {
  readonly clients = new Map<string, Json>();
  readonly organizations = new Map<string, Json>();

  /** service 69-134: a new client with a UUID id, `jnc_` id and a `jns_` secret. */
  createClient(body: Json, adminId: string): { client: Json; secret: string } {
    const secret = `jns_${urlsafe(48)}`;
    const now = new Date().toISOString();
    const client: Json = {
      id: randomUUID(),
      client_id: str(body.client_id) ?? `jnc_${urlsafe(24)}`,
      name: body.name,
      description: body.description ?? null,
      redirect_uris: body.redirect_uris ?? [],
      allowed_scopes: body.allowed_scopes ?? ["openid", "profile", "email"],
      grant_types: body.grant_types ?? ["authorization_code", "refresh_token"],
      audience: body.audience ?? body.client_key ?? null,
      logo_url: body.logo_url ?? null,
      website_url: body.website_url ?? null,
      is_active: true,
      is_confidential: body.is_confidential ?? true,
      last_used_at: null,
      organization_id: body.organization_id ?? null,
      created_by: adminId,
      created_at: now,
      updated_at: now,
      secrets: [secret],
    };
    this.clients.set(String(client.id), client);
    return { client, secret };
  }

  /**
   * oauth_clients.py 78-102: the client registered under `client_key` (else `audience`) as its
   * audience, else the oldest one with that name (service 181-207).
   */
  findForRegistration(key: string | undefined, name: unknown): Json | undefined {
    const byAge = [...this.clients.values()].sort((a, b) =>
      String(a.created_at).localeCompare(String(b.created_at)),
    );
    return (key ? byAge.find((c) => c.audience === key) : undefined) ?? byAge.find((c) => c.name === name);
  }

  /** oauth_clients.py 110-127: the non-secret fields `/register` reconciles (never organization_id). */
  reconcile(c: Json, body: Json): void {
    Object.assign(c, {
      name: body.name,
      description: body.description ?? null,
      redirect_uris: body.redirect_uris ?? [],
      allowed_scopes: body.allowed_scopes ?? ["openid", "profile", "email"],
      grant_types: body.grant_types ?? ["authorization_code", "refresh_token"],
      audience: body.audience ?? body.client_key ?? null,
      logo_url: body.logo_url ?? null,
      website_url: body.website_url ?? null,
      updated_at: new Date().toISOString(),
    });
    if (body.is_confidential !== undefined && body.is_confidential !== null)
      c.is_confidential = body.is_confidential;
  }

  /** organizations.py 232-302: a new organization owned by its creator. */
  createOrganization(body: Json, owner: { id: string; email: string }): Json {
    const now = new Date().toISOString();
    const org: Json = {
      id: randomUUID(),
      name: body.name,
      slug: String(body.slug).toLowerCase(),
      description: body.description ?? null,
      logo_url: null,
      owner_id: owner.id,
      settings: {},
      org_metadata: {},
      // organizations.py 255: the creator's email when none is given.
      billing_email: body.billing_email ?? owner.email,
      billing_plan: "free",
      created_at: now,
      updated_at: now,
      // organizations.py 262-273: `db.flush()` and the member insert are not awaited on the
      // AsyncSession, so the creator owns the organization without being a member.
      member_count: 0,
    };
    this.organizations.set(String(org.id), org);
    return org;
  }
}
