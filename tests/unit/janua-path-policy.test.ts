/**
 * The policy cloudflare-tunnel-require-janua-denied-paths on rendered tunnel configurations: the
 * configuration januaRoutes renders passes, and each way of reopening Janua's admin paths on a
 * public hostname is one violation naming the hostname and the paths.
 */
import type { ResourceValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { januaRoutes } from "../../components/auth/janua-routes";
import { type IngressRule, renderIngress, withAccessChecks } from "../../components/edge/routes";
import { POLICIES } from "../../policies/policy-list";

const TYPE = "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig";
const NAME = "cloudflare-tunnel-require-janua-denied-paths";

function run(ingresses: IngressRule<string>[]): string[] {
  const policy = POLICIES.find((p) => p.name === NAME) as ResourceValidationPolicy;
  const messages: string[] = [];
  const validate = policy.validateResource as unknown as (a: unknown, r: (m: string) => void) => void;
  validate(
    {
      type: TYPE,
      props: { config: { ingresses } },
      urn: "urn:x",
      name: "tunnel-config",
      opts: {},
      getConfig: () => ({}),
    },
    (m) => messages.push(m),
  );
  return messages;
}

const rendered = () =>
  withAccessChecks(
    renderIngress(
      [...januaRoutes("auth.enclii.dev", "janua"), ...januaRoutes("auth-acme.enclii.dev", "janua-acme")],
      {
        zone: "enclii.dev",
      },
    ),
    "enclii",
    (h) => (h.includes("-admin.") ? `aud-${h}` : undefined),
  );

describe("policy cloudflare-tunnel-require-janua-denied-paths", () => {
  it("passes the configuration januaRoutes renders (public hostnames denied, admin hostnames behind Access)", () => {
    expect(run(rendered())).toEqual([]);
  });

  it("fails when a public Janua hostname lost its metrics rule", () => {
    const ingresses = rendered().filter(
      (r) => !(r.hostname === "auth-acme.enclii.dev" && r.path?.includes("metrics")),
    );
    expect(run(ingresses)).toEqual([
      "tunnel route auth-acme.enclii.dev -> http://janua.janua-acme.svc.cluster.local:80 passes Janua's admin and internal paths to Janua without Access: /metrics, /metrics/performance?x=1",
    ]);
  });

  it("fails when the denied paths come after the Janua rule (first match wins)", () => {
    const ingresses = rendered();
    const i = ingresses.findIndex((r) => r.hostname === "auth.enclii.dev" && r.path === undefined);
    const [janua] = ingresses.splice(i, 1);
    ingresses.unshift(janua as IngressRule<string>);
    expect(run(ingresses)).toHaveLength(1);
    expect(run(ingresses)[0]).toContain("tunnel route auth.enclii.dev ->");
  });

  it("fails when the admin hostname loses its Access check", () => {
    const ingresses = rendered().map((r) =>
      r.hostname === "auth-admin.enclii.dev" ? { hostname: r.hostname, service: r.service } : r,
    );
    expect(run(ingresses)).toEqual([
      expect.stringContaining(
        "tunnel route auth-admin.enclii.dev -> http://janua.janua.svc.cluster.local:80 passes",
      ),
    ]);
  });
});
