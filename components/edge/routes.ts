/**
 * The tunnel's route table: what other components return (`{hostname, service}`), validated and
 * rendered into cloudflared ingress rules. Pure.
 */

/** One public hostname served through the tunnel. */
export interface TunnelRoute {
  /** Public hostname, e.g. `auth.enclii.dev`. */
  readonly hostname: string;
  /** In-cluster URL, e.g. `http://janua.janua.svc.cluster.local:80`. */
  readonly service: string;
  /**
   * Port of the pods behind the Service (Janua: 8080 behind Service port 80). Network policies
   * match the pod port after the Service translated it. @default the Service port
   */
  readonly targetPort?: number;
  /**
   * Paths this hostname answers with cloudflared's own 404 instead of passing them to the service:
   * Go regular expressions (RE2) matched against the percent-decoded request path, anywhere unless
   * anchored (cloudflare/cloudflared ingress/rule.go `Matches`, line 66). Rendered as
   * `{hostname, path, service: "http_status:404"}` rules right before the route's own rule, so they
   * match first (ingress/ingress.go `FindMatchingRule`: the first matching rule wins). @default []
   */
  readonly deniedPaths?: readonly string[];
  /**
   * Who may use the hostname, when not everyone: `operators` puts it behind a Cloudflare Access
   * application that admits the tunnel's Access service token (the program's own API calls, CI)
   * and `access.adminEmails`, and cloudflared checks the Access token (`originRequest.access`).
   * Routes to {@link ADMIN_NAMESPACES} are behind Access whatever this says. @default everyone
   */
  readonly access?: "operators";
  /**
   * `Host` header cloudflared sends to the service (`originRequest.httpHostHeader`), e.g. the
   * public hostname of the same service, so the service sees one hostname whichever route the
   * request came by. @default the request's own
   */
  readonly hostHeader?: string;
}

/**
 * cloudflared's own Access check of a route (`originRequest.access`; cloudflared
 * `config/configuration.go` `AccessConfig` and `ingress/middleware/jwtvalidator.go`): with
 * `required`, cloudflared answers 403 to a request without a `Cf-Access-Jwt-Assertion` signed by
 * `https://<teamName>.cloudflareaccess.com` for one of `audTags`. The field is `audTags` in
 * `@pulumi/cloudflare` 6.22 (`aud_tag` in the API and Terraform, `audTag` in cloudflared's YAML).
 */
export interface OriginAccess<Aud = string> {
  readonly required: true;
  readonly teamName: string;
  readonly audTags: Aud[];
}

/** One cloudflared ingress rule (`@pulumi/cloudflare` `config.ingresses[]`). */
export interface IngressRule<Aud = string> {
  readonly hostname?: string;
  /** Go regular expression on the request path (see {@link TunnelRoute.deniedPaths}). */
  readonly path?: string;
  readonly service: string;
  readonly originRequest?: { readonly access?: OriginAccess<Aud>; readonly httpHostHeader?: string };
}

/** The last rule: anything unmatched gets a 404 from cloudflared itself. */
export const CATCH_ALL: IngressRule = { service: "http_status:404" };

const SERVICE_RE = /^https?:\/\/([a-z0-9-]+)\.([a-z0-9-]+)\.svc(?:\.cluster\.local)?:(\d{1,5})$/;

/** The in-cluster target of a route: service name, namespace and port. */
export interface RouteTarget {
  readonly name: string;
  readonly namespace: string;
  readonly port: number;
}

/** Parses `http://<svc>.<ns>.svc.cluster.local:<port>`; undefined for anything else. */
export function parseServiceUrl(service: string): RouteTarget | undefined {
  const m = SERVICE_RE.exec(service);
  if (!m) return undefined;
  return { name: m[1] as string, namespace: m[2] as string, port: Number(m[3]) };
}

/**
 * Namespaces whose services are admin interfaces (Grafana, Longhorn's UI, operators). A route to
 * one of them is served only behind a Cloudflare Access application.
 */
export const ADMIN_NAMESPACES: readonly string[] = [
  "monitoring",
  "longhorn-system",
  "cert-manager",
  "cnpg-system",
  "system-upgrade",
  "kube-system",
];

/**
 * Whether a route leads to an admin interface: its service lives in an admin namespace, or the
 * route is for operators only ({@link TunnelRoute.access}).
 */
export function isAdminRoute(
  route: Pick<TunnelRoute, "service"> & Pick<Partial<TunnelRoute>, "access">,
): boolean {
  if (route.access === "operators") return true;
  const target = parseServiceUrl(route.service);
  return target !== undefined && ADMIN_NAMESPACES.includes(target.namespace);
}

/**
 * A path pattern cloudflared compiles with Go's `regexp` and this program can also evaluate
 * (components/edge/ingress-eval.ts): an optional leading `(?i)`, then JavaScript-compatible RE2.
 * Undefined when valid, else why not.
 */
export function pathPatternProblem(pattern: string): string | undefined {
  const body = pattern.startsWith("(?i)") ? pattern.slice(4) : pattern;
  if (/\(\?[^:]/.test(body)) return "only a leading (?i) flag group and (?:...) groups are supported";
  // RE2 escapes and classes JavaScript reads differently.
  if (/\\[AzZpPQE]|\[\[:/.test(body)) return "\\A, \\z, \\p, \\Q and [[:class:]] are not supported";
  try {
    new RegExp(body);
  } catch (e) {
    return (e as Error).message;
  }
  return undefined;
}

const within = (host: string, zone: string) => host === zone || host.endsWith(`.${zone}`);

/**
 * Why cloudflared would refuse these ingress rules, checked the way it checks them (cloudflare/cloudflared
 * 2026.8.2 ingress/ingress.go): a hostname has no port and at most one `*`, only as its first
 * character (`validateHostname` lines 361-371, `errBadWildcard` line 25); the last rule and only
 * the last matches everything (lines 373-382); an origin URL has a scheme and a host and no path
 * (lines 300-305); an `http_status:` service has a code from 100 to 999 (lines 258-265). Plus this program's
 * own rule: a hostname (with its path) appears once, so no rule is dead. Empty when valid. Pure.
 */
export function cloudflaredIngressProblems(rules: readonly IngressRule<unknown>[]): string[] {
  const problems: string[] = [];
  const seen = new Set<string>();
  rules.forEach((r, i) => {
    const at = `rule #${i + 1} (${r.hostname ?? "catch-all"})`;
    const host = r.hostname ?? "";
    if (/:\d+$/.test(host)) problems.push(`${at}: hostname contains a port`);
    if (host.lastIndexOf("*") > 0)
      problems.push(`${at}: a wildcard is allowed only as the first label (*.example.com)`);
    if (host.startsWith("*") && host !== "*" && !host.startsWith("*."))
      problems.push(`${at}: a wildcard is allowed only as the first label (*.example.com)`);
    const catchAll = (host === "" || host === "*") && r.path === undefined;
    const last = i === rules.length - 1;
    if (last && !catchAll) problems.push(`${at}: the last rule must match all URLs (no hostname, no path)`);
    if (!last && catchAll) problems.push(`${at}: matches every hostname, so the rules after it never match`);
    const key = `${host} ${r.path ?? ""}`;
    if (!catchAll && seen.has(key))
      problems.push(`${at}: hostname${r.path ? ` and path ${r.path}` : ""} listed twice`);
    seen.add(key);
    const status = /^http_status:(\d+)$/.exec(r.service);
    if (r.service.startsWith("http_status:")) {
      const code = Number(status?.[1]);
      if (!status || code < 100 || code > 999) problems.push(`${at}: invalid HTTP status ${r.service}`);
    } else {
      let url: URL | undefined;
      try {
        url = new URL(r.service);
      } catch {
        url = undefined;
      }
      if (!url || url.hostname === "") problems.push(`${at}: ${r.service} needs a scheme and a hostname`);
      // Go's url.Parse leaves Path empty for `scheme://host:port`; WHATWG URL reads it as "/" for
      // http(s) and "" for other schemes, so the text itself decides.
      else if (/^[a-z][a-z0-9+.-]*:\/\/[^/]+\//.test(r.service))
        problems.push(`${at}: ${r.service}: origin URLs take no path`);
    }
  });
  return problems;
}

/** Options of {@link renderIngress}. */
export interface RouteValidation {
  /** The zone the tunnel's DNS records live in. */
  readonly zone: string;
  /** Hostnames outside the zone that are Cloudflare for SaaS custom hostnames of the zone. */
  readonly customHostnames?: readonly string[];
}

/**
 * Validates routes: a hostname appears once, lies in the zone (or is a registered custom
 * hostname), and points at an in-cluster service URL. Returns every problem.
 */
export function validateRoutes(routes: readonly TunnelRoute[], options: RouteValidation): string[] {
  const problems: string[] = [];
  const seen = new Map<string, string>();
  const custom = new Set(options.customHostnames ?? []);
  for (const route of routes) {
    const previous = seen.get(route.hostname);
    if (previous !== undefined) {
      problems.push(
        `route ${route.hostname}: declared twice (${previous} and ${route.service}); each hostname has one service`,
      );
    }
    seen.set(route.hostname, route.service);
    if (!within(route.hostname, options.zone) && !custom.has(route.hostname)) {
      problems.push(
        `route ${route.hostname}: outside the zone ${options.zone} and not a custom hostname of it; the tunnel cannot serve it`,
      );
    }
    if (!parseServiceUrl(route.service)) {
      problems.push(
        `route ${route.hostname}: service ${route.service} must be http(s)://<service>.<namespace>.svc.cluster.local:<port>`,
      );
    }
    for (const path of route.deniedPaths ?? []) {
      const problem = pathPatternProblem(path);
      if (problem !== undefined)
        problems.push(`route ${route.hostname}: denied path ${path} is no valid pattern: ${problem}`);
    }
  }
  return problems;
}

/**
 * Adds cloudflared's Access check to every rule whose hostname has an Access application
 * (`audOf` returns its audience tag), so the route stays closed even if someone edits the DNS
 * record or the tunnel's public hostnames to bypass Cloudflare Access. Pure.
 */
export function withAccessChecks<Aud>(
  rules: readonly IngressRule[],
  teamName: string,
  audOf: (hostname: string) => Aud | undefined,
): IngressRule<Aud>[] {
  return rules.map((rule) => {
    // A denied path answers 404 before any origin: nothing to check there.
    const aud =
      rule.hostname === undefined || rule.service.startsWith("http_status:")
        ? undefined
        : audOf(rule.hostname);
    const { originRequest, ...plain } = rule;
    const httpHostHeader = originRequest?.httpHostHeader;
    const kept = httpHostHeader !== undefined ? { httpHostHeader } : {};
    if (aud === undefined) return Object.keys(kept).length > 0 ? { ...plain, originRequest: kept } : plain;
    return { ...plain, originRequest: { ...kept, access: { required: true, teamName, audTags: [aud] } } };
  });
}

/** A raw TCP route (SSH, the Kubernetes API) to an address outside the cluster's services. */
export interface TcpRoute {
  readonly hostname: string;
  /** `ssh://<address>:22` or `tcp://<address>:<port>`. */
  readonly service: string;
}

/** Inserts TCP routes, sorted by hostname, before the catch-all. Pure. */
export function withTcpRoutes(ingresses: readonly IngressRule[], tcp: readonly TcpRoute[]): IngressRule[] {
  // The catch-all is the rule without a hostname; a hostname's denied paths (also 404) stay.
  const head = ingresses.filter((i) => i.hostname !== undefined);
  const sorted = [...tcp].sort((a, b) => a.hostname.localeCompare(b.hostname));
  return [...head, ...sorted.map((r) => ({ hostname: r.hostname, service: r.service })), CATCH_ALL];
}

/**
 * Replaces the catch-all (the last rule, without a hostname) with one that sends every hostname
 * no rule matched to `service` (the router). cloudflared requires the last rule, and only the last,
 * to match everything: no hostname (or `*`) and no path (cloudflare/cloudflared 2026.8.2
 * ingress/ingress.go `validateHostname`, lines 361-383, `errLastRuleNotCatchAll` line 24), so the
 * fallback has neither. Pure.
 */
export function withFallback<Aud>(rules: readonly IngressRule<Aud>[], service: string): IngressRule<Aud>[] {
  const last = rules[rules.length - 1];
  if (last === undefined || last.hostname !== undefined || last.path !== undefined)
    throw new Error("ingress rules: the last rule must be the catch-all (no hostname, no path)");
  return [...rules.slice(0, -1), { service }];
}

/** The ingress rules: routes sorted by hostname, then the 404 catch-all. @throws on invalid routes */
export function renderIngress(routes: readonly TunnelRoute[], options: RouteValidation): IngressRule[] {
  const problems = validateRoutes(routes, options);
  if (problems.length > 0) throw new Error(`tunnel routes: ${problems.join("; ")}`);
  const sorted = [...routes].sort((a, b) => a.hostname.localeCompare(b.hostname));
  return [...sorted.flatMap(routeRules), CATCH_ALL];
}

/** A route's rules: its denied paths (404) first, then the route. */
function routeRules(r: TunnelRoute): IngressRule[] {
  const denied = (r.deniedPaths ?? []).map((path) => ({
    hostname: r.hostname,
    path,
    service: CATCH_ALL.service,
  }));
  const own: IngressRule = {
    hostname: r.hostname,
    service: r.service,
    ...(r.hostHeader !== undefined ? { originRequest: { httpHostHeader: r.hostHeader } } : {}),
  };
  return [...denied, own];
}
