/**
 * The Robot firewall model (components/hetzner/robot-firewall-eval.ts) and the traffic of a
 * node through the rendered rules. Semantics cited per test:
 * - docs.hetzner.com/robot/dedicated-server/firewall ("Introduction", "Firewall rules"):
 *   stateless, per direction, first matching rule decides, unmatched traffic discarded,
 *   IPv6 filtered only with filter_ipv6.
 * - community.hrobot plugins/modules/firewall.py: ip_version omitted = both (lines 100-104),
 *   tcp_flags with | and & (lines 128-134), ICMPv6 never filtered (lines 240-241),
 *   normalize_ip (lines 501-511); CHANGELOG.md v1.8.0 / issue #75 (empty output = no output).
 */
import { describe, expect, it } from "vitest";
import { renderRobotFirewall } from "../../components/hetzner/firewall-rules";
import {
  evaluateRobotFirewall,
  type Packet,
  type StoredFirewall,
  type StoredRule,
} from "../../components/hetzner/robot-firewall-eval";
import { ADMIN_IPV4, OLD_ROBOT_FIREWALL, SERVER_FLOWS, SERVER_IPV4 } from "../helpers/robot-flows";

const fw = (input: StoredRule[], output: StoredRule[] = [], extra: Partial<StoredFirewall> = {}) =>
  ({ status: "active", filter_ipv6: true, rules: { input, output }, ...extra }) as StoredFirewall;
const packet = (p: Partial<Packet>): Packet => ({
  direction: "input",
  protocol: "tcp",
  src_ip: "192.0.2.1",
  src_port: 40000,
  dst_ip: SERVER_IPV4,
  dst_port: 22,
  tcp_flags: ["syn"],
  ...p,
});

describe("Robot firewall semantics", () => {
  it("applies the first matching rule and discards what no rule matches", () => {
    const rules: StoredRule[] = [
      { name: "no ssh", protocol: "tcp", ip_version: "ipv4", dst_port: "22", action: "discard" },
      { name: "all", action: "accept" },
    ];
    expect(evaluateRobotFirewall(fw(rules), packet({}))).toEqual({ action: "discard", reason: "no ssh" });
    expect(evaluateRobotFirewall(fw(rules), packet({ dst_port: 80 })).reason).toBe("all");
    expect(evaluateRobotFirewall(fw([]), packet({}))).toEqual({
      action: "discard",
      reason: "no input rule matches",
    });
  });

  it("is stateless: an accepted request does not let its answer through", () => {
    const firewall = fw([
      { name: "ssh", ip_version: "ipv4", protocol: "tcp", dst_port: "22", action: "accept" },
    ]);
    expect(evaluateRobotFirewall(firewall, packet({})).action).toBe("accept");
    const reply = packet({
      direction: "output",
      src_ip: SERVER_IPV4,
      dst_ip: "192.0.2.1",
      src_port: 22,
      dst_port: 40000,
    });
    expect(evaluateRobotFirewall(firewall, reply).action).toBe("discard");
  });

  it("keeps input and output rules apart", () => {
    const firewall = fw([], [{ name: "out", action: "accept" }]);
    expect(evaluateRobotFirewall(firewall, packet({})).action).toBe("discard");
    expect(evaluateRobotFirewall(firewall, packet({ direction: "output" })).action).toBe("accept");
  });

  it("matches ip_version, protocol, addresses (a bare address is one host) and port ranges", () => {
    const rule: StoredRule = {
      name: "r",
      ip_version: "ipv4",
      protocol: "udp",
      src_ip: "198.51.100.0/24",
      dst_ip: SERVER_IPV4,
      src_port: "53",
      dst_port: "1024-2000,3000",
      action: "accept",
    };
    const ok = packet({ protocol: "udp", src_ip: ADMIN_IPV4, src_port: 53, dst_port: 1500, tcp_flags: [] });
    expect(evaluateRobotFirewall(fw([rule]), ok).action).toBe("accept");
    expect(evaluateRobotFirewall(fw([rule]), { ...ok, dst_port: 3000 }).action).toBe("accept");
    for (const miss of [
      { protocol: "tcp" as const },
      { src_ip: "198.51.101.7" },
      { dst_ip: "203.0.113.11" },
      { src_port: 54 },
      { dst_port: 2001 },
      { dst_port: 1023 },
    ]) {
      expect(evaluateRobotFirewall(fw([rule]), { ...ok, ...miss }).action, JSON.stringify(miss)).toBe(
        "discard",
      );
    }
  });

  it("applies a rule without ip_version to IPv4 and IPv6", () => {
    const firewall = fw([{ name: "any", dst_port: "22", action: "accept" }]);
    expect(evaluateRobotFirewall(firewall, packet({})).action).toBe("accept");
    expect(
      evaluateRobotFirewall(firewall, packet({ src_ip: "2001:db8::1", dst_ip: "2001:db8:ffff::10" })).action,
    ).toBe("accept");
  });

  it("matches tcp_flags as flags joined by | (or) and & (and), only on TCP", () => {
    const rules = (tcp_flags: string) => fw([{ name: "f", ip_version: "ipv4", tcp_flags, action: "accept" }]);
    expect(evaluateRobotFirewall(rules("ack"), packet({ tcp_flags: ["syn", "ack"] })).action).toBe("accept");
    expect(evaluateRobotFirewall(rules("ack"), packet({ tcp_flags: ["syn"] })).action).toBe("discard");
    expect(evaluateRobotFirewall(rules("syn&ack"), packet({ tcp_flags: ["syn"] })).action).toBe("discard");
    expect(evaluateRobotFirewall(rules("fin|rst"), packet({ tcp_flags: ["rst"] })).action).toBe("accept");
    expect(evaluateRobotFirewall(rules("ack"), packet({ protocol: "udp", tcp_flags: ["ack"] })).action).toBe(
      "discard",
    );
  });

  it("lets everything through when disabled, IPv6 when filter_ipv6 is off, and ICMPv6 always", () => {
    const v6 = packet({ src_ip: "2001:db8::1", dst_ip: "2001:db8:ffff::10" });
    expect(evaluateRobotFirewall(fw([], [], { status: "disabled" }), packet({})).action).toBe("accept");
    expect(evaluateRobotFirewall(fw([], [], { filter_ipv6: false }), v6).action).toBe("accept");
    expect(evaluateRobotFirewall(fw([]), v6).action).toBe("discard");
    expect(evaluateRobotFirewall(fw([]), { ...v6, protocol: "icmp" }).action).toBe("accept");
    expect(evaluateRobotFirewall(fw([]), packet({ protocol: "icmp" })).action).toBe("discard");
  });
});

describe("a node's traffic through its Robot firewall", () => {
  const current = renderRobotFirewall(["198.51.100.0/24", "2001:db8:100::/48"], { serverIpv4: SERVER_IPV4 });

  it.each(SERVER_FLOWS.map((f) => [f.name, f] as const))("%s: request and reply pass", (_name, f) => {
    expect(evaluateRobotFirewall(current, f.request)).toMatchObject({ action: "accept" });
    expect(evaluateRobotFirewall(current, f.reply)).toMatchObject({ action: "accept" });
  });

  it("the old rules (no output rule, answers only from 32768) drop all outgoing traffic and masqueraded replies", () => {
    const dropped = SERVER_FLOWS.filter(
      (f) =>
        evaluateRobotFirewall(OLD_ROBOT_FIREWALL, f.request).action === "discard" ||
        evaluateRobotFirewall(OLD_ROBOT_FIREWALL, f.reply).action === "discard",
    ).map((f) => f.name);
    expect(dropped).toEqual(SERVER_FLOWS.map((f) => f.name));
    // Even with an output rule added, the masqueraded answers stay outside 32768-65535.
    const withOutput = {
      ...OLD_ROBOT_FIREWALL,
      rules: { ...OLD_ROBOT_FIREWALL.rules, output: [{ name: "o", action: "accept" }] },
    };
    const masq = SERVER_FLOWS.filter((f) => f.name.includes("masqueraded"));
    for (const f of masq) expect(evaluateRobotFirewall(withOutput, f.reply).action, f.name).toBe("discard");
  });

  it("still keeps the internet out: SSH, the API, the kubelet and VXLAN from a stranger", () => {
    const stranger = "192.0.2.66";
    for (const dst_port of [22, 6443, 10250, 2379]) {
      expect(
        evaluateRobotFirewall(current, packet({ src_ip: stranger, dst_port })).action,
        String(dst_port),
      ).toBe("discard");
    }
    const vxlan = packet({ protocol: "udp", src_ip: stranger, dst_port: 8472, tcp_flags: [] });
    expect(evaluateRobotFirewall(current, vxlan)).toEqual({
      action: "discard",
      reason: "discard vxlan from internet",
    });
  });
});

describe("a dedicated server on a vSwitch", () => {
  // Robot's server firewall also applies to vSwitch packets (docs.hetzner.com/robot/dedicated-
  // server/network/vswitch, "Firewall"; the firewall sits on the switch port the VLAN shares,
  // docs.hetzner.com/robot/dedicated-server/firewall "Introduction"): the renderer accepts the
  // private network explicitly, with the vSwitch subnet as the only destination.
  const onVSwitch = renderRobotFirewall(["198.51.100.0/24"], {
    serverIpv4: SERVER_IPV4,
    privateNetwork: { sourceCidr: "10.0.0.0/16", vswitchSubnet: "10.0.2.0/24" },
  });
  const peer = (src_ip: string, dst_ip: string, dst_port: number) =>
    packet({ src_ip, dst_ip, dst_port, tcp_flags: ["syn"] });

  it("accepts the peers' new connections on the private network: kubelet, etcd, the API, Longhorn", () => {
    for (const dst_port of [10250, 2379, 2380, 6443, 9500]) {
      expect(evaluateRobotFirewall(onVSwitch, peer("10.0.2.11", "10.0.2.10", dst_port)).action).toBe(
        "accept",
      );
      // A cloud node, through the vSwitch gateway.
      expect(evaluateRobotFirewall(onVSwitch, peer("10.0.1.10", "10.0.2.10", dst_port)).action).toBe(
        "accept",
      );
    }
    const vxlan = packet({
      protocol: "udp",
      src_ip: "10.0.2.11",
      dst_ip: "10.0.2.10",
      dst_port: 8472,
      tcp_flags: [],
    });
    expect(evaluateRobotFirewall(onVSwitch, vxlan).action).toBe("accept");
  });

  it("does not let a forged private source reach the public address", () => {
    expect(evaluateRobotFirewall(onVSwitch, peer("10.0.2.11", SERVER_IPV4, 10250)).action).toBe("discard");
    const vxlan = packet({
      protocol: "udp",
      src_ip: "10.0.2.11",
      dst_ip: SERVER_IPV4,
      dst_port: 8472,
      tcp_flags: [],
    });
    expect(evaluateRobotFirewall(onVSwitch, vxlan).action).toBe("discard");
  });

  it("spends one rule on the vSwitch, leaving room for one admin CIDR", () => {
    expect(onVSwitch.rules.input).toHaveLength(9);
    expect(() =>
      renderRobotFirewall(["198.51.100.0/24", "192.0.2.0/24"], {
        privateNetwork: { sourceCidr: "10.0.0.0/16", vswitchSubnet: "10.0.2.0/24" },
      }),
    ).toThrow(
      "7 are fixed (one for the vSwitch) and each CIDR takes 2 (SSH, API), so list at most 1 CIDRs (got 2)",
    );
  });
});
