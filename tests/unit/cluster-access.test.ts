/**
 * CI's path to SSH and the API: TCP routes through the tunnel behind Access (service token plus
 * admins), cloudflared's egress limited to exactly those node ports, and stable names a runner maps
 * to loopbacks.
 */
import { describe, expect, it } from "vitest";
import { accessApplicationArgs, serviceTokenPolicyArgs } from "../../components/edge/access";
import { renderNetworkPolicies } from "../../components/edge/cloudflared-manifests";
import {
  clusterAccessEndpoints,
  clusterAccessHosts,
  tunnelHostnameOf,
  validateClusterAccess,
} from "../../components/edge/cluster-access";
import { CATCH_ALL, withTcpRoutes } from "../../components/edge/routes";

const nodes = [
  { name: "ax41-1", role: "server" as const, address: "10.0.2.10" },
  { name: "cpx-1", role: "agent" as const, address: "10.0.1.10" },
];
const hosts = clusterAccessHosts({ domain: "enclii.dev", apiHostname: "kube.enclii.dev", nodes });

describe("cluster access routes", () => {
  it("publishes the API of the first server and each node's SSH as TCP services", () => {
    expect(hosts.map((h) => [h.name, h.tunnelHostname, h.loopback, h.port, h.service])).toEqual([
      ["kube.enclii.dev", "kube-tunnel.enclii.dev", "127.0.0.2", 6443, "tcp://10.0.2.10:6443"],
      ["ax41-1.enclii.dev", "ax41-1-tunnel.enclii.dev", "127.0.1.1", 22, "ssh://10.0.2.10:22"],
      ["cpx-1.enclii.dev", "cpx-1-tunnel.enclii.dev", "127.0.1.2", 22, "ssh://10.0.1.10:22"],
    ]);
  });

  // Universal SSL covers one level below the zone (`*.<zone>`): a tunnel hostname stays there, and
  // differs from the stable name, which a runner maps to a loopback (a loop otherwise).
  it("names tunnel routes one level below the zone and never like the stable name", () => {
    for (const h of hosts) {
      expect(h.tunnelHostname).toMatch(/^[a-z0-9-]+\.enclii\.dev$/);
      expect(h.tunnelHostname).not.toBe(h.name);
    }
    expect(tunnelHostnameOf("kube.staging.enclii.dev", "staging.enclii.dev")).toBe(
      "kube-tunnel.staging.enclii.dev",
    );
  });

  // scripts/cluster-access.ts numbers the SSH loopbacks from Pulumi.<stack>.yaml's node order; the
  // clusterAccess output must name the same loopbacks, although the cluster lists dedicated first.
  it("numbers SSH loopbacks in config order and dials the API on the cluster's first server", async () => {
    const { clusterAccess } = await import("../../stacks/edge");
    const { parseStackConfig } = await import("../../stacks/config");
    const { baseProjectConfig, toRawConfig } = await import("../helpers/config-fixtures");
    const project = baseProjectConfig() as { nodes: unknown[]; k3s?: unknown };
    project.nodes = [
      { name: "cpx-1", kind: "cloud", role: "agent", serverType: "cpx31", location: "fsn1" },
      { name: "ax41-1", kind: "dedicated", role: "server", serverNumber: 1, ipv4: "203.0.113.10" },
    ];
    const config = parseStackConfig(toRawConfig(project), "test", { checkSecrets: false });
    // The cluster's order: dedicated first (stacks/nodes.ts).
    const cluster = [
      { name: "ax41-1", role: "server", privateIp: "10.0.2.10" },
      { name: "cpx-1", role: "agent", privateIp: "10.0.1.10" },
    ];
    const routes = clusterAccess(config, cluster, true);
    const endpoints = clusterAccessEndpoints({
      domain: config.domain,
      apiHostname: config.k3s.apiHostname,
      nodeNames: config.nodes.map((n) => n.name),
    });
    expect(
      routes.map(({ name, tunnelHostname, loopback, port }) => ({ name, tunnelHostname, loopback, port })),
    ).toEqual(endpoints);
    expect(routes.map((r) => [r.name, r.loopback, r.service])).toEqual([
      ["kube.enclii.dev", "127.0.0.2", "tcp://10.0.2.10:6443"],
      ["cpx-1.enclii.dev", "127.0.1.1", "ssh://10.0.1.10:22"],
      ["ax41-1.enclii.dev", "127.0.1.2", "ssh://10.0.2.10:22"],
    ]);
  });

  it("derives the same endpoints from the names alone, as a runner does before any credential", () => {
    const endpoints = clusterAccessEndpoints({
      domain: "enclii.dev",
      apiHostname: "kube.enclii.dev",
      nodeNames: ["ax41-1", "cpx-1"],
    });
    expect(endpoints).toEqual(
      hosts.map(({ name, tunnelHostname, loopback, port }) => ({ name, tunnelHostname, loopback, port })),
    );
  });

  it("fails when no server serves the API, a node has no IPv4, or the API name is outside the zone", () => {
    expect(
      validateClusterAccess({
        domain: "enclii.dev",
        apiHostname: "kube.example.com",
        nodes: [{ name: "a", role: "agent", address: "" }],
      }),
    ).toEqual([
      "nodes: no server serves the API",
      "apiHostname: kube.example.com must lie inside enclii.dev (the tunnel routes that zone)",
      'nodes: a needs an IPv4 address for its tunnel route (got "")',
    ]);
  });

  it("keeps the 404 catch-all last after the TCP routes", () => {
    const rules = withTcpRoutes(
      [{ hostname: "auth.enclii.dev", service: "http://janua.janua.svc:80" }, CATCH_ALL],
      [{ hostname: "kube-tunnel.enclii.dev", service: "tcp://10.0.2.10:6443" }],
    );
    expect(rules.map((r) => r.hostname ?? r.service)).toEqual([
      "auth.enclii.dev",
      "kube-tunnel.enclii.dev",
      "http_status:404",
    ]);
  });
});

// cloudflared runs as pods behind the namespace's default-deny: its egress must allow the node
// ports the TCP routes lead to, and nothing else on the nodes.
describe("cloudflared egress to the nodes", () => {
  const policies = renderNetworkPolicies({
    namespace: "cloudflare-tunnel",
    replicas: 2,
    routes: [],
    nodePorts: hosts.map(({ address, port }) => ({ address, port })),
  });
  const nodesPolicy = policies.find(
    (p) => (p.metadata as { name: string }).name === "cloudflared-egress-nodes",
  );

  it("allows exactly SSH on each node and the API on the server, as /32 blocks", () => {
    expect((nodesPolicy?.spec as { egress?: unknown[] } | undefined)?.egress).toEqual([
      { to: [{ ipBlock: { cidr: "10.0.1.10/32" } }], ports: [{ protocol: "TCP", port: 22 }] },
      {
        to: [{ ipBlock: { cidr: "10.0.2.10/32" } }],
        ports: [
          { protocol: "TCP", port: 22 },
          { protocol: "TCP", port: 6443 },
        ],
      },
    ]);
  });

  it("adds no node policy without TCP routes", () => {
    const none = renderNetworkPolicies({ namespace: "cloudflare-tunnel", replicas: 2, routes: [] });
    expect(none.some((p) => (p.metadata as { name: string }).name === "cloudflared-egress-nodes")).toBe(
      false,
    );
  });
});

// @pulumi/cloudflare 6.22 ZeroTrustAccessPolicyArgs: decision "non_identity" (the API value; the
// SDK's doc string renders it "nonIdentity"), includes[].serviceToken.tokenId.
describe("Access for the TCP routes", () => {
  const args = {
    accountId: "acc",
    hostname: "kube-tunnel.enclii.dev",
    displayName: "kube-tunnel (production)",
    allowedEmails: ["ops@enclii.dev"],
    serviceTokenId: "token-id",
  };

  it("admits the CI service token by a non_identity policy that includes only that token", () => {
    expect(serviceTokenPolicyArgs(args, "token-id")).toEqual({
      accountId: "acc",
      name: "kube-tunnel (production): CI service token",
      decision: "non_identity",
      includes: [{ serviceToken: { tokenId: "token-id" } }],
    });
  });

  it("keeps the TCP apps out of the App Launcher (no web page behind them) and the admin UIs in it", () => {
    expect(accessApplicationArgs(args, ["p"]).appLauncherVisible).toBe(false);
    const { serviceTokenId: _token, ...grafana } = { ...args, hostname: "grafana.enclii.dev" };
    expect(accessApplicationArgs(grafana, ["p"]).appLauncherVisible).toBe(true);
  });

  // A 302 to the login path is what makes cloudflared offer the browser login an admin's
  // workstation uses (cloudflare/cloudflared carrier/carrier.go IsAccessResponse); CI's wait on a
  // rejected token is bounded by scripts/ci/cluster-tunnel.sh's probes instead.
  it("keeps serviceAuth401Redirect off, so an admin's cloudflared access tcp still gets the login redirect", () => {
    expect(accessApplicationArgs(args, ["p"]).serviceAuth401Redirect).toBe(false);
  });

  it("attaches the token policy first and the admins' second", () => {
    expect(accessApplicationArgs(args, ["p-token", "p-admins"]).policies).toEqual([
      { id: "p-token", precedence: 1 },
      { id: "p-admins", precedence: 2 },
    ]);
  });
});
