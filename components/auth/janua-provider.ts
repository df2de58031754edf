/**
 * Pulumi dynamic providers for Janua's API: OAuth clients here, organizations in
 * janua-organizations.ts, the HTTP calls and the admin session in janua-http.ts.
 *
 * Serialized into the Pulumi state by `pulumi.runtime.serializeFunction`: they import nothing but
 * each other and use Node's built-in `fetch`. `read` and `delete` run the serialized provider of
 * the last `up` that wrote the resource, so `diff` reports an update whenever the stored
 * `providerVersion` differs from {@link JANUA_PROVIDER_VERSION}.
 *
 * OAuth clients follow madfam-org/janua at d181ef41, apps/api/app/routers/v1/oauth_clients.py:
 * - `POST /register` with `X-Internal-API-Key` (54-192): keyed on `client_key`, stored as the
 *   client's audience, then on the name (78-102); an existing client has its non-secret fields
 *   reconciled, `is_confidential` included but never `organization_id` (104-132), and answers 200
 *   without a secret; a new one 201 with `id` (its database UUID), `client_id` (`jnc_...`) and
 *   the secret (173-192); 503 while no admin exists (145-155);
 * - `GET|PATCH|DELETE /{client_id}` and `POST /{client_id}/rotate` take the UUID `id`: anything
 *   else answers 400 "Invalid client_id format" (375-557). PATCH changes name, description,
 *   redirect_uris, allowed_scopes and grant_types (app/schemas/oauth_client.py 161-191) and
 *   validates only the redirect URIs, so the provider checks scopes and grant types itself.
 * The Pulumi id of a client is its UUID; a client stored by provider version 1 has its `jnc_` id
 * and no `januaId` until its next update re-registers it.
 */
import type * as pulumi from "@pulumi/pulumi";
import {
  adminRequest,
  isUuid,
  type JanuaConnection,
  type Json,
  januaError,
  januaRequest,
  januaStatus,
} from "./janua-http";
import { JANUA_PROVIDER_VERSION } from "./janua-organizations";

export { type JanuaConnection, type JanuaError, januaError, januaRequest, januaStatus } from "./janua-http";
export {
  JANUA_PROVIDER_VERSION,
  type JanuaOrganizationInputs,
  januaOrganizationProvider,
} from "./janua-organizations";

/** Inputs of an OAuth client. */
export interface JanuaOAuthClientInputs {
  readonly connection: JanuaConnection;
  /** Stable key that makes registration idempotent; Janua stores it as the audience. Replaces. */
  readonly clientKey: string;
  readonly name: string;
  readonly description?: string;
  readonly redirectUris: string[];
  /** @default ["openid", "profile", "email"] */
  readonly allowedScopes?: string[];
  /** @default ["authorization_code", "refresh_token"] */
  readonly grantTypes?: string[];
  /** Must equal `clientKey` when set (oauth_clients.py 79-83). */
  readonly audience?: string;
  /** UUID of the client's organization. Replaces: `/register` never changes it. */
  readonly organizationId?: string;
  /** @default true */
  readonly isConfidential?: boolean;
  /** {@link JANUA_PROVIDER_VERSION} when the resource was last written. */
  readonly providerVersion?: number;
}

type Stored = JanuaOAuthClientInputs & { januaId?: string; clientId?: string; clientSecret?: string };

const DEFAULT_SCOPES = ["openid", "profile", "email"];
const DEFAULT_GRANTS = ["authorization_code", "refresh_token"];
const BASE_SCOPES = ["openid", "profile", "email", "offline_access", "api", "admin"];
const GRANTS = ["authorization_code", "refresh_token", "client_credentials", "implicit"];

/**
 * Every problem of the inputs at once, as Janua's OAuthClientCreate would find them
 * (app/schemas/oauth_client.py 16-158) plus the client_key/audience rule (oauth_clients.py 79-83).
 */
export function validateOAuthClient(i: JanuaOAuthClientInputs): void {
  const problems: string[] = [];
  const text = (field: string, v: unknown, max: number, min = 0) => {
    if (v === undefined && min === 0) return;
    if (typeof v !== "string" || v.length < min || v.length > max)
      problems.push(`${field}: ${min}-${max} characters (got ${JSON.stringify(v)})`);
  };
  text("clientKey", i.clientKey, 255, 1);
  text("name", i.name, 255, 1);
  text("description", i.description, 1000);
  if (i.audience !== undefined && i.audience !== i.clientKey)
    problems.push(
      `audience: must equal clientKey ${JSON.stringify(i.clientKey)} or be unset (got ${JSON.stringify(i.audience)})`,
    );
  (i.redirectUris ?? []).forEach((uri, n) => {
    let url: URL | undefined;
    try {
      url = new URL(uri);
    } catch {
      url = undefined;
    }
    const local = url !== undefined && (url.host.startsWith("localhost") || url.host.startsWith("127.0.0.1"));
    if (!local && (url?.protocol !== "https:" || !url.host))
      problems.push(
        `redirectUris[${n}]: an https URL (http only for localhost) (got ${JSON.stringify(uri)})`,
      );
  });
  (i.allowedScopes ?? []).forEach((scope, n) => {
    if (!BASE_SCOPES.includes(scope) && !/^[a-z][a-z0-9_]*:[a-z][a-z0-9_]*$/.test(scope))
      problems.push(
        `allowedScopes[${n}]: one of ${BASE_SCOPES.join(", ")} or namespace:action (got ${JSON.stringify(scope)})`,
      );
  });
  const grants = i.grantTypes ?? DEFAULT_GRANTS;
  grants.forEach((grant, n) => {
    if (!GRANTS.includes(grant))
      problems.push(`grantTypes[${n}]: one of ${GRANTS.join(", ")} (got ${JSON.stringify(grant)})`);
  });
  if (
    grants.some((g) => g === "authorization_code" || g === "implicit") &&
    (i.redirectUris ?? []).length === 0
  )
    problems.push("redirectUris: required for authorization_code or implicit clients (got [])");
  if (i.organizationId !== undefined && !isUuid(i.organizationId))
    problems.push(`organizationId: a UUID (got ${JSON.stringify(i.organizationId)})`);
  if (problems.length > 0)
    throw new Error(`Janua OAuth client ${String(i.clientKey)}: ${problems.join("; ")}`);
}

function registerBody(i: JanuaOAuthClientInputs): Json {
  return {
    name: i.name,
    description: i.description ?? null,
    redirect_uris: i.redirectUris,
    allowed_scopes: i.allowedScopes ?? DEFAULT_SCOPES,
    grant_types: i.grantTypes ?? DEFAULT_GRANTS,
    client_key: i.clientKey,
    is_confidential: i.isConfidential ?? true,
    ...(i.organizationId !== undefined ? { organization_id: i.organizationId } : {}),
  };
}

/**
 * Refuses a name another client holds: with no client under `clientKey` yet, `/register` adopts
 * the oldest client of the same name and rewrites its audience (oauth_clients.py 95-132), which
 * would take over another tenant's or service's client. Asked through
 * `GET /internal/by-name/{name}` with the internal key (oauth_clients.py 218-237).
 */
async function refuseForeignName(i: JanuaOAuthClientInputs): Promise<void> {
  let holder: Json;
  try {
    holder = (
      await januaRequest(
        i.connection,
        "GET",
        `/api/v1/oauth/clients/internal/by-name/${encodeURIComponent(i.name)}`,
        `OAuth client ${i.clientKey}`,
        { internalKey: true },
      )
    ).body;
  } catch (e) {
    if (januaStatus(e) === 404) return;
    throw e;
  }
  if (holder.audience !== i.clientKey) {
    throw januaError(
      `Janua OAuth client ${i.clientKey}: the name ${JSON.stringify(i.name)} belongs to Janua's client ${String(holder.client_id)} (audience ${JSON.stringify(holder.audience ?? null)}), and /register would take that client over (oauth_clients.py 95-132); give this client another name (a tenant's displayName)`,
      409,
    );
  }
}

async function register(i: JanuaOAuthClientInputs): Promise<{ status: number; body: Json }> {
  await refuseForeignName(i);
  const result = await januaRequest(
    i.connection,
    "POST",
    "/api/v1/oauth/clients/register",
    `OAuth client ${i.clientKey}`,
    {
      internalKey: true,
      body: registerBody(i),
    },
  );
  if (!isUuid(result.body.id))
    throw new Error(`Janua's /register answer for ${i.clientKey} has no client UUID (id)`);
  const live = (result.body.organization_id as string | null | undefined) ?? undefined;
  if (result.status === 200 && (live ?? "") !== (i.organizationId ?? "")) {
    throw januaError(
      `Janua already has OAuth client ${i.clientKey} (${String(result.body.id)}) in organization ${live ?? "none"}, not ${i.organizationId ?? "none"}: /register never moves a client (oauth_clients.py 104-132); delete that client in Janua, then run the command again`,
      409,
    );
  }
  return result;
}

async function rotate(i: JanuaOAuthClientInputs, januaId: string): Promise<string> {
  const { body } = await adminRequest(
    i.connection,
    "POST",
    `/api/v1/oauth/clients/${januaId}/rotate`,
    `OAuth client ${i.clientKey}`,
  );
  if (typeof body.client_secret !== "string")
    throw new Error(`Janua's rotate answer for ${i.clientKey} has no secret`);
  return body.client_secret;
}

/** The UUID of a stored client; for one stored by version 1 (no januaId), found by its client_id. */
async function januaIdOf(id: string, props: Stored): Promise<string | undefined> {
  if (isUuid(props.januaId)) return props.januaId;
  if (isUuid(id)) return id;
  const clientId = props.clientId ?? id;
  for (let page = 1; ; page++) {
    const { body } = await adminRequest(
      props.connection,
      "GET",
      `/api/v1/oauth/clients?page=${page}&per_page=100`,
      `listing OAuth clients (page ${page})`,
    );
    const clients = (body.clients ?? []) as Json[];
    const found = clients.find((c) => c.client_id === clientId);
    if (found) return String(found.id);
    if (clients.length < 100) return undefined;
  }
}

function outs(i: JanuaOAuthClientInputs, body: Json, clientSecret: string): Json {
  return {
    ...i,
    januaId: String(body.id),
    clientId: String(body.client_id),
    clientSecret,
    providerVersion: JANUA_PROVIDER_VERSION,
  };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const scopes = (i: Partial<JanuaOAuthClientInputs>) => i.allowedScopes ?? DEFAULT_SCOPES;
const grants = (i: Partial<JanuaOAuthClientInputs>) => i.grantTypes ?? DEFAULT_GRANTS;
const confidential = (i: Partial<JanuaOAuthClientInputs>) => i.isConfidential ?? true;

function patchable(olds: Partial<JanuaOAuthClientInputs>, news: JanuaOAuthClientInputs): boolean {
  return (
    olds.name !== news.name ||
    (olds.description ?? null) !== (news.description ?? null) ||
    !same(olds.redirectUris, news.redirectUris) ||
    !same(scopes(olds), scopes(news)) ||
    !same(grants(olds), grants(news))
  );
}

/**
 * A Janua OAuth client. Registration is idempotent on `clientKey`; when Janua answers 200
 * without a secret (the client existed), the secret is rotated once so the stack holds a working one.
 */
export const januaOAuthClientProvider: pulumi.dynamic.ResourceProvider = {
  async create(inputs: JanuaOAuthClientInputs) {
    validateOAuthClient(inputs);
    const { body } = await register(inputs);
    const januaId = String(body.id);
    let secret = typeof body.client_secret === "string" ? body.client_secret : undefined;
    if (secret === undefined && confidential(inputs)) secret = await rotate(inputs, januaId);
    return { id: januaId, outs: outs(inputs, body, secret ?? "") };
  },

  async read(id: string, props: Stored & Json) {
    const januaId = await januaIdOf(id, props);
    if (!januaId) return { id: "", props: {} };
    let c: Json;
    try {
      c = (
        await adminRequest(
          props.connection,
          "GET",
          `/api/v1/oauth/clients/${januaId}`,
          `OAuth client ${props.clientKey}`,
        )
      ).body;
    } catch (e) {
      if (januaStatus(e) === 404) return { id: "", props: {} };
      throw e;
    }
    // Defaults the stack leaves unset stay unset when Janua holds exactly them.
    const keep = <T>(stored: T | undefined, live: T, fallback: T): T | undefined =>
      stored === undefined && same(live, fallback) ? undefined : live;
    return {
      id,
      props: {
        ...props,
        januaId,
        clientId: String(c.client_id),
        name: String(c.name),
        description: typeof c.description === "string" ? c.description : undefined,
        redirectUris: (c.redirect_uris ?? []) as string[],
        allowedScopes: keep(props.allowedScopes, (c.allowed_scopes ?? []) as string[], DEFAULT_SCOPES),
        grantTypes: keep(props.grantTypes, (c.grant_types ?? []) as string[], DEFAULT_GRANTS),
        isConfidential: keep(props.isConfidential, c.is_confidential !== false, true),
        organizationId: (c.organization_id as string | null | undefined) ?? undefined,
      },
    };
  },

  async diff(_id: string, olds: Stored, news: JanuaOAuthClientInputs) {
    const replaces = (["clientKey", "organizationId"] as const).filter(
      (f) => (olds[f] ?? undefined) !== (news[f] ?? undefined),
    );
    const updates =
      patchable(olds, news) ||
      confidential(olds) !== confidential(news) ||
      (olds.audience ?? undefined) !== (news.audience ?? undefined);
    return {
      changes:
        replaces.length > 0 ||
        updates ||
        !same(olds.connection, news.connection) ||
        olds.providerVersion !== news.providerVersion,
      replaces,
      // Registering the replacement first would find the live client by its name
      // (oauth_clients.py 95-102) and adopt it, and deleting the old resource would then delete it.
      deleteBeforeReplace: replaces.length > 0,
    };
  },

  async update(id: string, olds: Stored, news: JanuaOAuthClientInputs) {
    validateOAuthClient(news);
    let januaId = isUuid(olds.januaId) ? olds.januaId : isUuid(id) ? id : undefined;
    let clientId = olds.clientId;
    if (januaId === undefined || confidential(olds) !== confidential(news)) {
      // Stored by version 1 (a jnc_ id), or is_confidential changes, which only /register sets.
      const { body } = await register(news);
      januaId = String(body.id);
      clientId = String(body.client_id);
    } else if (patchable(olds, news)) {
      try {
        await adminRequest(
          news.connection,
          "PATCH",
          `/api/v1/oauth/clients/${januaId}`,
          `OAuth client ${news.clientKey}`,
          {
            name: news.name,
            description: news.description ?? null,
            redirect_uris: news.redirectUris,
            allowed_scopes: scopes(news),
            grant_types: grants(news),
          },
        );
      } catch (e) {
        if (januaStatus(e) === 404) {
          throw januaError(
            `Janua OAuth client ${news.clientKey} (${januaId}) no longer exists; run \`pulumi refresh\` so the next up registers it again`,
            404,
          );
        }
        throw e;
      }
    }
    // PATCH never returns the secret: keep the stored one, or get one for a client made confidential.
    let secret = olds.clientSecret ?? "";
    if (confidential(news) && secret === "") secret = await rotate(news, januaId);
    if (!confidential(news)) secret = "";
    return { outs: outs(news, { id: januaId, client_id: clientId }, secret) };
  },

  async delete(id: string, props: Stored) {
    const januaId = await januaIdOf(id, props);
    if (!januaId) return;
    try {
      await adminRequest(
        props.connection,
        "DELETE",
        `/api/v1/oauth/clients/${januaId}`,
        `OAuth client ${props.clientKey}`,
      );
    } catch (e) {
      if (januaStatus(e) !== 404) throw e;
    }
  },
};
