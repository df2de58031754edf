import { describe, expect, it } from "vitest";
import { planAddresses } from "../../components/hetzner/addressing";
import {
  NODE_PATHS,
  PRIVATE_ADDRESS_WAIT_SECONDS,
  renderNodePrepScript,
  VSWITCH_MTU,
} from "../../components/hetzner/node-prep";

const vlan = { vlan: 4000, address: "10.0.2.10/24", networkCidr: "10.0.0.0/16" };

describe("node preparation: the private network", () => {
  // docs.hetzner.com/networking/networks/technical-concepts/architecture, "Example routes": a
  // dedicated server coupled to a cloud network routes 10.0.0.0/16 via the vSwitch gateway
  // (the subnet's first address); dedicated servers on one vSwitch talk on-link (Layer 2).
  it("routes the private network through the vSwitch gateway only when the vSwitch is coupled to hcloud", () => {
    const coupled = renderNodePrepScript({ hostname: "ax41", vswitch: { ...vlan, gateway: "10.0.2.1" } });
    expect(coupled).toContain("        - to: 10.0.0.0/16\n          via: 10.0.2.1");
    const alone = renderNodePrepScript({ hostname: "ax41", vswitch: vlan });
    expect(alone).not.toContain("routes:");
    expect(alone).not.toContain("via ");
  });

  it("refuses a route through the node's own address", () => {
    expect(() =>
      renderNodePrepScript({ hostname: "ax41", vswitch: { ...vlan, gateway: "10.0.2.10" } }),
    ).toThrow("the gateway 10.0.2.10 is this node's own address");
  });

  it("plans no gateway for dedicated servers without cloud nodes, and a vSwitch for two of them", () => {
    const plan = planAddresses(
      [
        { name: "ax41-1", kind: "dedicated" },
        { name: "ax41-2", kind: "dedicated" },
      ],
      "10.0.0.0/16",
    );
    expect(plan).toMatchObject({ vswitch: true, hcloudNetwork: false });
    expect(plan.vswitchGateway).toBeUndefined();
    expect(plan.privateIps).toEqual({ "ax41-1": "10.0.2.10", "ax41-2": "10.0.2.11" });
  });

  // Hetzner: the vSwitch VLAN has MTU 1400 (docs.hetzner.com/robot/dedicated-server/network/vswitch).
  it("gives the VLAN the vSwitch MTU of 1400", () => {
    expect(VSWITCH_MTU).toBe(1400);
    expect(renderNodePrepScript({ hostname: "ax41", vswitch: vlan })).toContain("      mtu: 1400");
  });

  // k3s pkg/agent/config/config.go sets the flannel interface only from `flannel-iface`; without it
  // flannel's LookupExtInterface (k3s pkg/agent/flannel/setup.go) takes the default route's
  // interface, the public uplink, and VXLAN would leave the private network.
  it("runs flannel on the interface that holds the private address, through a k3s config drop-in", () => {
    const script = renderNodePrepScript({ hostname: "c1", privateNetwork: { address: "10.0.1.10" } });
    expect(script).toContain('awk -v ip="10.0.1.10"');
    expect(script).toContain(`flannel_conf="flannel-iface: $private_iface"`);
    expect(script).toContain(NODE_PATHS.k3sNetworkDropIn);
    expect(NODE_PATHS.k3sNetworkDropIn).toMatch(/^\/etc\/rancher\/k3s\/config\.yaml\.d\/[^/]+\.yaml$/);
    // Without an MTU to hold, the interface is left alone.
    expect(script).not.toContain(NODE_PATHS.mtuUnit);
  });

  // hcloud private interfaces have MTU 1450 (docs.hetzner.com/cloud/networks/technical-concepts/
  // architecture); a 1450-byte packet does not fit the 1400 vSwitch.
  it("holds MTU 1400 on a cloud node's private interface across reboots, before k3s starts", () => {
    const script = renderNodePrepScript({
      hostname: "c1",
      privateNetwork: { address: "10.0.1.10", mtu: VSWITCH_MTU },
    });
    expect(script).toContain('ip link set dev "$iface" mtu 1400');
    expect(script).toContain("Before=k3s.service k3s-agent.service");
    expect(script).toContain("systemctl enable enclii-private-mtu.service");
  });

  // A DHCP lease re-applies the network's 1450 (hcloud). hetznercloud/hc-utils
  // hc-net-ifup@.service runs `/sbin/dhclient -1 -4 -v -pf ... -lf ... %i` with the default
  // /etc/dhcp/dhclient.conf, where `interface "<iface>" { supersede interface-mtu N; }` wins
  // over the server's value (dhclient.conf(5) "supersede"); netplan images (cloud-init
  // DataSourceHetzner `network_config`) run systemd-networkd, where a `10-netplan-<iface>.network.d/`
  // drop-in sets `[Link] MTUBytes=` and `[DHCPv4] UseMTU=false` (systemd.network(5)).
  it("keeps MTU 1400 across DHCP renewals, for dhclient (hc-utils) and systemd-networkd (netplan) alike", () => {
    const script = renderNodePrepScript({
      hostname: "c1",
      privateNetwork: { address: "10.0.1.10", mtu: VSWITCH_MTU },
    });
    expect(script).toContain(
      `printf '%s\\n' '# enclii-private-mtu begin' "interface \\"$private_iface\\" { supersede interface-mtu 1400; }" '# enclii-private-mtu end' >> /etc/dhcp/dhclient.conf`,
    );
    // Idempotent: the old block goes before the new one is appended.
    expect(script).toContain(
      "sed -i '/^# enclii-private-mtu begin$/,/^# enclii-private-mtu end$/d' /etc/dhcp/dhclient.conf",
    );
    expect(script).toContain('networkd_units=("10-netplan-$private_iface.network")');
    expect(script).toContain('cat > "/etc/systemd/network/$unit.d/50-enclii-mtu.conf"');
    expect(script).toContain("[Link]\nMTUBytes=1400\n\n[DHCPv4]\nUseMTU=false\n");
    // Without an MTU to hold, DHCP is left alone.
    const plain = renderNodePrepScript({ hostname: "c1", privateNetwork: { address: "10.0.1.10" } });
    expect(plain).not.toContain("dhclient");
    expect(plain).not.toContain("MTUBytes");
  });

  // At boot the oneshot may run before DHCP has put the address on the interface (hc-utils starts
  // dhclient from udev, `After=network-online.target`): it waits instead of failing at once.
  it("waits up to 120 s for the private address at boot instead of failing at once", () => {
    const script = renderNodePrepScript({
      hostname: "c1",
      privateNetwork: { address: "10.0.1.10", mtu: VSWITCH_MTU },
    });
    expect(PRIVATE_ADDRESS_WAIT_SECONDS).toBe(120);
    const mtuScript = script
      .split(`cat > ${NODE_PATHS.mtuScript} <<'ENCLII_EOF'\n`)[1]
      ?.split("\nENCLII_EOF")[0];
    expect(mtuScript).toContain("deadline=$(( $(date +%s) + 120 ))");
    expect(mtuScript).toMatch(/until iface=\$\(.*\) && \[ -n "\$iface" \]; do\n/);
    expect(mtuScript).toContain('echo "enclii-private-mtu: no interface holds 10.0.1.10 after 120 s" >&2');
    expect(mtuScript).not.toMatch(/if \[ -z "\$iface" \]; then .*exit 1; fi/);
    // systemd's start timeout must outlast the wait.
    expect(script).toContain("TimeoutStartSec=150");
  });
});
