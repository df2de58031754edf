/**
 * The real cloudflared on the tunnel ingress rules both committed stacks render (platform and
 * tenant hostnames, Janua's denied paths, TCP routes, the catch-all): `tunnel ingress validate`
 * accepts them with no unused key, and for every hostname `tunnel ingress rule <url>` picks the
 * rule components/edge/ingress-eval.ts predicts, so the model the other tests evaluate the tunnel
 * with is checked against cloudflared itself (cloudflare/cloudflared 2026.8.2,
 * cmd/cloudflared/tunnel/ingress_subcommands.go 82-144, ingress/ingress.go 41-76 and 245-384,
 * ingress/rule.go 55-68; tests/helpers/cloudflared.ts).
 */
import { beforeAll, describe, expect, it } from "vitest";
import { matchingRule } from "../../components/edge/ingress-eval";
import type { IngressRule } from "../../components/edge/routes";
import { type Cloudflared, cloudflaredOn, mapLimit, matchedRule } from "../helpers/cloudflared";
import { planCommittedStacks, STACKS } from "../helpers/plan-cli";
import { requireTool } from "../helpers/tools";

const TUNNEL_CONFIG = "cloudflare:index/zeroTrustTunnelCloudflaredConfig:ZeroTrustTunnelCloudflaredConfig";

/** Paths every hostname is probed with. */
const COMMON_PATHS = ["/", "/health", "/.well-known/openid-configuration", "/a%2Fb?c=d#e", "/x/api/v1/admin"];

/**
 * A denied path rule's literal prefix: the program renders denied prefixes as `(?i)^` and the
 * path with every `/` as `/+` (components/auth/janua-routes.ts `prefix`). Another shape fails the
 * test: it needs probes of its own.
 */
function deniedPrefix(pattern: string): string {
  const m = /^\(\?i\)\^((?:\/\+[A-Za-z0-9._-]+)+)$/.exec(pattern);
  if (!m) throw new Error(`denied path ${pattern}: not a (?i)^/+a/+b prefix; give this test probes for it`);
  return (m[1] as string).replaceAll("/+", "/");
}

/** Probes around one denied prefix: matching spellings and near misses. */
function deniedProbes(prefix: string): string[] {
  const last = prefix.lastIndexOf("/");
  return [
    prefix,
    `${prefix}/`,
    `${prefix}/x?y=1`,
    prefix.toUpperCase(),
    prefix.replaceAll("/", "//"),
    // An escaped slash inside the prefix (decoded before matching).
    ...(last > 0 ? [`${prefix.slice(0, last)}%2F${prefix.slice(last + 1)}/z`] : []),
    `${prefix}more`,
    prefix.slice(0, -1),
    `/x${prefix}`,
  ];
}

/** Every URL one stack's rules are probed with. */
function probeUrls(rules: readonly IngressRule<unknown>[]): { host: string; target: string }[] {
  const hosts = [...new Set(rules.flatMap((r) => (r.hostname === undefined ? [] : [r.hostname])))];
  const probes: { host: string; target: string }[] = [];
  for (const host of hosts) {
    const denied = rules.filter((r) => r.hostname === host && r.path !== undefined);
    const paths = [...COMMON_PATHS, ...denied.flatMap((r) => deniedProbes(deniedPrefix(r.path as string)))];
    for (const target of paths) probes.push({ host, target });
    // Hostnames compare exactly: another case, a subdomain and a port.
    probes.push({ host: host.toUpperCase(), target: "/" }, { host: `x.${host}`, target: "/" });
    probes.push({ host: `${host}:443`, target: "/" });
  }
  probes.push({ host: "unknown.invalid", target: "/" });
  return probes;
}

const planOf = planCommittedStacks();

describe.each(STACKS)("cloudflared on the %s tunnel ingress", (stack) => {
  let rules: IngressRule<unknown>[];

  beforeAll(() => {
    const config = planOf(stack).resources.find((r) => r.type === TUNNEL_CONFIG);
    if (config === undefined) throw new Error(`${stack}: the plan has no tunnel configuration`);
    rules = (config.inputs.config as { ingresses: IngressRule<unknown>[] }).ingresses;
  });

  /** cloudflared on `ruleSet` (the stack's rules unless given), or a skip with the build command. */
  const on = (ctx: { skip(note?: string): void }, ruleSet?: IngressRule<unknown>[]): Cloudflared =>
    cloudflaredOn(requireTool("cloudflared", ctx), ruleSet ?? rules);

  it("accepts the rendered rules with `tunnel ingress validate`, every key understood", async (ctx) => {
    const cloudflared = on(ctx);
    const result = await cloudflared.ingress(["validate"]);
    expect(result.code, result.stderr).toBe(0);
    // "OK" only when no key went unused (ingress_subcommands.go 94-99).
    expect(result.stdout.trim().split("\n")).toEqual([
      `Validating rules from ${cloudflared.configPath}`,
      "OK",
    ]);
  });

  it("rejects the rules without the catch-all last, so validate can fail", async (ctx) => {
    const broken = on(ctx, rules.slice(0, -1));
    const result = await broken.ingress(["validate"]);
    expect(result.code).not.toBe(0);
    expect(result.stderr).toContain("The last ingress rule must match all URLs");
  });

  it("picks the rule ingress-eval predicts for every hostname, its denied paths and the catch-all", async (ctx) => {
    const cloudflared = on(ctx);
    const probes = probeUrls(rules);
    const picked = await mapLimit(probes, 4, async ({ host, target }) => {
      const url = `https://${host}${target}`;
      const result = await cloudflared.ingress(["rule", url]);
      expect(result.code, `${url}: ${result.stderr}`).toBe(0);
      const predicted = matchingRule(rules, { host, target });
      const printed = matchedRule(result.stdout);
      return { url, index: printed.index, service: printed.service, predicted: predicted.index };
    });
    expect(picked.filter((p) => p.index !== p.predicted)).toEqual([]);
    // The service it printed is that rule's (ingress/rule.go MultiLineString).
    expect(picked.filter((p) => p.service !== rules[p.index]?.service)).toEqual([]);
    // Every rule is some probe's answer: the probes reach each hostname, denied path and the catch-all.
    const reached = new Set(picked.map((p) => p.index));
    expect(rules.map((_, i) => i).filter((i) => !reached.has(i))).toEqual([]);
  });
});
