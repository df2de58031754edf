/**
 * Janua's HTTP API as the dynamic providers call it: one request with bounded retries, Janua's
 * error bodies read into a message, its rate limits waited out, and one admin sign-in per
 * provider process.
 *
 * Serialized into the Pulumi state with the providers (janua-provider.ts): it imports nothing and
 * uses Node's built-in `fetch`. Facts from madfam-org/janua at d181ef41 (apps/api/...):
 * - error bodies: `{"error": {"code", "message", "details"}}` for every HTTPException and
 *   validation error (app/core/error_handling.py 295-331); the sign-in limit answers slowapi's own
 *   `{"error": "Rate limit exceeded: 5 per 1 minute"}` (laurentS/slowapi v0.1.9
 *   slowapi/extension.py 76-87);
 * - the sign-in limit is `5/minute` per remote address (app/routers/v1/auth.py 365-366, key
 *   `get_remote_address`, slowapi/util.py 20-27): behind the tunnel every caller shares
 *   cloudflared's address. slowapi sends `Retry-After` only with `headers_enabled`
 *   (extension.py 381), which Janua leaves off (app/main.py 265), so a 429 without it waits the
 *   window the message names;
 * - a token lasts `expires_in` seconds (auth.py 484-488; JWT_ACCESS_TOKEN_EXPIRE_MINUTES 480,
 *   app/config.py 127); an expired one answers 401 "Invalid or expired token"
 *   (app/dependencies.py 186-188).
 */

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
    /** First backoff after a 503 or an unreachable Janua. @default 2000 */
    readonly baseDelayMs?: number;
    /** @default 30000 */
    readonly maxDelayMs?: number;
    /** Attempts on 503 or an unreachable Janua. @default 12 */
    readonly maxAttempts?: number;
    /** Longest single wait after a 429 (Retry-After or the limit's window). @default 65000 */
    readonly maxRateLimitWaitMs?: number;
    /** 429 answers waited out per call before giving up. @default 4 */
    readonly maxRateLimitRetries?: number;
  };
}

/** An error answer of Janua: an `Error` with the HTTP status. */
export type JanuaError = Error & { readonly status: number };

/**
 * Makes a {@link JanuaError}. Not a subclass of Error: serializeFunction turns a class into a
 * function calling `Error.call(this, message)`, which sets no message, so the engine would show
 * an empty error (the dynamic provider host sends `e.message`).
 */
export function januaError(message: string, status: number): JanuaError {
  return Object.assign(new Error(message), { name: "JanuaError", status });
}

/** The HTTP status of a {@link JanuaError}, or undefined for any other error. */
export function januaStatus(e: unknown): number | undefined {
  const status = (e as { status?: unknown } | undefined)?.status;
  return e instanceof Error && typeof status === "number" ? status : undefined;
}

/** A JSON object. */
export type Json = Record<string, unknown>;

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Janua's message in an error body, whichever of its shapes it has. */
export function januaDetail(body: Json, text: string): string {
  const error = body.error;
  if (typeof error === "string") return error;
  if (error && typeof error === "object") {
    const e = error as Json;
    const details = (e.details ?? {}) as Json;
    const errors = details.validation_errors;
    if (Array.isArray(errors) && errors.length > 0) {
      return errors
        .map((item) => {
          const v = item as Json;
          return `${v.field ? `${String(v.field)}: ` : ""}${String(v.message ?? JSON.stringify(v))}`;
        })
        .join("; ");
    }
    if (typeof e.message === "string") return e.message;
  }
  const detail = body.detail ?? body.message;
  if (typeof detail === "string") return detail;
  return text.slice(0, 200);
}

/**
 * How long to wait after a 429: `Retry-After` (seconds or an HTTP date) when Janua sends it, else
 * the window of the limit slowapi names (`5 per 1 minute`), else undefined.
 */
export function rateLimitWaitMs(
  retryAfter: string | null,
  message: string,
  now = Date.now(),
): number | undefined {
  if (retryAfter) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (Number.isFinite(date)) return Math.max(0, date - now);
  }
  const window = /(\d+) per (\d+) (second|minute|hour|day)/.exec(message);
  if (!window) return undefined;
  const unit = { second: 1000, minute: 60_000, hour: 3_600_000, day: 86_400_000 }[
    window[3] as "second" | "minute" | "hour" | "day"
  ];
  return Number(window[2]) * unit;
}

/** Options of one call. */
export interface JanuaRequestOptions {
  readonly body?: Json;
  readonly bearer?: string;
  readonly internalKey?: boolean;
}

/**
 * One call with bounded retries: 503 (Janua starting, or no admin yet) and an unreachable Janua
 * back off and retry; 429 waits as long as Janua says (or the limit's window) and retries, then
 * fails naming the limit; 401, 403 and validation errors (400/422) fail at once with Janua's message.
 */
export async function januaRequest(
  conn: JanuaConnection,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  path: string,
  what: string,
  options: JanuaRequestOptions = {},
): Promise<{ status: number; body: Json }> {
  const base = conn.timing?.baseDelayMs ?? 2000;
  const max = conn.timing?.maxDelayMs ?? 30_000;
  const attempts = conn.timing?.maxAttempts ?? 12;
  const maxWait = conn.timing?.maxRateLimitWaitMs ?? 65_000;
  const maxLimited = conn.timing?.maxRateLimitRetries ?? 4;
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
  let limited = 0;
  for (let attempt = 1; attempt <= attempts; ) {
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
      attempt++;
      await sleep(delay);
      continue;
    }
    const text = await response.text();
    let body: Json = {};
    try {
      const parsed = text ? (JSON.parse(text) as unknown) : {};
      body = Array.isArray(parsed) ? { items: parsed } : ((parsed ?? {}) as Json);
    } catch {
      body = {};
    }
    if (response.ok) return { status: response.status, body };
    if (response.status >= 300 && response.status < 400) {
      throw januaError(
        `Janua's URL ${conn.baseUrl} redirected ${what} to ${response.headers.get("location") ?? "elsewhere"} (${response.status}): Cloudflare Access did not admit the request; check the tunnel's Access service token`,
        response.status,
      );
    }
    const detail = januaDetail(body, text);
    if (response.status === 429) {
      const wait = rateLimitWaitMs(response.headers.get("retry-after"), detail) ?? delay;
      if (limited >= maxLimited || wait > maxWait) {
        throw januaError(
          `Janua rate-limited ${what} (429: ${detail}) and still refused it after ${limited} wait(s); Janua counts this limit per client address, and every caller behind the tunnel shares cloudflared's: wait ${Math.ceil(wait / 1000)} s and run again, and keep other sign-ins (people, scripts) off the admin hostname meanwhile`,
          429,
        );
      }
      limited++;
      // A little past the window, so the retry lands in the next one.
      await sleep(wait + Math.min(1000, Math.max(10, wait / 20)));
      continue;
    }
    if (response.status === 503) {
      last = `Janua not ready (503: ${detail}) for ${what}`;
      attempt++;
      await sleep(delay);
      continue;
    }
    if (response.status === 401 || response.status === 403) {
      throw januaError(
        `Janua refused ${what} (${response.status}: ${detail}); check the internal API key and the bootstrap admin credentials in the janua Secret, and for a 403 from Cloudflare (no JSON detail) the tunnel's Access service token`,
        response.status,
      );
    }
    if (response.status === 423) {
      throw januaError(
        `Janua locked the bootstrap admin (423: ${detail}): too many failed sign-ins; wait, then check the admin password in the janua Secret`,
        423,
      );
    }
    if (response.status === 400 || response.status === 422) {
      throw januaError(`Janua rejected ${what} (${response.status}): ${detail}`, response.status);
    }
    throw januaError(
      `Janua ${method} ${path} failed for ${what}: ${response.status} ${detail}`,
      response.status,
    );
  }
  throw new Error(`${last} (gave up after ${attempts} attempts)`);
}

interface Session {
  readonly token: string;
  readonly expiresAt: number;
}

/**
 * The sessions of this process, shared by every Janua provider the engine deserialized in it (the
 * organization and the client providers are serialized separately, so a module-level cache would
 * be one per provider): one sign-in per Janua and admin, reused until shortly before it expires.
 */
function sessions(): Map<string, Promise<Session>> {
  const key = Symbol.for("enclii-infra.janua.sessions");
  const holder = globalThis as unknown as Record<symbol, Map<string, Promise<Session>> | undefined>;
  let map = holder[key];
  if (!map) {
    map = new Map();
    holder[key] = map;
  }
  return map;
}

function sessionKey(conn: JanuaConnection): string {
  return JSON.stringify([conn.baseUrl.replace(/\/$/, ""), conn.adminEmail, conn.adminPassword]);
}

async function signInOnce(conn: JanuaConnection): Promise<Session> {
  const { body } = await januaRequest(conn, "POST", "/api/v1/auth/signin", "the admin sign-in", {
    body: { email: conn.adminEmail, password: conn.adminPassword },
  });
  if (body.mfa_required === true) {
    throw new Error(
      "Janua asks the bootstrap admin for a second factor (mfa_required): the providers sign in with the password only; turn MFA off for that account",
    );
  }
  const tokens = (body.tokens ?? {}) as Json;
  const token = tokens.access_token ?? body.access_token;
  if (typeof token !== "string") throw new Error("Janua's sign-in answer has no access token");
  const lifetime = typeof tokens.expires_in === "number" ? tokens.expires_in * 1000 : 15 * 60_000;
  // Renew a minute early (or at half the lifetime, for short ones) so no call carries a token
  // that expires on its way.
  return { token, expiresAt: Date.now() + lifetime - Math.min(60_000, lifetime / 2) };
}

/** The admin's access token: signs in at most once per process until it expires. */
export async function adminToken(conn: JanuaConnection): Promise<string> {
  const map = sessions();
  const key = sessionKey(conn);
  const cached = map.get(key);
  if (cached) {
    // Concurrent callers share one sign-in and its outcome, a failure included.
    const session = await cached;
    if (session.expiresAt > Date.now()) return session.token;
    if (map.get(key) === cached) map.delete(key);
    return adminToken(conn);
  }
  const pending = signInOnce(conn);
  map.set(key, pending);
  pending.catch(() => {
    if (map.get(key) === pending) map.delete(key);
  });
  return (await pending).token;
}

/**
 * A call as the admin. A 401 on a token this process holds (Janua restarted with a new key, or the
 * session was revoked) signs in once more and retries once.
 */
export async function adminRequest(
  conn: JanuaConnection,
  method: "GET" | "POST" | "PATCH" | "DELETE",
  path: string,
  what: string,
  body?: Json,
): Promise<{ status: number; body: Json }> {
  const token = await adminToken(conn);
  try {
    return await januaRequest(conn, method, path, what, { bearer: token, ...(body ? { body } : {}) });
  } catch (e) {
    if (januaStatus(e) !== 401) throw e;
    sessions().delete(sessionKey(conn));
    const fresh = await adminToken(conn);
    return januaRequest(conn, method, path, what, { bearer: fresh, ...(body ? { body } : {}) });
  }
}

/** Whether `value` is a UUID as Python's `uuid.UUID()` parses one (CPython Lib/uuid.py UUID.__init__). */
export function isUuid(value: unknown): value is string {
  if (typeof value !== "string") return false;
  const hex = value
    .replace("urn:", "")
    .replace("uuid:", "")
    .replace(/^\{+|\}+$/g, "")
    .replace(/-/g, "");
  return /^[0-9a-fA-F]{32}$/.test(hex);
}
