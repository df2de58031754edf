/**
 * Firewall rules of the nodes, rendered from `access.adminCidrs`: SSH (22) and the Kubernetes
 * API (6443) only from the admin CIDRs, ICMP, and nothing else inbound. There is no rule for
 * 80/443: traffic enters through the Cloudflare Tunnel, which only makes outbound connections.
 *
 * The Robot firewall is stateless, so it also needs rules that let answers to the node's own
 * outbound connections back in; hcloud firewalls are stateful and do not.
 */
import { isIPv4 } from "node:net";

/** Ports only admins may reach. */
export const ADMIN_PORTS = [
  { port: 22, name: "ssh" },
  { port: 6443, name: "kube-api" },
] as const;

/** The most rules the Robot firewall accepts per direction. */
export const ROBOT_MAX_RULES = 10;

/** Ephemeral ports Linux uses for outbound connections (net.ipv4.ip_local_port_range). */
export const EPHEMERAL_PORTS = "32768-65535";

/** One Robot firewall rule, with the webservice's field names. */
export interface RobotRule {
  readonly name: string;
  readonly ip_version: "ipv4" | "ipv6";
  readonly protocol?: "tcp" | "udp" | "icmp";
  readonly src_ip?: string;
  readonly dst_port?: string;
  readonly tcp_flags?: string;
  readonly action: "accept" | "discard";
}

/** The Robot firewall of one server. */
export interface RobotFirewallSpec {
  /** `active` filters; `disabled` lets everything through. */
  readonly status: "active" | "disabled";
  /** Filter IPv6 too; without it IPv6 would bypass every rule. */
  readonly filter_ipv6: boolean;
  /** Let Hetzner services (rescue system, monitoring) through. */
  readonly whitelist_hos: boolean;
  readonly port: "main";
  readonly rules: { readonly input: RobotRule[]; readonly output: RobotRule[] };
}

/** One hcloud firewall rule (`@pulumi/hcloud` Firewall `rules[]`). */
export interface HcloudRule {
  readonly direction: "in";
  readonly protocol: "tcp" | "icmp";
  readonly port?: string;
  readonly sourceIps: string[];
  readonly description: string;
}

const WORLD = new Set(["0.0.0.0/0", "::/0"]);

const versionOf = (cidr: string): "ipv4" | "ipv6" => (isIPv4(cidr.split("/")[0] ?? "") ? "ipv4" : "ipv6");

/** Problems with the admin CIDRs for firewall rendering (empty when fine). */
export function validateAdminCidrs(adminCidrs: readonly string[]): string[] {
  const problems: string[] = [];
  if (adminCidrs.length === 0)
    problems.push("adminCidrs: at least one CIDR must be allowed to reach SSH and the API");
  for (const cidr of adminCidrs) {
    if (WORLD.has(cidr))
      problems.push(`adminCidrs: ${cidr} would open SSH and the Kubernetes API to the internet`);
  }
  return problems;
}

/** The rules answering the node's own outbound traffic, per IP version (stateless firewall). */
function responseRules(version: "ipv4" | "ipv6"): RobotRule[] {
  const v = version === "ipv4" ? "v4" : "v6";
  return [
    { name: `icmp ${v}`, ip_version: version, protocol: "icmp", action: "accept" },
    // Answers to outbound TCP (apt, GitHub, Cloudflare edge): ACK set, to an ephemeral port.
    {
      name: `tcp established ${v}`,
      ip_version: version,
      protocol: "tcp",
      dst_port: EPHEMERAL_PORTS,
      tcp_flags: "ack",
      action: "accept",
    },
    // Answers to outbound UDP: DNS, NTP and cloudflared's QUIC (7844) all reply to an ephemeral port.
    {
      name: `udp responses ${v}`,
      ip_version: version,
      protocol: "udp",
      dst_port: EPHEMERAL_PORTS,
      action: "accept",
    },
  ];
}

/** How many input rules a Robot firewall for these CIDRs needs. */
export function robotRuleCount(adminCidrs: readonly string[]): number {
  return 2 * responseRules("ipv4").length + ADMIN_PORTS.length * adminCidrs.length;
}

/** The most admin CIDRs a Robot firewall can hold next to the fixed rules. */
export const ROBOT_MAX_ADMIN_CIDRS = Math.floor((ROBOT_MAX_RULES - robotRuleCount([])) / ADMIN_PORTS.length);

/**
 * The Robot firewall of a dedicated server. Everything not accepted is discarded (the Robot
 * firewall's implicit last rule). Outbound traffic is not filtered (no output rules).
 * @throws Error listing every problem (too many rules, a world-open CIDR) before any API call
 */
export function renderRobotFirewall(adminCidrs: readonly string[]): RobotFirewallSpec {
  const problems = validateAdminCidrs(adminCidrs);
  const count = robotRuleCount(adminCidrs);
  if (count > ROBOT_MAX_RULES) {
    problems.push(
      `adminCidrs: the Robot firewall holds ${ROBOT_MAX_RULES} input rules; ${robotRuleCount([])} are fixed and each CIDR takes ${ADMIN_PORTS.length} (SSH, API), so list at most ${ROBOT_MAX_ADMIN_CIDRS} CIDRs (got ${adminCidrs.length})`,
    );
  }
  if (problems.length > 0) throw new Error(problems.join("; "));
  const adminRules: RobotRule[] = adminCidrs.flatMap((cidr) =>
    ADMIN_PORTS.map(({ port, name }) => ({
      name: `${name} ${cidr}`.slice(0, 50),
      ip_version: versionOf(cidr),
      protocol: "tcp" as const,
      src_ip: cidr,
      dst_port: String(port),
      action: "accept" as const,
    })),
  );
  return {
    status: "active",
    filter_ipv6: true,
    whitelist_hos: true,
    port: "main",
    rules: { input: [...adminRules, ...responseRules("ipv4"), ...responseRules("ipv6")], output: [] },
  };
}

/** The hcloud firewall rules (stateful: no response rules needed). */
export function renderHcloudFirewallRules(adminCidrs: readonly string[]): HcloudRule[] {
  const problems = validateAdminCidrs(adminCidrs);
  if (problems.length > 0) throw new Error(problems.join("; "));
  return [
    ...ADMIN_PORTS.map(({ port, name }) => ({
      direction: "in" as const,
      protocol: "tcp" as const,
      port: String(port),
      sourceIps: [...adminCidrs],
      description: `${name} from admin CIDRs`,
    })),
    { direction: "in", protocol: "icmp", sourceIps: ["0.0.0.0/0", "::/0"], description: "icmp" },
  ];
}
