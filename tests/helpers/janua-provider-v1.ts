/**
 * The Janua providers as version 1 (commit 0609564) serialized them into existing stacks: kept
 * verbatim so the tests can run what `read` and `delete` of an existing resource really run
 * (the engine uses the stored provider) and prove the one-time update migrates it.
 */
import type * as pulumi from "@pulumi/pulumi";

/** Where Janua is and who the provider acts as. */
export interface JanuaConnection {
  /** e.g. `https://auth.enclii.dev` or an in-cluster URL. */
  readonly baseUrl: string;
  readonly internalApiKey: string;
  readonly adminEmail: string;
  readonly adminPassword: string;
  /**
   * Cloudflare Access service token of the admin hostname `baseUrl` names: sent on every request
   * as `CF-Access-Client-Id` and `CF-Access-Client-Secret`, the headers Access checks
   * (Cloudflare API schema access_client_id/access_client_secret). Unset for a URL without Access.
   */
  readonly accessClientId?: string;
  readonly accessClientSecret?: string;
  readonly timing?: {
    readonly baseDelayMs?: number;
    readonly maxDelayMs?: number;
    readonly maxAttempts?: number;
  };
}

/** An error answer of Janua. */
export class JanuaError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = "JanuaError";
  }
}

type Json = Record<string, unknown>;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function detailOf(body: Json, text: string): string {
  const detail = body.detail ?? body.message ?? body.error;
  if (Array.isArray(detail)) {
    return detail
      .map((d) => {
        const item = d as Json;
        const loc = Array.isArray(item.loc) ? item.loc.join(".") : "";
        return `${loc ? `${loc}: ` : ""}${String(item.msg ?? JSON.stringify(item))}`;
      })
      .join("; ");
  }
  return typeof detail === "string" ? detail : text.slice(0, 200);
}

/**
 * One call with bounded retries: 503 (Janua starting, or no admin yet) and unreachable Janua back
 * off and retry; 401, 403 and validation errors (400/422) fail at once with Janua's message.
 */
export async function januaRequest(
  conn: JanuaConnection,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  path: string,
  what: string,
  options: { body?: Json; bearer?: string; internalKey?: boolean } = {},
): Promise<{ status: number; body: Json }> {
  const base = conn.timing?.baseDelayMs ?? 2000;
  const max = conn.timing?.maxDelayMs ?? 30_000;
  const attempts = conn.timing?.maxAttempts ?? 12;
  const headers: Record<string, string> = { accept: "application/json" };
  if (options.body) headers["content-type"] = "application/json";
  if (options.bearer) headers.authorization = `Bearer ${options.bearer}`;
  if (options.internalKey) headers["x-internal-api-key"] = conn.internalApiKey;
  if (conn.accessClientId !== undefined && conn.accessClientSecret !== undefined) {
    headers["cf-access-client-id"] = conn.accessClientId;
    headers["cf-access-client-secret"] = conn.accessClientSecret;
  }
  const url = `${conn.baseUrl.replace(/\/$/, "")}${path}`;
  let last = "";
  for (let attempt = 1; attempt <= attempts; attempt++) {
    const delay = Math.min(max, base * 2 ** (attempt - 1));
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers,
        body: options.body ? JSON.stringify(options.body) : undefined,
        // Access answers a request it does not admit with a redirect to its login page; followed,
        // that page would read as a 200 with an empty body.
        redirect: "manual",
      });
    } catch (e) {
      last = `Janua unreachable at ${conn.baseUrl}: ${(e as Error).message}`;
      await sleep(delay);
      continue;
    }
    const text = await response.text();
    let body: Json = {};
    try {
      body = text ? (JSON.parse(text) as Json) : {};
    } catch {
      body = {};
    }
    if (response.ok) return { status: response.status, body };
    if (response.status >= 300 && response.status < 400) {
      throw new JanuaError(
        `Janua's URL ${conn.baseUrl} redirected ${what} to ${response.headers.get("location") ?? "elsewhere"} (${response.status}): Cloudflare Access did not admit the request; check the tunnel's Access service token`,
        response.status,
      );
    }
    const detail = detailOf(body, text);
    if (response.status === 503) {
      last = `Janua not ready (503: ${detail}) for ${what}`;
      await sleep(delay);
      continue;
    }
    if (response.status === 401 || response.status === 403) {
      throw new JanuaError(
        `Janua refused ${what} (${response.status}: ${detail}); check the internal API key and the bootstrap admin credentials in the janua Secret, and for a 403 from Cloudflare (no JSON detail) the tunnel's Access service token`,
        response.status,
      );
    }
    if (response.status === 400 || response.status === 422) {
      throw new JanuaError(`Janua rejected ${what} (${response.status}): ${detail}`, response.status);
    }
    throw new JanuaError(
      `Janua ${method} ${path} failed for ${what}: ${response.status} ${detail}`,
      response.status,
    );
  }
  throw new Error(`${last} (gave up after ${attempts} attempts)`);
}

/** Signs in as the bootstrap admin and returns the access token. */
export async function signIn(conn: JanuaConnection): Promise<string> {
  const { body } = await januaRequest(conn, "POST", "/api/v1/auth/signin", "the admin sign-in", {
    body: { email: conn.adminEmail, password: conn.adminPassword },
  });
  const tokens = (body.tokens ?? {}) as Json;
  const token = body.access_token ?? tokens.access_token ?? body.token;
  if (typeof token !== "string") throw new Error("Janua's sign-in answer has no access token");
  return token;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

// ---------------------------------------------------------------- organizations

/** Inputs of an organization. */
export interface JanuaOrganizationInputs {
  readonly connection: JanuaConnection;
  readonly name: string;
  /** `^[a-z0-9-]+$`, unique. */
  readonly slug: string;
  readonly description?: string;
  readonly billingEmail?: string;
}

async function findOrganization(
  conn: JanuaConnection,
  token: string,
  match: (o: Json) => boolean,
): Promise<Json | undefined> {
  const { body } = await januaRequest(conn, "GET", "/api/v1/admin/organizations", "listing organizations", {
    bearer: token,
  });
  const list = (Array.isArray(body) ? body : (body.organizations ?? body.items ?? body.data ?? [])) as Json[];
  return list.find(match);
}

/** A Janua organization. Creating adopts an existing one with the same slug. */
export const januaOrganizationProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: JanuaOrganizationInputs) {
    const token = await signIn(inputs.connection);
    const existing = await findOrganization(inputs.connection, token, (o) => o.slug === inputs.slug);
    const org =
      existing ??
      (
        await januaRequest(
          inputs.connection,
          "POST",
          "/api/v1/organizations/",
          `organization ${inputs.slug}`,
          {
            bearer: token,
            body: {
              name: inputs.name,
              slug: inputs.slug,
              ...(inputs.description ? { description: inputs.description } : {}),
              ...(inputs.billingEmail ? { billing_email: inputs.billingEmail } : {}),
            },
          },
        )
      ).body;
    return { id: String(org.id), outs: { ...inputs, organizationId: String(org.id) } };
  },
  async read(id: string, props: JanuaOrganizationInputs & Json) {
    const token = await signIn(props.connection);
    const org = await findOrganization(props.connection, token, (o) => String(o.id) === id);
    if (!org) return { id: "", props: {} };
    return { id, props: { ...props, name: String(org.name), slug: String(org.slug) } };
  },
  async diff(_id: string, olds: JanuaOrganizationInputs, news: JanuaOrganizationInputs) {
    const fields = ["name", "slug", "description", "billingEmail"] as const;
    const replaces = fields.filter((f) => olds[f] !== news[f]);
    return {
      changes: replaces.length > 0 || !same(olds.connection, news.connection),
      replaces,
      // The slug is unique: the old organization must go before its replacement takes the slug.
      deleteBeforeReplace: replaces.includes("slug") ? false : replaces.length > 0,
    };
  },
  async update(_id: string, _olds: JanuaOrganizationInputs, news: JanuaOrganizationInputs & Json) {
    return { outs: { ...news } };
  },
  async delete(id: string, props: JanuaOrganizationInputs) {
    const token = await signIn(props.connection);
    try {
      await januaRequest(
        props.connection,
        "DELETE",
        `/api/v1/admin/organizations/${id}`,
        `organization ${props.slug}`,
        {
          bearer: token,
        },
      );
    } catch (e) {
      if (!(e instanceof JanuaError && e.status === 404)) throw e;
    }
  },
};

// ---------------------------------------------------------------- OAuth clients

/** Inputs of an OAuth client. */
export interface JanuaOAuthClientInputs {
  readonly connection: JanuaConnection;
  /** Stable key that makes registration idempotent. */
  readonly clientKey: string;
  readonly name: string;
  readonly description?: string;
  readonly redirectUris: string[];
  /** @default ["openid", "profile", "email"] */
  readonly allowedScopes?: string[];
  /** @default ["authorization_code", "refresh_token"] */
  readonly grantTypes?: string[];
  readonly audience?: string;
  readonly organizationId?: string;
  /** @default true */
  readonly isConfidential?: boolean;
}

function clientBody(i: JanuaOAuthClientInputs): Json {
  return {
    name: i.name,
    ...(i.description ? { description: i.description } : {}),
    redirect_uris: i.redirectUris,
    allowed_scopes: i.allowedScopes ?? ["openid", "profile", "email"],
    grant_types: i.grantTypes ?? ["authorization_code", "refresh_token"],
    ...(i.audience ? { audience: i.audience } : {}),
  };
}

/**
 * A Janua OAuth client. Registration is idempotent on `clientKey`; when Janua answers 200
 * without a secret (the client existed), the secret is rotated once so the stack holds a working one.
 */
export const januaOAuthClientProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: JanuaOAuthClientInputs) {
    const what = `OAuth client ${inputs.clientKey}`;
    const { body } = await januaRequest(inputs.connection, "POST", "/api/v1/oauth/clients/register", what, {
      internalKey: true,
      body: {
        ...clientBody(inputs),
        client_key: inputs.clientKey,
        is_confidential: inputs.isConfidential ?? true,
        ...(inputs.organizationId ? { organization_id: inputs.organizationId } : {}),
      },
    });
    const clientId = String(body.client_id);
    let clientSecret = typeof body.client_secret === "string" ? body.client_secret : undefined;
    if (clientSecret === undefined && (inputs.isConfidential ?? true)) {
      const token = await signIn(inputs.connection);
      const rotated = await januaRequest(
        inputs.connection,
        "POST",
        `/api/v1/oauth/clients/${clientId}/rotate`,
        what,
        {
          bearer: token,
        },
      );
      clientSecret = String(rotated.body.client_secret);
    }
    return { id: clientId, outs: { ...inputs, clientId, clientSecret: clientSecret ?? "" } };
  },
  async read(id: string, props: JanuaOAuthClientInputs & Json) {
    const token = await signIn(props.connection);
    try {
      const { body } = await januaRequest(
        props.connection,
        "GET",
        `/api/v1/oauth/clients/${id}`,
        `OAuth client ${id}`,
        {
          bearer: token,
        },
      );
      return {
        id,
        props: {
          ...props,
          name: String(body.name),
          redirectUris: (body.redirect_uris ?? props.redirectUris) as string[],
        },
      };
    } catch (e) {
      if (e instanceof JanuaError && e.status === 404) return { id: "", props: {} };
      throw e;
    }
  },
  async diff(_id: string, olds: JanuaOAuthClientInputs, news: JanuaOAuthClientInputs) {
    const replaces = (["clientKey", "organizationId", "isConfidential"] as const).filter(
      (f) => olds[f] !== news[f],
    );
    const updatable = (
      ["name", "description", "redirectUris", "allowedScopes", "grantTypes", "audience"] as const
    ).some((f) => !same(olds[f], news[f]));
    return { changes: replaces.length > 0 || updatable || !same(olds.connection, news.connection), replaces };
  },
  async update(id: string, olds: JanuaOAuthClientInputs & Json, news: JanuaOAuthClientInputs) {
    const token = await signIn(news.connection);
    await januaRequest(
      news.connection,
      "PATCH",
      `/api/v1/oauth/clients/${id}`,
      `OAuth client ${news.clientKey}`,
      {
        bearer: token,
        body: clientBody(news),
      },
    );
    // PATCH never returns the secret: keep the one from creation.
    return { outs: { ...news, clientId: id, clientSecret: olds.clientSecret ?? "" } };
  },
  async delete(id: string, props: JanuaOAuthClientInputs) {
    const token = await signIn(props.connection);
    try {
      await januaRequest(
        props.connection,
        "DELETE",
        `/api/v1/oauth/clients/${id}`,
        `OAuth client ${props.clientKey}`,
        {
          bearer: token,
        },
      );
    } catch (e) {
      if (!(e instanceof JanuaError && e.status === 404)) throw e;
    }
  },
};
