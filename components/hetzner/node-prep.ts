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
} as const;

/** A Robot vSwitch VLAN on a dedicated server, joining the hcloud private network. */
export interface VSwitchInterface {
  /** VLAN id (4000-4091). */
  readonly vlan: number;
  /** Address of this server on the vSwitch subnet, with prefix, e.g. `10.0.2.10/24`. */
  readonly address: string;
  /** The vSwitch subnet's gateway (its first address), routing to the cloud network. */
  readonly gateway: string;
  /** The whole private network, routed through the gateway. */
  readonly networkCidr: string;
  /** @default 1400 (required by the hcloud/vSwitch coupling) */
  readonly mtu?: number;
}

/** Options of the node preparation. */
export interface NodePrepOptions {
  /** Hostname to set. */
  readonly hostname: string;
  /** A vSwitch interface to configure (dedicated servers in a mixed cluster). */
  readonly vswitch?: VSwitchInterface;
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
    `install -d -m 0755 "$(dirname ${path})"`,
    `cat > ${path} <<'${tag}'`,
    content.trimEnd(),
    tag,
    `chmod ${mode} ${path}`,
  ].join("\n");
}

function renderVSwitchSteps(vswitch: VSwitchInterface): string {
  const mtu = vswitch.mtu ?? 1400;
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
    "      routes:",
    `        - to: ${vswitch.networkCidr}`,
    `          via: ${vswitch.gateway}`,
    "ENCLII_EOF",
    `chmod 0600 ${NODE_PATHS.netplan}`,
    "netplan apply",
  ].join("\n");
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
