/**
 * What every node needs before k3s: packages for Longhorn (open-iscsi with iscsid running,
 * nfs-common), the kernel settings k3s's `protect-kernel-defaults` expects, kernel modules, and
 * SSH without passwords. One description, rendered two ways: a shell script run over SSH on
 * dedicated servers, and cloud-init user data for hcloud servers (which runs the same script).
 */
import { stringify } from "yaml";

/** Node prerequisites as data. */
export const NODE_PREREQUISITES = {
  packages: ["open-iscsi", "nfs-common", "curl", "ca-certificates", "jq"],
  services: ["iscsid"],
  modules: ["iscsi_tcp", "br_netfilter", "overlay"],
  /** `protect-kernel-defaults` refuses to start unless these hold (k3s CIS hardening guide). */
  sysctls: {
    "vm.panic_on_oom": "0",
    "vm.overcommit_memory": "1",
    "kernel.panic": "10",
    "kernel.panic_on_oops": "1",
    "net.ipv4.ip_forward": "1",
    "net.bridge.bridge-nf-call-iptables": "1",
    "fs.inotify.max_user_instances": "8192",
    "fs.inotify.max_user_watches": "524288",
  },
  sshd: {
    PasswordAuthentication: "no",
    KbdInteractiveAuthentication: "no",
    PermitRootLogin: "prohibit-password",
    X11Forwarding: "no",
  },
} as const;

/** Where the files go on the node. */
export const NODE_PATHS = {
  sysctl: "/etc/sysctl.d/90-enclii-k3s.conf",
  modules: "/etc/modules-load.d/enclii-k3s.conf",
  sshd: "/etc/ssh/sshd_config.d/90-enclii.conf",
  netplan: "/etc/netplan/60-enclii-vswitch.yaml",
  script: "/usr/local/sbin/enclii-node-prep",
  /** k3s reads `config.yaml.d/*.yaml` after `config.yaml` (docs.k3s.io, installation/configuration). */
  k3sNetworkDropIn: "/etc/rancher/k3s/config.yaml.d/50-enclii-private-network.yaml",
  mtuScript: "/usr/local/sbin/enclii-private-mtu",
  mtuUnit: "/etc/systemd/system/enclii-private-mtu.service",
  /** dhclient's default configuration (hc-utils runs dhclient without `-cf`). */
  dhclientConf: "/etc/dhcp/dhclient.conf",
  /** Name of the systemd-networkd drop-in in `<unit>.network.d/` (systemd.network(5)). */
  networkdDropIn: "50-enclii-mtu.conf",
} as const;

/** How long the MTU unit waits for DHCP to put the private address on an interface. */
export const PRIVATE_ADDRESS_WAIT_SECONDS = 120;

/**
 * The one MTU of every path a Robot vSwitch carries. Hetzner requires 1400 on the VLAN of a
 * dedicated server (docs.hetzner.com/robot/dedicated-server/network/vswitch); hcloud private
 * interfaces default to 1450 (docs.hetzner.com/cloud/networks/technical-concepts/architecture),
 * so a cloud node coupled to a vSwitch is set to 1400 too, or its 1450-byte packets are lost on
 * the vSwitch side. flannel's VXLAN takes its MTU from its interface minus 50
 * (flannel backend/vxlan), so every node's pods then get the same 1350.
 */
export const VSWITCH_MTU = 1400;

/** A Robot vSwitch VLAN on a dedicated server, joining the hcloud private network. */
export interface VSwitchInterface {
  /** VLAN id (4000-4091). */
  readonly vlan: number;
  /** Address of this server on the vSwitch subnet, with prefix, e.g. `10.0.2.10/24`. */
  readonly address: string;
  /**
   * The vSwitch subnet's gateway (its first address, which hcloud reserves), routing to the cloud
   * network. Only when the vSwitch is coupled to an hcloud network: dedicated servers on one
   * vSwitch reach each other on-link (Layer 2), and there is no gateway to route through
   * (docs.hetzner.com/networking/networks/technical-concepts/architecture, "Example routes").
   */
  readonly gateway?: string;
  /** The whole private network, routed through the gateway. */
  readonly networkCidr: string;
  /** @default 1400 (required by the hcloud/vSwitch coupling) */
  readonly mtu?: number;
}

/** Options of the node preparation. */
export interface NodePrepOptions {
  /** Hostname to set. */
  readonly hostname: string;
  /** A vSwitch interface to configure (dedicated servers in a multi-node cluster). */
  readonly vswitch?: VSwitchInterface;
  /** The node's private network, when it has one (multi-node clusters and hcloud servers). */
  readonly privateNetwork?: PrivateNetworkOptions;
}

/** A node's private interface, found on the node by its address. */
export interface PrivateNetworkOptions {
  /** This node's private address, without prefix, e.g. `10.0.1.10`. */
  readonly address: string;
  /**
   * MTU to hold on the interface (hcloud nodes coupled to a vSwitch: {@link VSWITCH_MTU}).
   * @default - leave the interface's MTU as it is
   */
  readonly mtu?: number;
}

const lines = (entries: Record<string, string>, sep: string) =>
  `${Object.entries(entries)
    .map(([k, v]) => `${k}${sep}${v}`)
    .join("\n")}\n`;

/** The sysctl drop-in. */
export function renderSysctlConf(): string {
  return lines(NODE_PREREQUISITES.sysctls, " = ");
}

/** The sshd drop-in. */
export function renderSshdConf(): string {
  return lines(NODE_PREREQUISITES.sshd, " ");
}

function heredoc(path: string, content: string, mode: string): string {
  const tag = "ENCLII_EOF";
  return [
    `mkdir -p "$(dirname ${path})"`,
    `cat > ${path} <<'${tag}'`,
    content.trimEnd(),
    tag,
    `chmod ${mode} ${path}`,
  ].join("\n");
}

function renderVSwitchSteps(vswitch: VSwitchInterface): string {
  const mtu = vswitch.mtu ?? VSWITCH_MTU;
  const own = vswitch.address.split("/")[0];
  if (vswitch.gateway !== undefined && vswitch.gateway === own) {
    // A route via the node's own address sends nothing anywhere; netplan accepts it silently.
    throw new Error(`vSwitch ${vswitch.vlan}: the gateway ${vswitch.gateway} is this node's own address`);
  }
  // The uplink's name differs per server (enp0s31f6, eno1, ...): take the default route's.
  return [
    `uplink=$(ip -o -4 route show to default | awk '{print $5; exit}')`,
    `if [ -z "$uplink" ]; then echo "enclii-node-prep: no default route, cannot attach VLAN ${vswitch.vlan}" >&2; exit 1; fi`,
    `cat > ${NODE_PATHS.netplan} <<ENCLII_EOF`,
    "network:",
    "  version: 2",
    "  vlans:",
    `    vlan${vswitch.vlan}:`,
    `      id: ${vswitch.vlan}`,
    "      link: $uplink",
    `      mtu: ${mtu}`,
    `      addresses: [${vswitch.address}]`,
    ...(vswitch.gateway
      ? ["      routes:", `        - to: ${vswitch.networkCidr}`, `          via: ${vswitch.gateway}`]
      : []),
    "ENCLII_EOF",
    `chmod 0600 ${NODE_PATHS.netplan}`,
    "netplan apply",
  ].join("\n");
}

/**
 * Makes the MTU of a DHCP-configured interface stick. hcloud images configure private interfaces
 * by DHCP, which hands out 1450 and re-applies it at every lease, in one of two ways:
 * - hc-utils (github.com/hetznercloud/hc-utils): the udev rule `81-hc-network-interfaces.rules`
 *   starts `hc-net-ifup@<iface>.service`, whose `ExecStart=/sbin/dhclient -1 -4 -v -pf ... -lf
 *   ... %i` reads the default /etc/dhcp/dhclient.conf. An `interface "<iface>" { supersede
 *   interface-mtu N; }` block there makes dhclient hand N to dhclient-script, which sets
 *   `new_interface_mtu` on the link (dhclient.conf(5) "supersede", "interface"; Debian
 *   dhclient-script `ip link set dev ${interface} mtu ${new_interface_mtu}`).
 * - cloud-init's network config from the Hetzner metadata (cloud-init
 *   cloudinit/sources/DataSourceHetzner.py `network_config` returns the metadata's
 *   `network-config`), rendered by netplan into `/run/systemd/network/10-netplan-<id>.network`:
 *   a drop-in `<file>.d/*.conf`, read from /etc as well (systemd.network(5) "drop-in
 *   directory"), sets `[Link] MTUBytes=` and `[DHCPv4] UseMTU=false` (systemd.network(5)).
 * Both are written; the one the image does not use is inert.
 */
function renderDhcpMtuSteps(mtu: number): string[] {
  const begin = "# enclii-private-mtu begin";
  const end = "# enclii-private-mtu end";
  const conf = NODE_PATHS.dhclientConf;
  return [
    "# DHCP re-applies the network's MTU at every lease: make both DHCP clients keep this one.",
    "if [ -d /etc/dhcp ] || command -v dhclient >/dev/null 2>&1; then",
    `  mkdir -p "$(dirname ${conf})"`,
    `  touch ${conf}`,
    `  sed -i '/^${begin}$/,/^${end}$/d' ${conf}`,
    `  printf '%s\\n' '${begin}' "interface \\"$private_iface\\" { supersede interface-mtu ${mtu}; }" '${end}' >> ${conf}`,
    "fi",
    `networkd_units=("10-netplan-$private_iface.network")`,
    "for f in /run/systemd/network/*.network /etc/systemd/network/*.network; do",
    '  if [ -f "$f" ] && grep -qxF "Name=$private_iface" "$f"; then networkd_units+=("${f##*/}"); fi',
    "done",
    'for unit in "${networkd_units[@]}"; do',
    '  mkdir -p "/etc/systemd/network/$unit.d"',
    `  cat > "/etc/systemd/network/$unit.d/${NODE_PATHS.networkdDropIn}" <<'ENCLII_EOF'`,
    "[Link]",
    `MTUBytes=${mtu}`,
    "",
    "[DHCPv4]",
    "UseMTU=false",
    "ENCLII_EOF",
    "done",
    "if systemctl is-active --quiet systemd-networkd; then networkctl reload; fi",
  ];
}

/**
 * Finds the interface that holds the private address, holds its MTU (DHCP client drop-ins, and
 * a oneshot unit that re-applies it at boot, before k3s, once DHCP has put the address there),
 * and tells k3s to run flannel on it. Without `flannel-iface` k3s leaves
 * the interface unset (k3s pkg/agent/config/config.go: `flannelIface` only from the flag) and
 * flannel takes the default route's interface (k3s pkg/agent/flannel/setup.go
 * `LookupExtInterface`: "Fetching the default gateway interface"): VXLAN would then leave over the
 * public uplink, at its 1500 MTU, instead of the private network.
 */
function renderPrivateNetworkSteps(net: PrivateNetworkOptions): string {
  const find = `ip -o -4 addr show | awk -v ip="${net.address}" '{split($4, a, "/"); if (a[1] == ip) {print $2; exit}}'`;
  const steps = [
    "# The private interface: named by the image or the VLAN, found by its address.",
    "private_iface=''",
    "for _ in $(seq 1 60); do",
    `  private_iface=$(${find})`,
    '  [ -n "$private_iface" ] && break',
    "  sleep 1",
    "done",
    'if [ -z "$private_iface" ]; then',
    `  echo "enclii-node-prep: no interface holds the private address ${net.address}" >&2`,
    "  exit 1",
    "fi",
  ];
  if (net.mtu !== undefined) {
    steps.push(
      `mkdir -p "$(dirname ${NODE_PATHS.mtuScript})"`,
      `cat > ${NODE_PATHS.mtuScript} <<'ENCLII_EOF'`,
      "#!/usr/bin/env bash",
      `# Holds MTU ${net.mtu} on the interface with ${net.address} (one MTU on every vSwitch path).`,
      "set -euo pipefail",
      "# At boot DHCP may not have put the address on the interface yet: wait for it.",
      `deadline=$(( $(date +%s) + ${PRIVATE_ADDRESS_WAIT_SECONDS} ))`,
      `until iface=$(${find}) && [ -n "$iface" ]; do`,
      '  if [ "$(date +%s)" -ge "$deadline" ]; then',
      `    echo "enclii-private-mtu: no interface holds ${net.address} after ${PRIVATE_ADDRESS_WAIT_SECONDS} s" >&2`,
      "    exit 1",
      "  fi",
      "  sleep 2",
      "done",
      `ip link set dev "$iface" mtu ${net.mtu}`,
      "ENCLII_EOF",
      `chmod 0755 ${NODE_PATHS.mtuScript}`,
      `cat > ${NODE_PATHS.mtuUnit} <<'ENCLII_EOF'`,
      "[Unit]",
      "Description=enclii: MTU of the private interface",
      "Wants=network-online.target",
      "After=network-online.target",
      "Before=k3s.service k3s-agent.service",
      "",
      "[Service]",
      "Type=oneshot",
      `ExecStart=${NODE_PATHS.mtuScript}`,
      `TimeoutStartSec=${PRIVATE_ADDRESS_WAIT_SECONDS + 30}`,
      "RemainAfterExit=yes",
      "",
      "[Install]",
      "WantedBy=multi-user.target",
      "ENCLII_EOF",
      "systemctl daemon-reload",
      "systemctl enable enclii-private-mtu.service",
      ...renderDhcpMtuSteps(net.mtu),
      NODE_PATHS.mtuScript,
    );
  }
  steps.push(
    `mkdir -p "$(dirname ${NODE_PATHS.k3sNetworkDropIn})"`,
    `flannel_conf="flannel-iface: $private_iface"`,
    `if ! grep -qxF "$flannel_conf" ${NODE_PATHS.k3sNetworkDropIn} 2>/dev/null; then`,
    `  printf '%s\\n' "$flannel_conf" > ${NODE_PATHS.k3sNetworkDropIn}`,
    `  chmod 0600 ${NODE_PATHS.k3sNetworkDropIn}`,
    "  # A running k3s reads its config only at start.",
    "  for unit in k3s k3s-agent; do",
    '    if systemctl is-active --quiet "$unit"; then systemctl restart "$unit"; fi',
    "  done",
    "fi",
  );
  return steps.join("\n");
}

/**
 * The idempotent preparation script: safe to run on every `pulumi up`, on a fresh server or one
 * that already runs k3s.
 */
export function renderNodePrepScript(options: NodePrepOptions): string {
  const p = NODE_PREREQUISITES;
  const steps = [
    "#!/usr/bin/env bash",
    "# Prepares a node for k3s and Longhorn. Rendered by enclii-infra; safe to run again.",
    "set -euo pipefail",
    "export DEBIAN_FRONTEND=noninteractive",
    "",
    "# On hcloud servers cloud-init runs this script too; wait for it instead of racing apt.",
    'if [ -z "${ENCLII_IN_CLOUD_INIT:-}" ] && command -v cloud-init >/dev/null 2>&1; then',
    "  cloud-init status --wait >/dev/null || true",
    "fi",
    "",
    `hostnamectl set-hostname ${options.hostname}`,
    "",
    "need_install=0",
    `for pkg in ${p.packages.join(" ")}; do`,
    "  # shellcheck disable=SC2016 # ${Status} is dpkg-query's format, not a shell variable",
    `  dpkg-query -W -f='\${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || need_install=1`,
    "done",
    'if [ "$need_install" = 1 ]; then',
    "  apt-get update -q",
    `  apt-get install -y -q --no-install-recommends ${p.packages.join(" ")}`,
    "fi",
    "",
    heredoc(NODE_PATHS.modules, `${p.modules.join("\n")}\n`, "0644"),
    ...p.modules.map((m) => `modprobe ${m}`),
    "",
    heredoc(NODE_PATHS.sysctl, renderSysctlConf(), "0644"),
    "sysctl --quiet --system",
    "",
    ...p.services.map((s) => `systemctl enable --now ${s}`),
    "",
    heredoc(NODE_PATHS.sshd, renderSshdConf(), "0644"),
    "sshd -t",
    "systemctl reload ssh 2>/dev/null || systemctl reload sshd",
  ];
  if (options.vswitch) steps.push("", renderVSwitchSteps(options.vswitch));
  if (options.privateNetwork) steps.push("", renderPrivateNetworkSteps(options.privateNetwork));
  steps.push("", 'echo "enclii-node-prep: done"', "");
  return steps.join("\n");
}

/** Options of the cloud-init user data. */
export interface CloudInitOptions extends NodePrepOptions {
  /** Public keys for root (hcloud also injects its SSH keys). */
  readonly sshPublicKeys: readonly string[];
}

/** The hcloud user data: packages and password-less SSH natively, then the same prep script. */
export function renderCloudInit(options: CloudInitOptions): string {
  const document = {
    hostname: options.hostname,
    preserve_hostname: false,
    package_update: true,
    packages: [...NODE_PREREQUISITES.packages],
    ssh_pwauth: false,
    disable_root: false,
    ssh_authorized_keys: [...options.sshPublicKeys],
    write_files: [
      { path: NODE_PATHS.sysctl, permissions: "0644", owner: "root:root", content: renderSysctlConf() },
      {
        path: NODE_PATHS.script,
        permissions: "0755",
        owner: "root:root",
        content: renderNodePrepScript({ hostname: options.hostname }),
      },
    ],
    // The prep script waits for cloud-init when run over SSH; inside cloud-init it must not.
    runcmd: [["env", "ENCLII_IN_CLOUD_INIT=1", NODE_PATHS.script]],
  };
  return `#cloud-config\n${stringify(document, { lineWidth: 0 })}`;
}
