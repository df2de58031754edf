/**
 * The traffic a dedicated k3s node must carry through its Robot firewall, as connections (the
 * first packet and its answer), and the firewall the old renderer produced, for tests showing
 * what changed.
 */
import type { RobotFirewallSpec } from "../../components/hetzner/firewall-rules";
import { type Flow, flow } from "../../components/hetzner/robot-firewall-eval";

/** The server's public addresses in the tests. */
export const SERVER_IPV4 = "203.0.113.10";
export const SERVER_IPV6 = "2001:db8:ffff::10";
/** An address inside the admin CIDR 198.51.100.0/24. */
export const ADMIN_IPV4 = "198.51.100.7";

const out = (
  protocol: "tcp" | "udp",
  src_port: number,
  dst_ip: string,
  dst_port: number,
  src_ip = SERVER_IPV4,
) =>
  ({
    direction: "output",
    protocol,
    src_ip,
    dst_ip,
    src_port,
    dst_port,
    ...(protocol === "tcp" ? { tcp_flags: ["syn"] } : {}),
  }) as const;

/** Every connection the node needs, inbound from admins and outbound to the internet. */
export const SERVER_FLOWS: readonly Flow[] = [
  flow("SSH from an admin CIDR", {
    direction: "input",
    protocol: "tcp",
    src_ip: ADMIN_IPV4,
    src_port: 51000,
    dst_ip: SERVER_IPV4,
    dst_port: 22,
    tcp_flags: ["syn"],
  }),
  flow("Kubernetes API from an admin CIDR", {
    direction: "input",
    protocol: "tcp",
    src_ip: ADMIN_IPV4,
    src_port: 51001,
    dst_ip: SERVER_IPV4,
    dst_port: 6443,
    tcp_flags: ["syn"],
  }),
  flow("apt over 443 (IPv4)", out("tcp", 41000, "91.189.91.81", 443)),
  flow("apt over 443 (IPv6)", out("tcp", 41001, "2620:2d:4000:1::16", 443, SERVER_IPV6)),
  flow("cloudflared QUIC to the edge, 7844/udp", out("udp", 45000, "198.41.192.7", 7844)),
  flow("cloudflared HTTP/2 to the edge, 7844/tcp", out("tcp", 45001, "198.41.200.7", 7844)),
  flow("DNS to a resolver", out("udp", 38000, "1.1.1.1", 53)),
  // flannel masquerades with --random-fully: a pod's connection leaves from any port >= 1024.
  flow("a pod's HTTPS masqueraded to source port 20000", out("tcp", 20000, "140.82.112.3", 443)),
  flow("a pod's DNS masqueraded to source port 20001", out("udp", 20001, "1.1.1.1", 53)),
];

/**
 * What `renderRobotFirewall(["198.51.100.0/24", "2001:db8:100::/48"])` produced before: no
 * output rules, answers only to 32768-65535, an ICMPv6 rule. The names are made valid (the old
 * ones held `.` and `/`, which Robot refuses) so the webservice model stores it.
 */
export const OLD_ROBOT_FIREWALL: RobotFirewallSpec = {
  status: "active",
  filter_ipv6: true,
  whitelist_hos: true,
  port: "main",
  rules: {
    input: [
      {
        name: "ssh a",
        ip_version: "ipv4",
        protocol: "tcp",
        src_ip: "198.51.100.0/24",
        dst_port: "22",
        action: "accept",
      },
      {
        name: "kube-api a",
        ip_version: "ipv4",
        protocol: "tcp",
        src_ip: "198.51.100.0/24",
        dst_port: "6443",
        action: "accept",
      },
      {
        name: "ssh b",
        ip_version: "ipv6",
        protocol: "tcp",
        src_ip: "2001:db8:100::/48",
        dst_port: "22",
        action: "accept",
      },
      {
        name: "kube-api b",
        ip_version: "ipv6",
        protocol: "tcp",
        src_ip: "2001:db8:100::/48",
        dst_port: "6443",
        action: "accept",
      },
      { name: "icmp v", ip_version: "ipv4", protocol: "icmp", action: "accept" },
      {
        name: "tcp established v",
        ip_version: "ipv4",
        protocol: "tcp",
        dst_port: "32768-65535",
        tcp_flags: "ack",
        action: "accept",
      },
      {
        name: "udp responses v",
        ip_version: "ipv4",
        protocol: "udp",
        dst_port: "32768-65535",
        action: "accept",
      },
      { name: "icmp six", ip_version: "ipv6", protocol: "icmp", action: "accept" },
      {
        name: "tcp established six",
        ip_version: "ipv6",
        protocol: "tcp",
        dst_port: "32768-65535",
        tcp_flags: "ack",
        action: "accept",
      },
      {
        name: "udp responses six",
        ip_version: "ipv6",
        protocol: "udp",
        dst_port: "32768-65535",
        action: "accept",
      },
    ],
    output: [],
  },
};
