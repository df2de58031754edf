/**
 * `enclii:hetzner:CloudNetwork`: what every hcloud server of a stack shares: the private
 * Network and its cloud subnet, the Firewall (SSH and API from the admin CIDRs, ICMP), a spread
 * PlacementGroup (servers on different hosts), the SSH key, and, when dedicated servers join,
 * the `vswitch` subnet that couples their Robot vSwitch (created by the caller, since dedicated
 * servers may share one without any cloud node) to the network.
 */
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import { type AddressPlan, NETWORK_ZONES, VSWITCH_ZONE } from "./addressing";
import { renderHcloudFirewallRules } from "./firewall-rules";

/** Arguments of {@link CloudNetwork}. */
export interface CloudNetworkArgs {
  /** Prefix of every hcloud resource name, e.g. `enclii-staging`. */
  readonly prefix: string;
  /** Location of the first cloud server; decides the network zone. */
  readonly location: string;
  readonly addressing: AddressPlan;
  readonly adminCidrs: readonly string[];
  /**
   * Accept admin CIDRs wider than /16 (IPv4) or /32 (IPv6) (`access.allowWideCidrs`).
   * @default false
   */
  readonly allowWideCidrs?: boolean;
  /** Public key to upload, unless `existingSshKeyName` is set. */
  readonly sshPublicKey?: string;
  /** Use this existing hcloud SSH key instead of uploading one. */
  readonly existingSshKeyName?: string;
  /** Labels on every hcloud resource. */
  readonly labels: Record<string, string>;
  /** Id of the Robot vSwitch to couple when dedicated servers join (`addressing.vswitch`). */
  readonly vswitchId?: pulumi.Input<number>;
  /** Keep the network from being deleted by accident (production). @default false */
  readonly deleteProtection?: boolean;
}

/** The shared hcloud resources. */
export class CloudNetwork extends pulumi.ComponentResource {
  public readonly networkId: pulumi.Output<number>;
  public readonly firewallId: pulumi.Output<number>;
  public readonly placementGroupId: pulumi.Output<number>;
  public readonly sshKeyIds: pulumi.Output<string[]>;
  /** Resolves once the servers may attach (subnets exist). */
  public readonly subnets: pulumi.Resource[];

  constructor(name: string, args: CloudNetworkArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:hetzner:CloudNetwork", name, {}, opts);
    const zone = NETWORK_ZONES[args.location] ?? VSWITCH_ZONE;
    if (!args.sshPublicKey && !args.existingSshKeyName) {
      throw new Error(`enclii:hetzner:CloudNetwork ${name}: sshPublicKey or existingSshKeyName is required`);
    }
    const parent = { parent: this };
    const network = new hcloud.Network(
      `${name}-network`,
      {
        name: args.prefix,
        ipRange: args.addressing.networkCidr,
        labels: args.labels,
        deleteProtection: args.deleteProtection ?? false,
      },
      parent,
    );
    this.networkId = network.id.apply(Number);
    const cloudSubnet = new hcloud.NetworkSubnet(
      `${name}-cloud-subnet`,
      { networkId: this.networkId, type: "cloud", networkZone: zone, ipRange: args.addressing.cloudSubnet },
      parent,
    );
    this.subnets = [cloudSubnet];
    if (args.vswitchId !== undefined && args.addressing.vswitch) {
      this.subnets.push(
        new hcloud.NetworkSubnet(
          `${name}-vswitch-subnet`,
          {
            networkId: this.networkId,
            type: "vswitch",
            networkZone: VSWITCH_ZONE,
            ipRange: args.addressing.vswitchSubnet,
            vswitchId: args.vswitchId,
          },
          parent,
        ),
      );
    }
    const firewall = new hcloud.Firewall(
      `${name}-firewall`,
      {
        name: args.prefix,
        labels: args.labels,
        rules: renderHcloudFirewallRules(args.adminCidrs, { allowWideCidrs: args.allowWideCidrs ?? false }),
      },
      parent,
    );
    this.firewallId = firewall.id.apply(Number);
    const placement = new hcloud.PlacementGroup(
      `${name}-placement`,
      { name: args.prefix, type: "spread", labels: args.labels },
      parent,
    );
    this.placementGroupId = placement.id.apply(Number);
    if (args.existingSshKeyName) {
      this.sshKeyIds = hcloud
        .getSshKeyOutput({ name: args.existingSshKeyName }, parent)
        .apply((key) => [String(key.id)]);
    } else {
      const key = new hcloud.SshKey(
        `${name}-ssh-key`,
        { name: args.prefix, publicKey: args.sshPublicKey as string, labels: args.labels },
        parent,
      );
      this.sshKeyIds = key.id.apply((id) => [id]);
    }
    this.registerOutputs({
      networkId: this.networkId,
      firewallId: this.firewallId,
      placementGroupId: this.placementGroupId,
      sshKeyIds: this.sshKeyIds,
    });
  }
}
