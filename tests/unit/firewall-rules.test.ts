import { describe, expect, it } from "vitest";
import {
  ROBOT_MAX_ADMIN_CIDRS,
  ROBOT_MAX_RULES,
  renderHcloudFirewallRules,
  renderRobotFirewall,
  robotRuleCount,
} from "../../components/hetzner/firewall-rules";

const WORLD = ["0.0.0.0/0", "::/0"];

describe("Robot firewall rules", () => {
  const fw = renderRobotFirewall(["198.51.100.0/24", "2001:db8:100::/48"]);

  it("accepts SSH and the API only from the admin CIDRs, with the right IP version", () => {
    const admin = fw.rules.input.filter((r) => r.dst_port === "22" || r.dst_port === "6443");
    expect(admin).toEqual([
      {
        name: "ssh 198.51.100.0/24",
        ip_version: "ipv4",
        protocol: "tcp",
        src_ip: "198.51.100.0/24",
        dst_port: "22",
        action: "accept",
      },
      {
        name: "kube-api 198.51.100.0/24",
        ip_version: "ipv4",
        protocol: "tcp",
        src_ip: "198.51.100.0/24",
        dst_port: "6443",
        action: "accept",
      },
      {
        name: "ssh 2001:db8:100::/48",
        ip_version: "ipv6",
        protocol: "tcp",
        src_ip: "2001:db8:100::/48",
        dst_port: "22",
        action: "accept",
      },
      {
        name: "kube-api 2001:db8:100::/48",
        ip_version: "ipv6",
        protocol: "tcp",
        src_ip: "2001:db8:100::/48",
        dst_port: "6443",
        action: "accept",
      },
    ]);
  });

  it("keeps the stateless answers open: ICMP, established TCP (ack) and UDP to ephemeral ports", () => {
    const v4 = fw.rules.input.filter((r) => r.ip_version === "ipv4" && !r.src_ip);
    expect(v4).toEqual([
      { name: "icmp v4", ip_version: "ipv4", protocol: "icmp", action: "accept" },
      {
        name: "tcp established v4",
        ip_version: "ipv4",
        protocol: "tcp",
        dst_port: "32768-65535",
        tcp_flags: "ack",
        action: "accept",
      },
      {
        name: "udp responses v4",
        ip_version: "ipv4",
        protocol: "udp",
        dst_port: "32768-65535",
        action: "accept",
      },
    ]);
  });

  it("never opens 80/443 and never opens SSH or the API to the world", () => {
    for (const rule of fw.rules.input) {
      expect(["80", "443"]).not.toContain(rule.dst_port);
      if (rule.dst_port === "22" || rule.dst_port === "6443") expect(WORLD).not.toContain(rule.src_ip);
    }
  });

  it("filters IPv6 too and keeps Hetzner's own services allowed", () => {
    expect(fw).toMatchObject({ status: "active", filter_ipv6: true, whitelist_hos: true, port: "main" });
    expect(fw.rules.output).toEqual([]);
  });

  it("fits the 10-rule limit with 2 admin CIDRs and refuses a third before any call", () => {
    expect(fw.rules.input).toHaveLength(ROBOT_MAX_RULES);
    expect(ROBOT_MAX_ADMIN_CIDRS).toBe(2);
    expect(robotRuleCount(["a", "b", "c"])).toBe(12);
    expect(() => renderRobotFirewall(["198.51.100.0/24", "192.0.2.0/24", "203.0.113.0/24"])).toThrow(
      "adminCidrs: the Robot firewall holds 10 input rules; 6 are fixed and each CIDR takes 2 (SSH, API), so list at most 2 CIDRs (got 3)",
    );
  });

  it("fails when an admin CIDR is the whole internet, or when there is none", () => {
    expect(() => renderRobotFirewall(["0.0.0.0/0"])).toThrow(
      "0.0.0.0/0 would open SSH and the Kubernetes API to the internet",
    );
    expect(() => renderRobotFirewall(["::/0"])).toThrow("::/0 would open SSH");
    expect(() => renderRobotFirewall([])).toThrow("at least one CIDR");
  });
});

describe("hcloud firewall rules", () => {
  it("opens SSH and the API to the admin CIDRs and ICMP to everyone, nothing else", () => {
    expect(renderHcloudFirewallRules(["198.51.100.0/24"])).toEqual([
      {
        direction: "in",
        protocol: "tcp",
        port: "22",
        sourceIps: ["198.51.100.0/24"],
        description: "ssh from admin CIDRs",
      },
      {
        direction: "in",
        protocol: "tcp",
        port: "6443",
        sourceIps: ["198.51.100.0/24"],
        description: "kube-api from admin CIDRs",
      },
      { direction: "in", protocol: "icmp", sourceIps: WORLD, description: "icmp" },
    ]);
  });

  it("fails on a world-open admin CIDR", () => {
    expect(() => renderHcloudFirewallRules(["198.51.100.0/24", "::/0"])).toThrow("::/0 would open SSH");
  });
});
