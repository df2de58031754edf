/**
 * Firewall rules of the nodes, rendered from `access.adminCidrs`: SSH (22) and the Kubernetes
 * API (6443) only from the admin CIDRs, ICMP, and nothing else inbound. There is no rule for
 * 80/443: traffic enters through the Cloudflare Tunnel, which only makes outbound connections.
 *
 * The Robot firewall is stateless, so it also needs rules that let answers to the node's own
 * outbound connections back in; hcloud firewalls are stateful and do not. It also filters
 * outgoing traffic, and an empty output list blocks all of it (community.hrobot CHANGELOG
 * 1.8.0, issue #75), so it always gets an explicit accept-all output rule.
 */
import { isIPv4 } from "node:net";
import { type AdminCidrOptions, adminCidrProblems, formatAdminCidrProblems } from "./admin-cidrs";

/** Ports only admins may reach. */
export const ADMIN_PORTS = [
  { port: 22, name: "ssh" },
  { port: 6443, name: "kube-api" },
] as const;

/** The most rules the Robot firewall accepts per direction. */
export const ROBOT_MAX_RULES = 10;

/**
 * Destination ports of the answers to the node's outbound traffic. Not only Linux's ephemeral
 * range (32768-65535): k3s's flannel masquerades pod traffic with `--random-fully`, which picks
 * source ports anywhere in 1024-65535 (REFERENCE.md, "k3s/flannel masquerade").
 */
export const REPLY_PORTS = "1024-65535";

/** flannel's VXLAN port; inside {@link REPLY_PORTS}, so the internet is kept away from it first. */
export const FLANNEL_VXLAN_PORT = "8472";

/**
 * Characters a Robot rule name may hold. Hetzner: "Only special characters are not permitted"
 * (docs.hetzner.com/robot/dedicated-server/firewall, "Firewall rules > Parameter");
 * community.hrobot `plugins/modules/firewall.py` (options.rules.input[].name, lines 94-98):
 * letters, space and `. - + _ @`; REFERENCE.md: letters, digits, spaces, `-` and `_`. Only what
 * both agree on is used: letters, spaces, `-` and `_`.
 */
export const ROBOT_RULE_NAME = /^[A-Za-z _-]{1,64}$/;

/** One Robot firewall rule, with the webservice's field names. */
export interface RobotRule {
  readonly name: string;
  /**
   * Omitted, the rule matches IPv4 and IPv6; then it may not name a protocol or an address
   * (community.hrobot `firewall.py` lines 100-104 and the `required_by` at line 575).
   */
  readonly ip_version?: "ipv4" | "ipv6";
  readonly protocol?: "tcp" | "udp" | "icmp";
  readonly src_ip?: string;
  readonly dst_ip?: string;
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

const versionOf = (cidr: string): "ipv4" | "ipv6" => (isIPv4(cidr.split("/")[0] ?? "") ? "ipv4" : "ipv6");

/** Options of the firewall renderers. */
export interface FirewallRenderOptions extends AdminCidrOptions {
  /**
   * The server's main IPv4; when given, the VXLAN discard rule names it as `dst_ip`, so traffic
   * to other addresses (a vSwitch's private range) is never caught by it.
   * @default - the discard applies to every IPv4 address of the server
   */
  readonly serverIpv4?: string;
  /**
   * The private network a Robot vSwitch carries to this server. Robot's server firewall also
   * applies to vSwitch packets (docs.hetzner.com/robot/dedicated-server/network/vswitch,
   * "Firewall"; the VLAN shares the filtered switch port), so the node's peers (kubelet, etcd,
   * the API, VXLAN, Longhorn) are accepted explicitly: source the private network, destination
   * only the vSwitch subnet, so a packet to the public address with a forged private source
   * matches nothing.
   * @default - no vSwitch: no private rule
   */
  readonly privateNetwork?: { readonly sourceCidr: string; readonly vswitchSubnet: string };
}

/** Problems with the admin CIDRs for firewall rendering (empty when fine). */
export function validateAdminCidrs(adminCidrs: readonly string[], options: AdminCidrOptions = {}): string[] {
  const problems: string[] = [];
  if (adminCidrs.length === 0)
    problems.push("adminCidrs: at least one CIDR must be allowed to reach SSH and the API");
  problems.push(...formatAdminCidrProblems(adminCidrProblems(adminCidrs, options)));
  return problems;
}

/** Why Robot would refuse this rule name (undefined when it is fine). */
export function robotRuleNameProblem(name: string): string | undefined {
  return ROBOT_RULE_NAME.test(name)
    ? undefined
    : `Robot firewall rule name "${name}" may hold only letters, spaces, "-" and "_" (1-64 characters)`;
}

/**
 * The fixed input rules (stateless firewall). No ICMPv6 rule: Robot cannot filter ICMPv6, it is
 * always let through, so a rule for it only wastes one of the 10 slots (community.hrobot
 * `firewall.py` EXAMPLES, lines 235-241, citing robot.hetzner.com/doc/webservice/en.html#post-firewall-server-id).
 */
function fixedInputRules(serverIpv4?: string): RobotRule[] {
  const replies = (version: "ipv4" | "ipv6", family: string): RobotRule[] => [
    // Answers to outbound TCP (apt, GitHub, Cloudflare edge, masqueraded pods): ACK set.
    {
      name: `tcp replies ${family}`,
      ip_version: version,
      protocol: "tcp",
      dst_port: REPLY_PORTS,
      tcp_flags: "ack",
      action: "accept",
    },
    // Answers to outbound UDP: DNS, NTP and cloudflared's QUIC (7844), masqueraded or not.
    {
      name: `udp replies ${family}`,
      ip_version: version,
      protocol: "udp",
      dst_port: REPLY_PORTS,
      action: "accept",
    },
  ];
  return [
    // Ping and path MTU discovery (fragmentation needed) for IPv4.
    { name: "icmp ipv four", ip_version: "ipv4", protocol: "icmp", action: "accept" },
    // The UDP reply range holds flannel's VXLAN port: a packet from the internet to it would be
    // decapsulated into the pod network. First match wins, so this discard comes first.
    {
      name: "discard vxlan from internet",
      ip_version: "ipv4",
      protocol: "udp",
      ...(serverIpv4 ? { dst_ip: `${serverIpv4}/32` } : {}),
      dst_port: FLANNEL_VXLAN_PORT,
      action: "discard",
    },
    ...replies("ipv4", "ipv four"),
    ...replies("ipv6", "ipv six"),
  ];
}

/** The input rules every Robot firewall holds, whatever the admin CIDRs. */
export const ROBOT_FIXED_INPUT_RULES = fixedInputRules().length;

/** How many input rules a Robot firewall for these CIDRs needs (one more with a vSwitch). */
export function robotRuleCount(adminCidrs: readonly string[], vswitch = false): number {
  return ROBOT_FIXED_INPUT_RULES + (vswitch ? 1 : 0) + ADMIN_PORTS.length * adminCidrs.length;
}

/** The most admin CIDRs a Robot firewall can hold next to the fixed rules (and the vSwitch rule). */
export function robotMaxAdminCidrs(vswitch = false): number {
  return Math.floor((ROBOT_MAX_RULES - ROBOT_FIXED_INPUT_RULES - (vswitch ? 1 : 0)) / ADMIN_PORTS.length);
}

/** The most admin CIDRs a Robot firewall of a server without a vSwitch can hold. */
export const ROBOT_MAX_ADMIN_CIDRS = robotMaxAdminCidrs(false);

/**
 * The output rules: accept everything the server sends, IPv4 and IPv6 in one rule (no
 * `ip_version`: both families). Robot stores a POST without output rules as an empty output
 * list, which blocks every outgoing packet, SSH answers included (community.hrobot CHANGELOG.md
 * v1.8.0 "Major Changes", issue #75); the upstream example sends exactly this rule
 * (`firewall.py` EXAMPLES, lines 258-260).
 */
export const ROBOT_OUTPUT_RULES: readonly RobotRule[] = [{ name: "accept all out", action: "accept" }];

/** Letter suffix of the i-th admin CIDR's rule names (digits are not known to be allowed). */
const ruleSuffix = (i: number) => String.fromCharCode(97 + (i % 26));

/**
 * The Robot firewall of a dedicated server. Everything not accepted is discarded (the Robot
 * firewall's implicit last rule); everything the server sends is accepted.
 * @throws Error listing every problem (too many rules, a world-open or wide CIDR, a name Robot
 *   refuses) before any API call
 */
export function renderRobotFirewall(
  adminCidrs: readonly string[],
  options: FirewallRenderOptions = {},
): RobotFirewallSpec {
  const problems = validateAdminCidrs(adminCidrs, options);
  const vswitch = options.privateNetwork !== undefined;
  const count = robotRuleCount(adminCidrs, vswitch);
  if (count > ROBOT_MAX_RULES) {
    problems.push(
      `adminCidrs: the Robot firewall holds ${ROBOT_MAX_RULES} input rules; ${ROBOT_FIXED_INPUT_RULES + (vswitch ? 1 : 0)} are fixed${vswitch ? " (one for the vSwitch)" : ""} and each CIDR takes ${ADMIN_PORTS.length} (SSH, API), so list at most ${robotMaxAdminCidrs(vswitch)} CIDRs (got ${adminCidrs.length})`,
    );
  }
  const adminRules: RobotRule[] = adminCidrs.flatMap((cidr, i) =>
    ADMIN_PORTS.map(({ port, name }) => ({
      name: `${name} admin ${ruleSuffix(i)}`,
      ip_version: versionOf(cidr),
      protocol: "tcp" as const,
      src_ip: cidr,
      dst_port: String(port),
      action: "accept" as const,
    })),
  );
  const privateRules: RobotRule[] = options.privateNetwork
    ? [
        {
          name: "private network",
          ip_version: "ipv4",
          src_ip: options.privateNetwork.sourceCidr,
          dst_ip: options.privateNetwork.vswitchSubnet,
          action: "accept",
        },
      ]
    : [];
  const input = [...privateRules, ...adminRules, ...fixedInputRules(options.serverIpv4)];
  const output = [...ROBOT_OUTPUT_RULES];
  for (const rule of [...input, ...output]) {
    const problem = robotRuleNameProblem(rule.name);
    if (problem) problems.push(problem);
  }
  if (problems.length > 0) throw new Error(problems.join("; "));
  return { status: "active", filter_ipv6: true, whitelist_hos: true, port: "main", rules: { input, output } };
}

/** The hcloud firewall rules (stateful: no response rules needed). */
export function renderHcloudFirewallRules(
  adminCidrs: readonly string[],
  options: AdminCidrOptions = {},
): HcloudRule[] {
  const problems = validateAdminCidrs(adminCidrs, options);
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
