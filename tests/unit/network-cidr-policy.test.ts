/**
 * network-cidr-forbid-wide-sources: the /16 (IPv4) and /32 (IPv6) rule of
 * components/hetzner/admin-cidrs.ts on every firewall rule the admin-port policies do not judge,
 * and on Cloudflare Access policies. Passing fixtures are what the components render.
 */
import { describe, expect, it } from "vitest";
import { accessPolicyArgs, serviceTokenPolicyArgs } from "../../components/edge/access";
import { renderHcloudFirewallRules, renderRobotFirewall } from "../../components/hetzner/firewall-rules";
import { runResourcePolicy } from "../helpers/policy-run";

// biome-ignore lint/suspicious/noExplicitAny: fixtures are untyped inputs
type Obj = Record<string, any>;
const POLICY = "network-cidr-forbid-wide-sources";
const HCLOUD = "hcloud:index/firewall:Firewall";
const ROBOT = "pulumi-nodejs:dynamic/enclii:RobotFirewall";
const ACCESS = "cloudflare:index/zeroTrustAccessPolicy:ZeroTrustAccessPolicy";
const ADMIN = ["198.51.100.0/24"];

const hcloud = (extra: Obj[] = []) => ({ name: "f", rules: [...renderHcloudFirewallRules(ADMIN), ...extra] });
const robot = (extra: Obj[] = [], privateNetwork?: { sourceCidr: string; vswitchSubnet: string }) => {
  const fw = renderRobotFirewall(ADMIN, privateNetwork ? { privateNetwork } : {});
  return {
    serverNumber: 1,
    firewall: { ...fw, rules: { ...fw.rules, input: [...extra, ...fw.rules.input] } },
  };
};
const access = (includes: Obj[], decision = "allow") => ({
  ...accessPolicyArgs({
    accountId: "a",
    hostname: "grafana.enclii.dev",
    displayName: "Grafana",
    allowedEmails: ["ops@enclii.dev"],
  }),
  decision,
  includes,
});

describe("network-cidr-forbid-wide-sources on hcloud firewalls", () => {
  it("passes the rendered rules (admin ports and ICMP from anywhere)", () => {
    expect(runResourcePolicy(POLICY, HCLOUD, hcloud())).toEqual([]);
  });

  it("fails when another port is open to a /8", () => {
    const rule = {
      direction: "in",
      protocol: "tcp",
      port: "10250",
      sourceIps: ["10.0.0.0/8"],
      description: "x",
    };
    expect(runResourcePolicy(POLICY, HCLOUD, hcloud([rule]))).toEqual([
      "firewall f: tcp port 10250 is open to 10.0.0.0/8 (wider than /16); restrict it to the hosts that need it",
    ]);
    expect(runResourcePolicy(POLICY, HCLOUD, hcloud([rule]), { config: { allowWideCidrs: true } })).toEqual(
      [],
    );
  });

  it("fails when two halves open a port to the whole internet, even with allowWideCidrs", () => {
    const rule = { direction: "in", protocol: "udp", port: "8472", sourceIps: ["0.0.0.0/1", "128.0.0.0/1"] };
    expect(runResourcePolicy(POLICY, HCLOUD, hcloud([rule]), { config: { allowWideCidrs: true } })).toEqual([
      "firewall f: udp port 8472 is open to the whole internet (0.0.0.0/1 + 128.0.0.0/1); restrict it to the hosts that need it",
    ]);
  });
});

describe("network-cidr-forbid-wide-sources on Robot firewalls", () => {
  it("passes the rendered firewall, the stateless reply rules and the vSwitch rule included", () => {
    expect(runResourcePolicy(POLICY, ROBOT, robot())).toEqual([]);
    expect(
      runResourcePolicy(
        POLICY,
        ROBOT,
        robot([], { sourceCidr: "10.0.0.0/16", vswitchSubnet: "10.0.1.0/24" }),
      ),
    ).toEqual([]);
  });

  it("fails when a rule without src_ip accepts a port from the whole internet", () => {
    const rule = {
      name: "kubelet",
      ip_version: "ipv4",
      protocol: "tcp",
      dst_port: "10250",
      action: "accept",
    };
    expect(runResourcePolicy(POLICY, ROBOT, robot([rule]))).toEqual([
      'Robot firewall of server 1: rule "kubelet" accepts tcp to port 10250 from the whole internet (no src_ip)',
    ]);
  });

  it("fails when a rule accepts a public /12", () => {
    const rule = {
      name: "wide",
      ip_version: "ipv4",
      protocol: "tcp",
      src_ip: "100.64.0.0/10",
      action: "accept",
    };
    expect(runResourcePolicy(POLICY, ROBOT, robot([rule]))).toEqual([
      'Robot firewall of server 1: rule "wide" accepts 100.64.0.0/10 (wider than /16)',
    ]);
  });
});

describe("network-cidr-forbid-wide-sources on Cloudflare Access policies", () => {
  it("passes the admins policy and the CI service token policy the components render", () => {
    const admins = accessPolicyArgs({
      accountId: "a",
      hostname: "grafana.enclii.dev",
      displayName: "Grafana",
      allowedEmails: ["ops@enclii.dev"],
    });
    expect(runResourcePolicy(POLICY, ACCESS, admins as Obj)).toEqual([]);
    const token = serviceTokenPolicyArgs(
      { accountId: "a", hostname: "kube-tunnel.enclii.dev", displayName: "Kube", allowedEmails: [] },
      "token-id",
    );
    expect(runResourcePolicy(POLICY, ACCESS, token as Obj)).toEqual([]);
  });

  it("fails when an allow rule admits a /8 by address", () => {
    expect(runResourcePolicy(POLICY, ACCESS, access([{ ip: { ip: "10.0.0.0/8" } }]))).toEqual([
      "Access policy Grafana: admins: the allow rule admits 10.0.0.0/8 (wider than /16)",
    ]);
  });

  it("fails when a bypass rule admits an IPv6 /16", () => {
    expect(runResourcePolicy(POLICY, ACCESS, access([{ ip: { ip: "2001::/16" } }], "bypass"))).toEqual([
      "Access policy Grafana: admins: the bypass rule admits 2001::/16 (wider than /32)",
    ]);
  });

  it("fails when an allow rule includes everyone", () => {
    expect(runResourcePolicy(POLICY, ACCESS, access([{ everyone: {} }]))).toEqual([
      "Access policy Grafana: admins: the allow rule includes everyone; admit named emails instead",
    ]);
  });

  it("leaves deny rules alone", () => {
    expect(runResourcePolicy(POLICY, ACCESS, access([{ ip: { ip: "0.0.0.0/0" } }], "deny"))).toEqual([]);
  });
});
