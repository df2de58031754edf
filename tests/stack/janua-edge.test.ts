/**
 * Janua on the edge, in both committed programs: the recorded tunnel configuration, evaluated with
 * the model of cloudflared's rule matching (components/edge/ingress-eval.ts, from
 * cloudflare/cloudflared 2026.8.2 ingress/rule.go and ingress/ingress.go), keeps every Janua's
 * admin and internal paths off its public hostname; the admin hostnames are Access applications
 * that admit the tunnel's service token; and every Janua API resource calls an admin hostname with
 * that token, kept secret.
 */
import { beforeAll, describe, expect, it } from "vitest";
import { JANUA_DENIED_PATHS } from "../../components/auth/janua-routes";
import { matchingRule } from "../../components/edge/ingress-eval";
import type { IngressRule } from "../../components/edge/routes";
import type { PlanResource } from "../../scripts/lib/plan-document";
import type { Recorder } from "../helpers/mocks";
import { planCommittedStacks, STACKS } from "../helpers/plan-cli";
import { runStackProgram } from "../helpers/program";

// biome-ignore lint/suspicious/noExplicitAny: reading arbitrary resource inputs
type Obj = Record<string, any>;

const TUNNEL_CONFIG = "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig";
const ACCESS_APP = "cloudflare:index/zeroTrustAccessApplication:ZeroTrustAccessApplication";
const ACCESS_POLICY = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy";
const SERVICE_TOKEN = "cloudflare:index/zeroTrustAccessServiceToken:ZeroTrustAccessServiceToken";
const JANUA_RESOURCES = [
  "pulumi-nodejs:dynamic/enclii:JanuaOAuthClient",
  "pulumi-nodejs:dynamic/enclii:JanuaOrganization",
];

/** Public Janua hostnames of each stack and the namespace each one's Service lives in. */
const JANUAS = {
  production: { "auth.enclii.dev": "janua", "auth-globex.enclii.dev": "janua-globex" },
  staging: { "auth.staging.enclii.dev": "janua", "auth-qa.staging.enclii.dev": "janua-qa" },
} as const;

const admin = (host: string) => host.replace(/^([^.]+)\./, "$1-admin.");

const DENIED = [
  "/api/v1/admin/organizations?page=1",
  "/api/v1/admin/",
  "//api/v1/admin/stats",
  "/api/v1/admin%2Fusers",
  "/API/V1/ADMIN/CONFIG",
  "/api/v1/oauth/clients/register",
  "/api/v1/oauth/clients/register/",
  "/api/v1/oauth//clients/register",
  "/api/v1/oauth%2Fclients%2Fregister",
  "/Api/V1/OAuth/Clients/Register?x=y",
  "/api/v1/oauth/clients",
  "/api/v1/oauth/clients/admin/all",
  "/api/v1/internal/email/send",
  "/internal/organizations/x/tier",
  "/metrics",
  "/metrics/",
  "/Metrics?format=prometheus",
  "/metrics/scalability",
];
const PUBLIC = [
  "/.well-known/openid-configuration",
  "/.well-known/jwks.json",
  "/api/v1/oauth/authorize?response_type=code&client_id=jnc_x",
  "/api/v1/oauth/token",
  "/api/v1/oauth/userinfo",
  "/api/v1/auth/signin",
  "/health",
];

const planOf = planCommittedStacks();

describe.each(STACKS)("Janua on the edge, %s plan", (stack) => {
  const get = (type: string, name: string): PlanResource => {
    const found = planOf(stack).resources.find((r) => r.type === type && r.name === name);
    expect(found, `${type} ${name}`).toBeDefined();
    return found as PlanResource;
  };
  const rules = () => (get(TUNNEL_CONFIG, "tunnel-config").inputs.config as Obj).ingresses as IngressRule[];

  it("answers cloudflared's 404 to every admin and internal path on every public Janua hostname", () => {
    for (const host of Object.keys(JANUAS[stack])) {
      for (const target of DENIED) {
        const { rule } = matchingRule(rules(), { host, target });
        expect(rule, `${host}${target}`).toMatchObject({ hostname: host, service: "http_status:404" });
      }
    }
  });

  it("passes the public OIDC and sign-in paths to that Janua's Service, without Access", () => {
    for (const [host, namespace] of Object.entries(JANUAS[stack])) {
      for (const target of PUBLIC) {
        const { rule } = matchingRule(rules(), { host, target });
        expect(rule, `${host}${target}`).toEqual({
          hostname: host,
          service: `http://janua.${namespace}.svc.cluster.local:80`,
        });
      }
    }
  });

  it("serves every path of the same Service on the admin hostname, checked by cloudflared's Access validator", () => {
    for (const [host, namespace] of Object.entries(JANUAS[stack])) {
      for (const target of [...DENIED, ...PUBLIC]) {
        const { rule } = matchingRule(rules(), { host: admin(host), target });
        expect(rule, `${admin(host)}${target}`).toMatchObject({
          hostname: admin(host),
          service: `http://janua.${namespace}.svc.cluster.local:80`,
          originRequest: { httpHostHeader: host, access: { required: true, teamName: "enclii" } },
        });
      }
    }
    // One denied rule per prefix and Janua, nowhere else.
    const denied = rules().filter((r) => r.path !== undefined);
    expect(denied).toHaveLength(Object.keys(JANUAS[stack]).length * Object.keys(JANUA_DENIED_PATHS).length);
  });

  it("puts each admin hostname behind an Access application that admits the tunnel's service token first", () => {
    const token = get(SERVICE_TOKEN, "tunnel-ci-token");
    for (const host of Object.keys(JANUAS[stack])) {
      const app = get(ACCESS_APP, `tunnel-access-${admin(host)}-app`);
      expect(app.inputs).toMatchObject({
        type: "self_hosted",
        domain: admin(host),
        appLauncherVisible: false,
      });
      const tokenPolicy = get(ACCESS_POLICY, `tunnel-access-${admin(host)}-service-token-policy`);
      expect(tokenPolicy.inputs).toMatchObject({ decision: "non_identity" });
      expect(tokenPolicy.dependencies).toContain(token.urn);
      expect((app.inputs.policies as Obj[])[0]).toMatchObject({ precedence: 1 });
      expect(get(TUNNEL_CONFIG, "tunnel-config").dependencies).toContain(app.urn);
    }
  });

  it("keeps every Janua API resource's connection secret in the plan", () => {
    const calls = planOf(stack).resources.filter((r) => JANUA_RESOURCES.includes(r.type));
    expect(calls.length).toBeGreaterThan(0);
    for (const r of calls) expect(r.inputs.connection, r.name).toBe("[secret]");
  });
});

describe("the production program's Janua API resources", () => {
  let recorder: Recorder;
  beforeAll(async () => {
    recorder = await runStackProgram("production");
  });

  it("call Janua on an admin hostname with the tunnel's service token, never in clear in the inputs", () => {
    const calls = recorder.resources.filter((r) => JANUA_RESOURCES.includes(r.type));
    expect(calls.length).toBeGreaterThan(0);
    const admins = new Set(Object.keys(JANUAS.production).map((h) => `https://${admin(h)}`));
    for (const r of calls) {
      const connection = r.rawInputs.connection as Obj;
      expect(admins.has(connection.baseUrl), `${r.name}: ${connection.baseUrl}`).toBe(true);
      // The service token's outputs (mock shapes of Cloudflare's: `<32 hex>.access`, 64 hex).
      expect(connection.accessClientId).toMatch(/^[0-9a-f]{32}\.access$/);
      expect(connection.accessClientSecret).toMatch(/^[0-9a-f]{64}$/);
      expect(r.inputs.connection).toBe("[secret]");
      expect(JSON.stringify(r.inputs)).not.toContain(String(connection.accessClientSecret));
    }
    // The dedicated tenant's resources call the dedicated Janua's admin hostname.
    const dedicated = calls.filter(
      (r) => (r.rawInputs.connection as Obj).baseUrl === "https://auth-globex-admin.enclii.dev",
    );
    expect(dedicated.map((r) => r.rawInputs.clientKey)).toEqual(["tenant-globex"]);
  });
});
