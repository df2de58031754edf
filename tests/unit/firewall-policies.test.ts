/**
 * The policy pack's firewall policies: the admin-CIDR rules (wide prefixes need the pack config
 * allowWideCidrs; the whole internet, also as a union, never passes) and the Robot output rule
 * (community.hrobot CHANGELOG.md v1.8.0, issue #75: an empty output list blocks all sending).
 */
import type { PolicyResource, ResourceValidationPolicy } from "@pulumi/policy";
import { describe, expect, it } from "vitest";
import { renderHcloudFirewallRules, renderRobotFirewall } from "../../components/hetzner/firewall-rules";
import { POLICIES } from "../../policies/policy-list";
import { OLD_ROBOT_FIREWALL } from "../helpers/robot-flows";

type Obj = Record<string, unknown>;
const HCLOUD = ["hcloud-firewall-forbid-world-admin-ports", "hcloud:index/firewall:Firewall"] as const;
const ROBOT = ["robot-firewall-require-active", "pulumi-nodejs:dynamic/enclii:RobotFirewall"] as const;

function run([name, type]: readonly [string, string], props: Obj, config: Obj = {}): string[] {
  const policy = POLICIES.find((p) => p.name === name) as ResourceValidationPolicy;
  const messages: string[] = [];
  const args = {
    type,
    props,
    urn: `urn:pulumi:s::p::${type}::r`,
    name: "r",
    opts: {},
    getConfig: () => config,
    isType: () => false,
    asType: () => undefined,
    notApplicable: () => {},
  } as unknown as PolicyResource;
  (policy.validateResource as (a: unknown, r: (m: string) => void) => void)(args, (m) => messages.push(m));
  return messages;
}

const hcloud = (sourceIps: string[]) => ({
  name: "f",
  rules: [{ direction: "in", protocol: "tcp", port: "22", sourceIps }],
});

describe("hcloud-firewall-forbid-world-admin-ports", () => {
  it("passes the rendered rules", () => {
    expect(run(HCLOUD, { name: "f", rules: renderHcloudFirewallRules(["198.51.100.0/24"]) })).toEqual([]);
  });

  it("fails when two halves together open port 22 to the internet, even with allowWideCidrs", () => {
    for (const config of [{}, { allowWideCidrs: true }]) {
      expect(run(HCLOUD, hcloud(["0.0.0.0/1", "128.0.0.0/1"]), config)).toEqual([
        expect.stringContaining("firewall f: port 22 is open to the internet"),
      ]);
    }
  });

  it("fails on a /8 unless the pack config allowWideCidrs acknowledges it", () => {
    expect(run(HCLOUD, hcloud(["10.0.0.0/8"]))).toEqual([
      "firewall f: port 22: 10.0.0.0/8 is wider than /16; list a narrower office or VPN range, or set access.allowWideCidrs: true to acknowledge opening SSH and the Kubernetes API to it",
    ]);
    expect(run(HCLOUD, hcloud(["10.0.0.0/8"]), { allowWideCidrs: true })).toEqual([]);
  });
});

describe("robot-firewall-require-active", () => {
  const good = { serverNumber: 1, firewall: renderRobotFirewall(["198.51.100.0/24"]) };

  it("passes the rendered firewall", () => {
    expect(run(ROBOT, good)).toEqual([]);
  });

  it("fails when the output list is empty, since Robot then blocks everything the server sends", () => {
    expect(run(ROBOT, { serverNumber: 1, firewall: OLD_ROBOT_FIREWALL })).toEqual([
      expect.stringContaining("the output rules discard a TCP connection to 443"),
      expect.stringContaining("the output rules discard a DNS query"),
    ]);
  });

  it("fails when admin rules together cover the internet, and on a wide prefix without allowWideCidrs", () => {
    const rules = (sources: string[]) => ({
      serverNumber: 1,
      firewall: {
        ...good.firewall,
        rules: {
          ...good.firewall.rules,
          input: sources.map((src_ip) => ({
            name: "ssh",
            ip_version: "ipv4",
            protocol: "tcp",
            src_ip,
            dst_port: "22",
            action: "accept",
          })),
        },
      },
    });
    expect(run(ROBOT, rules(["0.0.0.0/1", "128.0.0.0/1"]), { allowWideCidrs: true })).toEqual([
      expect.stringContaining("SSH and the API are open to the internet"),
    ]);
    expect(run(ROBOT, rules(["10.0.0.0/8"]))).toEqual([
      expect.stringContaining("10.0.0.0/8 is wider than /16"),
    ]);
    expect(run(ROBOT, rules(["10.0.0.0/8"]), { allowWideCidrs: true })).toEqual([]);
  });
});
