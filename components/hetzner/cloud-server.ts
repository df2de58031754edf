/**
 * `enclii:hetzner:CloudServer`: one hcloud server for k3s, attached to the shared network,
 * firewall and placement group, with cloud-init user data that prepares it for k3s and Longhorn.
 */
import * as hcloud from "@pulumi/hcloud";
import * as pulumi from "@pulumi/pulumi";
import type { CloudNetwork } from "./cloud-network";
import { renderCloudInit } from "./node-prep";

/** hcloud's limit on user data. */
export const HCLOUD_USER_DATA_LIMIT = 32 * 1024;

/** Arguments of {@link CloudServer}. */
export interface CloudServerArgs {
  readonly hostname: string;
  /** e.g. `cpx31`. */
  readonly serverType: string;
  /** e.g. `fsn1`. */
  readonly location: string;
  /** e.g. `ubuntu-24.04`. */
  readonly image: string;
  /** Address on the private network. */
  readonly privateIp: string;
  readonly network: CloudNetwork;
  /** Public keys for root, written by cloud-init too. */
  readonly sshPublicKeys: readonly string[];
  readonly labels: Record<string, string>;
  /** Delete and rebuild protection (production). @default false */
  readonly protection?: boolean;
}

/** One hcloud server. */
export class CloudServer extends pulumi.ComponentResource {
  public readonly ipv4: pulumi.Output<string>;
  public readonly ipv6: pulumi.Output<string>;
  /** The server's IPv6 /64 (every address in it reaches the server). */
  public readonly ipv6Network: pulumi.Output<string>;
  public readonly privateIp: string;
  public readonly server: hcloud.Server;

  constructor(name: string, args: CloudServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:hetzner:CloudServer", name, {}, opts);
    const userData = renderCloudInit({ hostname: args.hostname, sshPublicKeys: args.sshPublicKeys });
    if (Buffer.byteLength(userData) > HCLOUD_USER_DATA_LIMIT) {
      throw new Error(
        `enclii:hetzner:CloudServer ${name}: user data is ${Buffer.byteLength(userData)} bytes, over hcloud's 32 KiB`,
      );
    }
    const protection = args.protection ?? false;
    this.server = new hcloud.Server(
      `${name}-server`,
      {
        name: args.hostname,
        serverType: args.serverType,
        image: args.image,
        location: args.location,
        sshKeys: args.network.sshKeyIds,
        firewallIds: [args.network.firewallId],
        placementGroupId: args.network.placementGroupId,
        networks: [{ networkId: args.network.networkId, ip: args.privateIp }],
        publicNets: [{ ipv4Enabled: true, ipv6Enabled: true }],
        userData,
        labels: args.labels,
        deleteProtection: protection,
        rebuildProtection: protection,
      },
      {
        parent: this,
        dependsOn: args.network.subnets,
        protect: protection,
        // cloud-init only runs on first boot: a changed template must not rebuild a live node.
        ignoreChanges: ["userData", "image"],
      },
    );
    this.ipv4 = this.server.ipv4Address;
    this.ipv6 = this.server.ipv6Address;
    this.ipv6Network = this.server.ipv6Network;
    this.privateIp = args.privateIp;
    this.registerOutputs({ ipv4: this.ipv4, ipv6: this.ipv6, privateIp: this.privateIp });
  }
}
