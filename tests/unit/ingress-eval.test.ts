/**
 * The evaluator of cloudflared's rule matching (components/edge/ingress-eval.ts) against the
 * behaviour its source states, and Janua's routes evaluated with it on the rendered ingress.
 * cloudflare/cloudflared 2026.8.2: ingress/rule.go Matches (lines 55-68), ingress/ingress.go
 * FindMatchingRule (41-62) and matchHost (64-76), connection/quic_connection.go buildHTTPRequest
 * (url.Parse of the destination, lines 340-360).
 */
import { describe, expect, it } from "vitest";
import { JANUA_DENIED_PATHS, januaAdminHostname, januaRoutes } from "../../components/auth/janua-routes";
import { matchingRule, requestPath } from "../../components/edge/ingress-eval";
import {
  CATCH_ALL,
  type IngressRule,
  renderIngress,
  withAccessChecks,
  withTcpRoutes,
} from "../../components/edge/routes";

const JANUA = "http://janua.janua.svc.cluster.local:80";

describe("cloudflared rule matching (the evaluator)", () => {
  it("decodes the path as Go's url.Parse does: escapes decoded, query and fragment cut, + kept", () => {
    expect(requestPath("/api/v1/admin%2Fstats?x=1#f")).toBe("/api/v1/admin/stats");
    expect(requestPath("/%61pi/v1")).toBe("/api/v1");
    expect(requestPath("/a+b")).toBe("/a+b");
    expect(requestPath("/x%252F")).toBe("/x%2F");
    expect(() => requestPath("/bad%zz")).toThrow('invalid URL escape "%zz"');
  });

  it("matches a path regex anywhere unless anchored, and takes the first matching rule", () => {
    const rules: IngressRule[] = [
      { hostname: "a.example", path: "admin", service: "http_status:404" },
      { hostname: "a.example", path: "^/only$", service: "http_status:403" },
      { hostname: "a.example", service: "http://a.ns.svc.cluster.local:80" },
      CATCH_ALL,
    ];
    expect(matchingRule(rules, { host: "a.example", target: "/x/admin/y" }).index).toBe(0);
    expect(matchingRule(rules, { host: "a.example", target: "/only" }).index).toBe(1);
    expect(matchingRule(rules, { host: "a.example", target: "/only/not" }).index).toBe(2);
  });

  it("compares hostnames exactly (case included), strips a port, and falls back to the last rule", () => {
    const rules: IngressRule[] = [
      { hostname: "a.example", service: "http://a.ns.svc.cluster.local:80" },
      CATCH_ALL,
    ];
    expect(matchingRule(rules, { host: "a.example:443", target: "/" }).index).toBe(0);
    expect(matchingRule(rules, { host: "A.example", target: "/" }).index).toBe(1);
    expect(matchingRule(rules, { host: "b.example", target: "/" }).index).toBe(1);
  });

  it("matches a *. wildcard by suffix", () => {
    const rules: IngressRule[] = [
      { hostname: "*.example", service: "http://a.ns.svc.cluster.local:80" },
      CATCH_ALL,
    ];
    expect(matchingRule(rules, { host: "x.example", target: "/" }).index).toBe(0);
    expect(matchingRule(rules, { host: "example", target: "/" }).index).toBe(1);
  });

  it("reads Go's (?i) as case-insensitive", () => {
    const rules: IngressRule[] = [
      { hostname: "a.example", path: "(?i)^/admin", service: "http_status:404" },
      CATCH_ALL,
    ];
    expect(matchingRule(rules, { host: "a.example", target: "/ADMIN" }).index).toBe(0);
  });
});

/** The public and admin rules of the shared Janua, rendered as the tunnel renders them. */
function rendered(): IngressRule<string>[] {
  const routes = januaRoutes("auth.enclii.dev", "janua");
  const ingresses = withTcpRoutes(renderIngress(routes, { zone: "enclii.dev" }), [
    { hostname: "kube-tunnel.enclii.dev", service: "tcp://10.0.0.2:6443" },
  ]);
  return withAccessChecks(ingresses, "enclii", (h) =>
    h === "auth-admin.enclii.dev" ? "aud-admin" : undefined,
  );
}

const ADMIN_TARGETS = [
  "/api/v1/admin/organizations",
  "/api/v1/admin",
  "/api/v1/admin/",
  "/api/v1/admin/organizations/",
  "//api/v1/admin/organizations",
  "/api//v1///admin/users",
  "/api/v1/admin%2Forganizations",
  "/api%2Fv1%2Fadmin%2Fstats",
  "/%61pi/v1/admin/stats",
  "/API/V1/ADMIN/STATS",
  "/Api/v1/Admin/organizations?page=2&per_page=100",
  "/api/v1/admin/settings/oidc/custom-domain",
  "/api/v1/oauth/clients/register",
  "/api/v1/oauth/clients/register/",
  "/api/v1/oauth/clients/register?x=1",
  "/api/v1/oauth/clients",
  "/api/v1/oauth/clients/",
  "/api/v1/oauth/clients?organization_id=x",
  "/api/v1/oauth/clients/0b6c1f8e-0000-4000-8000-000000000000/rotate",
  "/api/v1/oauth/clients/internal/by-name/enclii",
  "/api/v1/oauth/clients/admin/all",
  "/api/v1/oauth//clients/register",
  "/api/v1/oauth%2Fclients%2Fregister",
  "/API/V1/OAUTH/CLIENTS/REGISTER",
  "/api/v1/compliance/admin/retention-policy",
  "/api/v1/internal/email/send",
  "/internal/organizations/0b6c1f8e-0000-4000-8000-000000000000/tier",
  "/metrics",
  "/metrics/",
  "/metrics?x=1",
  "//metrics",
  "/METRICS",
  "/metrics/performance",
  "/metrics/scalability",
  "/%6detrics",
];

const PUBLIC_TARGETS = [
  "/.well-known/openid-configuration",
  "/.well-known/jwks.json",
  "/api/v1/oauth/authorize?client_id=jnc_x&response_type=code",
  "/api/v1/oauth/token",
  "/api/v1/oauth/userinfo",
  "/api/v1/oauth/introspect",
  "/api/v1/oauth/revoke",
  "/api/v1/auth/signin",
  "/api/v1/auth/signup",
  "/api/v1/organizations/",
  "/health",
  "/api/v1/health/ready",
  "/",
];

describe("Janua's public hostname under cloudflared's matching", () => {
  const rules = rendered();

  it.each(ADMIN_TARGETS)("answers cloudflared's 404 to %s", (target) => {
    const { rule } = matchingRule(rules, { host: "auth.enclii.dev", target });
    expect(rule).toMatchObject({ hostname: "auth.enclii.dev", service: "http_status:404" });
    expect(rule.path).toBeDefined();
  });

  it.each(PUBLIC_TARGETS)("passes %s to Janua", (target) => {
    const { rule } = matchingRule(rules, { host: "auth.enclii.dev", target });
    expect(rule).toEqual({ hostname: "auth.enclii.dev", service: JANUA });
  });

  it.each([...ADMIN_TARGETS, ...PUBLIC_TARGETS])(
    "serves %s on the admin hostname behind Access",
    (target) => {
      const { rule } = matchingRule(rules, { host: "auth-admin.enclii.dev", target });
      expect(rule).toEqual({
        hostname: "auth-admin.enclii.dev",
        service: JANUA,
        originRequest: {
          httpHostHeader: "auth.enclii.dev",
          access: { required: true, teamName: "enclii", audTags: ["aud-admin"] },
        },
      });
    },
  );

  it("puts every denied path before the public rule, each for the public hostname only", () => {
    const janua = rules.findIndex((r) => r.hostname === "auth.enclii.dev" && r.path === undefined);
    const denied = rules.flatMap((r, i) => (r.service === "http_status:404" && r.hostname ? [i] : []));
    expect(denied).toHaveLength(Object.keys(JANUA_DENIED_PATHS).length);
    expect(Math.max(...denied)).toBeLessThan(janua);
    expect(rules.filter((r) => r.hostname === "auth.enclii.dev" && r.path).map((r) => r.path)).toEqual(
      Object.values(JANUA_DENIED_PATHS),
    );
    // The TCP routes join before the catch-all without dropping the denied paths.
    expect(rules.at(-1)).toEqual(CATCH_ALL);
    expect(rules.at(-2)).toEqual({ hostname: "kube-tunnel.enclii.dev", service: "tcp://10.0.0.2:6443" });
  });

  it("would let the admin paths through with an unanchored or missing rule (the test can fail)", () => {
    const withoutDenied = rules.filter((r) => r.path === undefined);
    const { rule } = matchingRule(withoutDenied, { host: "auth.enclii.dev", target: "/api/v1/admin/stats" });
    expect(rule.service).toBe(JANUA);
  });
});

describe("Janua's admin hostname", () => {
  it("is <first label>-admin in the same zone", () => {
    expect(januaAdminHostname("auth.enclii.dev")).toBe("auth-admin.enclii.dev");
    expect(januaAdminHostname("auth-acme.enclii.dev")).toBe("auth-acme-admin.enclii.dev");
    expect(() => januaAdminHostname("localhost")).toThrow("Janua hostname localhost: needs a domain");
  });

  it("refuses a denied path cloudflared could not compile the same way", () => {
    const [route] = januaRoutes("auth.enclii.dev", "janua");
    const bad = {
      ...route,
      hostname: "auth.enclii.dev",
      service: JANUA,
      deniedPaths: ["(?P<x>a)", "\\Aadmin", "("],
    };
    expect(() => renderIngress([bad], { zone: "enclii.dev" })).toThrow(
      "route auth.enclii.dev: denied path (?P<x>a) is no valid pattern: only a leading (?i) flag group",
    );
  });
});
