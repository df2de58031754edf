/**
 * The tunnel routes of one Janua instance: its public hostname (the OIDC issuer) without Janua's
 * admin and internal paths, and an admin hostname beside it that serves every path behind
 * Cloudflare Access, for operators and the program's own API calls (the dynamic providers in
 * janua-provider.ts, run from a workstation or CI with the tunnel's Access service token). Pure.
 *
 * Why cloudflared path rules and not a Cloudflare WAF custom rule: the rules live in the tunnel
 * configuration this program already renders, so they hold for every hostname the tunnel serves
 * (dedicated Januas included) with no other Cloudflare product, plan limit (custom rules are
 * counted per zone plan) or API token permission (zone WAF write), and the rendered configuration
 * is what the tests evaluate (components/edge/ingress-eval.ts models cloudflared's matching). The
 * cost: a rule per denied prefix per Janua in the tunnel config, and the paths must be spelled as
 * cloudflared sees them (decoded, any case, repeated slashes), which the patterns below do.
 */
import type { TunnelRoute } from "../edge/routes";
import { januaRoute } from "./janua-manifests";

/** A denied prefix: `^`, each `/` as one or more slashes, any case, nothing required after it. */
const prefix = (path: string) => `(?i)^${path.replace(/\//g, "/+")}`;

/**
 * Janua's admin and internal paths (madfam-org/janua d181ef4, apps/api): the public hostname
 * answers 404 to each of them and everything below. Each pattern matches the decoded path from its
 * start, so `/api/v1/admin`, `/api/v1/admin/`, `//api//v1/ADMIN/stats` and `/api/v1/admin%2Fstats`
 * (decoded to `/api/v1/admin/stats` by Go's url.Parse before matching) are all denied. A prefix
 * also denies longer names (`/api/v1/administrators`): Janua has no public route starting so.
 */
export const JANUA_DENIED_PATHS = {
  /** routers/v1/admin.py line 41 (`prefix="/admin"`), mounted under /api/v1 (main.py line 1078). */
  admin: prefix("/api/v1/admin"),
  /**
   * routers/v1/oauth_clients.py line 39 (`prefix="/oauth/clients"`, main.py line 1064): `POST
   * /register` (internal API key, line 54), `GET|POST ""` (lines 240, 321), `/{client_id}` with
   * `/rotate` and `/secrets` (lines 375-660), `/internal/by-name/{name}` (line 218) and
   * `/admin/all` (line 702).
   */
  oauthClients: prefix("/api/v1/oauth/clients"),
  /** routers/v1/compliance.py lines 382, 423, 447 (`/admin/...`, enterprise router, main.py line 1135). */
  complianceAdmin: prefix("/api/v1/compliance/admin"),
  /** routers/v1/email.py (`prefix="/email"`), mounted at /api/v1/internal (main.py line 1110), internal API key. */
  internalApi: prefix("/api/v1/internal"),
  /** routers/internal/roles.py (billing tier sync, internal API key), mounted at /internal (main.py line 1119). */
  internal: prefix("/internal"),
  /** main.py lines 761, 770, 872: `/metrics`, `/metrics/performance`, `/metrics/scalability` (Prometheus scrapes in-cluster). */
  metrics: prefix("/metrics"),
} as const;

/**
 * The admin hostname of an instance: `<first label>-admin.<rest>` (`auth-admin.enclii.dev`,
 * `auth-acme-admin.enclii.dev`): one level below the zone, so Universal SSL covers it.
 */
export function januaAdminHostname(hostname: string): string {
  const dot = hostname.indexOf(".");
  if (dot <= 0) throw new Error(`Janua hostname ${hostname}: needs a domain (e.g. auth.example.com)`);
  return `${hostname.slice(0, dot)}-admin${hostname.slice(dot)}`;
}

/**
 * The public route (admin and internal paths denied) and the admin route (every path, operators
 * only; Janua sees the public hostname in `Host`, so its host checks and generated URLs are
 * the same whichever route a request took).
 */
export function januaRoutes(hostname: string, namespace: string): TunnelRoute[] {
  const route = januaRoute(hostname, namespace);
  return [
    { ...route, deniedPaths: Object.values(JANUA_DENIED_PATHS) },
    { ...route, hostname: januaAdminHostname(hostname), access: "operators", hostHeader: hostname },
  ];
}
