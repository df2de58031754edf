/**
 * Which cloudflared ingress rule serves a request: a model of cloudflared's own matching, read
 * from cloudflare/cloudflared 2026.8.2, so tests ask the rendered tunnel configuration what a
 * request reaches instead of comparing strings. Pure.
 *
 * - The request: `connection/quic_connection.go` buildHTTPRequest (lines 340-360) builds it with
 *   `http.NewRequestWithContext(ctx, method, dest, body)`, so the path is Go's `url.Parse` Path:
 *   fragment and query cut off, percent-escapes decoded (`%2F` becomes `/`), `+` kept. The Host
 *   is the edge's `HttpHost` metadata.
 * - The match: `proxy/proxy.go` ProxyHTTP line 92 calls `FindMatchingRule(req.Host, req.URL.Path)`;
 *   `ingress/ingress.go` FindMatchingRule (lines 41-62) strips a port from the host
 *   (`net.SplitHostPort`) and returns the first rule that matches, else the last rule.
 * - `ingress/rule.go` Matches (lines 55-68): the hostname matches when the rule has none or `*`,
 *   equals the request's (case-sensitive), or is `*.<suffix>` and the host ends with `.<suffix>`
 *   (matchHost, ingress.go lines 64-76); the path matches when the rule has none, or when its Go
 *   regexp (`regexp.Compile`, ingress.go line 342) `MatchString`s the path: anywhere in it,
 *   unless the pattern anchors itself.
 *
 * Not modelled: cloudflared's internal rules (its management hostname, matched before the user's
 * rules) and punycode hostnames (the platform's hostnames are ASCII).
 */
import type { IngressRule } from "./routes";

/** The path cloudflared matches: Go `url.Parse(dest).Path` of a request target. @throws on an invalid escape, as Go does */
export function requestPath(target: string): string {
  const withoutFragment = target.split("#", 1)[0] as string;
  const raw = withoutFragment.split("?", 1)[0] as string;
  // Go's unescape (net/url url.go): every % must start a two-digit hex escape; bytes, then UTF-8.
  const bytes: number[] = [];
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i] as string;
    if (c === "%") {
      const hex = raw.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new Error(`invalid URL escape "%${hex}" in ${target}`);
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(c, "utf8"));
    }
  }
  // Go's regexp reads invalid UTF-8 as U+FFFD, as Buffer's decoder does.
  return Buffer.from(bytes).toString("utf8");
}

/** Go's `(?i)` prefix as a JavaScript flag (routes.ts pathPatternProblem admits only that form). */
function compile(pattern: string): RegExp {
  return pattern.startsWith("(?i)") ? new RegExp(pattern.slice(4), "i") : new RegExp(pattern);
}

/** matchHost (ingress/ingress.go lines 64-76). */
function hostMatches(ruleHost: string | undefined, host: string): boolean {
  if (ruleHost === undefined || ruleHost === "" || ruleHost === "*") return true;
  if (ruleHost === host) return true;
  return ruleHost.startsWith("*.") && host.endsWith(ruleHost.slice(1));
}

/** `net.SplitHostPort`: `host:port` and `[v6]:port` lose the port; anything else stays. */
function withoutPort(host: string): string {
  const v6 = /^\[([^\]]+)\]:\d*$/.exec(host);
  if (v6) return v6[1] as string;
  const m = /^([^:]+):\d*$/.exec(host);
  return m ? (m[1] as string) : host;
}

/** The rule that serves a request, and its index. */
export function matchingRule<Aud>(
  rules: readonly IngressRule<Aud>[],
  request: { readonly host: string; readonly target: string },
): { readonly index: number; readonly rule: IngressRule<Aud> } {
  if (rules.length === 0) throw new Error("no ingress rules");
  const host = withoutPort(request.host);
  const path = requestPath(request.target);
  const index = rules.findIndex(
    (r) => hostMatches(r.hostname, host) && (r.path === undefined || compile(r.path).test(path)),
  );
  const i = index === -1 ? rules.length - 1 : index;
  return { index: i, rule: rules[i] as IngressRule<Aud> };
}
