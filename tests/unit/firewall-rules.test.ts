/**
 * Renderer tests, each named by the upstream behaviour it encodes:
 * - community.hrobot (github.com/ansible-collections/community.hrobot, main):
 *   CHANGELOG.md v1.8.0 "Major Changes" and issue #75 (no output rules = empty output list =
 *   every outgoing packet blocked); plugins/modules/firewall.py lines 94-98 (rule name
 *   characters), 100-104 (ip_version omitted = both families), 235-241 (ICMPv6 cannot be
 *   filtered), 258-260 (accept-all output rule).
 * - docs.hetzner.com/robot/dedicated-server/firewall, "Firewall rules": 10 rules per direction,
 *   names without special characters.
 * - REFERENCE.md "k3s/flannel masquerade": `--random-fully` picks source ports in 1024-65535.
 */
import { describe, expect, it } from "vitest";
import { adminCidrProblems, canonicalCidr, parseCidr } from "../../components/hetzner/admin-cidrs";
import {
  ROBOT_FIXED_INPUT_RULES,
  ROBOT_MAX_ADMIN_CIDRS,
  ROBOT_MAX_RULES,
  ROBOT_RULE_NAME,
  renderHcloudFirewallRules,
  renderRobotFirewall,
  robotRuleCount,
  robotRuleNameProblem,
} from "../../components/hetzner/firewall-rules";
import { evaluateRobotFirewall, type Packet } from "../../components/hetzner/robot-firewall-eval";

const WORLD = ["0.0.0.0/0", "::/0"];

describe("Robot firewall rules", () => {
  const fw = renderRobotFirewall(["198.51.100.0/24", "2001:db8:100::/48"]);

  it("accepts SSH and the API only from the admin CIDRs, with the right IP version", () => {
    const admin = fw.rules.input.filter((r) => r.dst_port === "22" || r.dst_port === "6443");
    expect(admin).toEqual([
      {
        name: "ssh admin a",
        ip_version: "ipv4",
        protocol: "tcp",
        src_ip: "198.51.100.0/24",
        dst_port: "22",
        action: "accept",
      },
      {
        name: "kube-api admin a",
        ip_version: "ipv4",
        protocol: "tcp",
        src_ip: "198.51.100.0/24",
        dst_port: "6443",
        action: "accept",
      },
      {
        name: "ssh admin b",
        ip_version: "ipv6",
        protocol: "tcp",
        src_ip: "2001:db8:100::/48",
        dst_port: "22",
        action: "accept",
      },
      {
        name: "kube-api admin b",
        ip_version: "ipv6",
        protocol: "tcp",
        src_ip: "2001:db8:100::/48",
        dst_port: "6443",
        action: "accept",
      },
    ]);
  });

  // REFERENCE.md "k3s/flannel masquerade": with --random-fully a masqueraded pod connection
  // leaves from any source port in 1024-65535; a stateless firewall must let its answers in.
  it("accepts replies to masqueraded ports from 1024", () => {
    const replies = fw.rules.input.filter((r) => r.action === "accept" && !r.src_ip && r.protocol !== "icmp");
    expect(replies).toEqual([
      {
        name: "tcp replies ipv four",
        ip_version: "ipv4",
        protocol: "tcp",
        dst_port: "1024-65535",
        tcp_flags: "ack",
        action: "accept",
      },
      {
        name: "udp replies ipv four",
        ip_version: "ipv4",
        protocol: "udp",
        dst_port: "1024-65535",
        action: "accept",
      },
      {
        name: "tcp replies ipv six",
        ip_version: "ipv6",
        protocol: "tcp",
        dst_port: "1024-65535",
        tcp_flags: "ack",
        action: "accept",
      },
      {
        name: "udp replies ipv six",
        ip_version: "ipv6",
        protocol: "udp",
        dst_port: "1024-65535",
        action: "accept",
      },
    ]);
    // Robot firewall, stateless and first match wins: the answer to a pod's connection that
    // flannel masqueraded to source port 20000 comes back to port 20000.
    const reply: Packet = {
      direction: "input",
      protocol: "tcp",
      src_ip: "151.101.2.132",
      src_port: 443,
      dst_ip: "203.0.113.10",
      dst_port: 20000,
      tcp_flags: ["syn", "ack"],
    };
    expect(evaluateRobotFirewall(fw, reply).action).toBe("accept");
  });

  // The reply range holds flannel's VXLAN port 8472; a packet to it from the internet would be
  // decapsulated into the pod network. Robot applies the first matching rule.
  it("discards VXLAN (8472/udp) from the internet before the UDP reply rule", () => {
    const onServer = renderRobotFirewall(["198.51.100.0/24"], { serverIpv4: "203.0.113.10" });
    const discard = onServer.rules.input.findIndex((r) => r.dst_port === "8472");
    const udpReplies = onServer.rules.input.findIndex((r) => r.name === "udp replies ipv four");
    expect(onServer.rules.input[discard]).toMatchObject({ action: "discard", dst_ip: "203.0.113.10/32" });
    expect(discard).toBeLessThan(udpReplies);
    const vxlan: Packet = {
      direction: "input",
      protocol: "udp",
      src_ip: "192.0.2.66",
      src_port: 40000,
      dst_ip: "203.0.113.10",
      dst_port: 8472,
    };
    expect(evaluateRobotFirewall(onServer, vxlan).action).toBe("discard");
  });

  // community.hrobot firewall.py lines 235-241: "it is not possible to disable ICMP for IPv6"
  // (robot.hetzner.com/doc/webservice/en.html#post-firewall-server-id); a rule for it wastes a slot.
  it("has no ICMPv6 rule, since Robot cannot filter ICMPv6", () => {
    const icmp = fw.rules.input.filter((r) => r.protocol === "icmp");
    expect(icmp).toEqual([{ name: "icmp ipv four", ip_version: "ipv4", protocol: "icmp", action: "accept" }]);
  });

  // community.hrobot CHANGELOG.md v1.8.0 and issue #75: a POST without output rules sets the
  // output list empty, which blocks everything the server sends; firewall.py lines 258-260
  // send one accept rule without ip_version (lines 100-104: omitted = IPv4 and IPv6).
  it("sends an accept-all output rule, since Robot blocks output without one", () => {
    expect(fw.rules.output).toEqual([{ name: "accept all out", action: "accept" }]);
    for (const dst_ip of ["1.1.1.1", "2606:4700:4700::1111"]) {
      const out: Packet = {
        direction: "output",
        protocol: "udp",
        src_ip: "203.0.113.10",
        dst_ip,
        dst_port: 53,
      };
      expect(evaluateRobotFirewall(fw, out).action).toBe("accept");
      expect(evaluateRobotFirewall({ ...fw, rules: { ...fw.rules, output: [] } }, out).action).toBe(
        "discard",
      );
    }
  });

  // community.hrobot firewall.py lines 94-98 (letters, space, . - + _ @) and REFERENCE.md
  // (letters, digits, spaces, - and _): the renderer keeps to what both allow.
  it("refuses a rule name Robot rejects", () => {
    expect(robotRuleNameProblem("ssh 198.51.100.0/24")).toBe(
      'Robot firewall rule name "ssh 198.51.100.0/24" may hold only letters, spaces, "-" and "_" (1-64 characters)',
    );
    expect(robotRuleNameProblem("Allow ICMP protocol, so you can ping")).toBeDefined();
    expect(robotRuleNameProblem("")).toBeDefined();
    expect(robotRuleNameProblem("kube-api admin_b")).toBeUndefined();
    for (const rule of [...fw.rules.input, ...fw.rules.output]) expect(rule.name).toMatch(ROBOT_RULE_NAME);
  });

  it("never opens 80/443 and never opens SSH or the API to the world", () => {
    for (const rule of fw.rules.input) {
      expect(["80", "443"]).not.toContain(rule.dst_port);
      if (rule.dst_port === "22" || rule.dst_port === "6443") expect(WORLD).not.toContain(rule.src_ip);
    }
  });

  it("filters IPv6 too and keeps Hetzner's own services allowed", () => {
    expect(fw).toMatchObject({ status: "active", filter_ipv6: true, whitelist_hos: true, port: "main" });
  });

  // docs.hetzner.com/robot/dedicated-server/firewall: "a maximum of 10 rules per direction".
  // Fixed: ICMP (IPv4 only), the VXLAN discard, TCP and UDP replies per family = 6; 2 per CIDR.
  it("fits the 10-rule budget with 2 admin CIDRs and refuses a third before any call", () => {
    expect(ROBOT_FIXED_INPUT_RULES).toBe(6);
    expect(fw.rules.input).toHaveLength(ROBOT_MAX_RULES);
    expect(fw.rules.output.length).toBeLessThanOrEqual(ROBOT_MAX_RULES);
    expect(ROBOT_MAX_ADMIN_CIDRS).toBe(2);
    expect(robotRuleCount(["a", "b", "c"])).toBe(12);
    expect(() => renderRobotFirewall(["198.51.100.0/24", "192.0.2.0/24", "203.0.113.0/24"])).toThrow(
      "adminCidrs: the Robot firewall holds 10 input rules; 6 are fixed and each CIDR takes 2 (SSH, API), so list at most 2 CIDRs (got 3)",
    );
  });

  it("fails when an admin CIDR is the whole internet, or when there is none", () => {
    expect(() => renderRobotFirewall(["0.0.0.0/0"])).toThrow(
      "adminCidrs[0]: opens SSH and the Kubernetes API to the whole internet: 0.0.0.0/0 covers all of IPv4",
    );
    expect(() => renderRobotFirewall(["::/0"])).toThrow("::/0 covers all of IPv6");
    expect(() => renderRobotFirewall([])).toThrow("at least one CIDR");
  });
});

describe("wide admin CIDRs", () => {
  it("fails when an admin CIDR is wider than /16 (IPv4) or /32 (IPv6) without allowWideCidrs", () => {
    expect(() => renderRobotFirewall(["10.0.0.0/8"])).toThrow(
      "adminCidrs[0]: 10.0.0.0/8 is wider than /16; list a narrower office or VPN range, or set access.allowWideCidrs: true",
    );
    expect(() => renderRobotFirewall(["198.51.100.0/24", "2001:db8::/31"])).toThrow(
      "adminCidrs[1]: 2001:db8::/31 is wider than /32",
    );
    expect(() => renderHcloudFirewallRules(["0.0.0.0/1"])).toThrow("0.0.0.0/1 is wider than /16");
  });

  it("accepts /16 and /32 exactly, and wider prefixes once allowWideCidrs acknowledges them", () => {
    expect(() => renderRobotFirewall(["172.16.0.0/16", "2001:db8::/32"])).not.toThrow();
    const wide = renderRobotFirewall(["10.0.0.0/8"], { allowWideCidrs: true });
    expect(wide.rules.input[0]).toMatchObject({ src_ip: "10.0.0.0/8", dst_port: "22" });
    expect(renderHcloudFirewallRules(["0.0.0.0/1"], { allowWideCidrs: true })[0]?.sourceIps).toEqual([
      "0.0.0.0/1",
    ]);
  });

  it("fails when CIDRs together cover the whole internet, even with allowWideCidrs", () => {
    for (const allowWideCidrs of [false, true]) {
      expect(() => renderRobotFirewall(["0.0.0.0/1", "128.0.0.0/1"], { allowWideCidrs })).toThrow(
        "adminCidrs[0]: opens SSH and the Kubernetes API to the whole internet: 0.0.0.0/1 + 128.0.0.0/1 together cover all of IPv4",
      );
      expect(() => renderHcloudFirewallRules(["::/1", "8000::/1"], { allowWideCidrs })).toThrow(
        "::/1 + 8000::/1 together cover all of IPv6",
      );
      expect(() => renderHcloudFirewallRules(["0.0.0.0/0"], { allowWideCidrs })).toThrow(
        "covers all of IPv4",
      );
    }
    // A gap anywhere is not the world: the wide rule applies instead.
    expect(() =>
      renderHcloudFirewallRules(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3"], { allowWideCidrs: true }),
    ).not.toThrow();
  });

  it("parses CIDRs to their first and last address", () => {
    expect(parseCidr("198.51.100.7/24")).toEqual({
      family: 4,
      prefix: 24,
      first: 3325256704n,
      last: 3325256959n,
    });
    expect(parseCidr("2001:db8::/32")?.last).toBe((0x20010db8n << 96n) | ((1n << 96n) - 1n));
    expect(parseCidr("::ffff:192.0.2.1/128")?.first).toBe(0xffffc0000201n);
    expect(parseCidr("198.51.100.0/33")).toBeUndefined();
    expect(parseCidr("not-a-cidr")).toBeUndefined();
  });

  // community.hrobot plugins/modules/firewall.py normalize_ip (lines 501-512): Robot's rules are
  // compared as text, so the plan must write a CIDR the way the firewall stores it.
  it("refuses a CIDR with host bits set, flag or not, and names its canonical network", () => {
    expect(canonicalCidr("198.51.100.7/24")).toBe("198.51.100.0/24");
    expect(canonicalCidr("2001:0DB8:0100:0000::/48")).toBe("2001:db8:100::/48");
    expect(canonicalCidr("2001:db8:0:0:1:0:0:1/128")).toBe("2001:db8::1:0:0:1/128");
    for (const allowWideCidrs of [false, true]) {
      expect(adminCidrProblems(["198.51.100.7/24"], { allowWideCidrs })).toEqual([
        {
          index: 0,
          kind: "host-bits",
          message:
            "198.51.100.7/24 has host bits set past /24; write its network 198.51.100.0/24 (or 198.51.100.7/32 for the one address), since the firewall would store 198.51.100.0/24 and the plan would differ from it on every run",
        },
      ]);
    }
    expect(() => renderRobotFirewall(["198.51.100.7/24"])).toThrow("has host bits set past /24");
    expect(adminCidrProblems(["198.51.100.0/24", "198.51.100.7/32", "2001:db8:100::/48"])).toEqual([]);
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
    expect(() => renderHcloudFirewallRules(["198.51.100.0/24", "::/0"])).toThrow(
      "adminCidrs[1]: opens SSH and the Kubernetes API to the whole internet: ::/0 covers all of IPv6",
    );
  });
});
