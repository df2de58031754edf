/**
 * `enclii:hetzner:DedicatedServer`: a Robot dedicated server (AX41-NVMe) made ready for k3s:
 * its Robot firewall (SSH and API from the admin CIDRs only, nothing else inbound), its name and
 * the reverse DNS of its IPv4. The operating system is installed beforehand (installimage);
 * node preparation happens over SSH in the k3s cluster component.
 */
import * as pulumi from "@pulumi/pulumi";
import { renderRobotFirewall } from "./firewall-rules";
import { type RobotConnectionArgs, RobotFirewall, RobotReverseDns, RobotServerName } from "./robot-resources";

/** Arguments of {@link DedicatedServer}. */
export interface DedicatedServerArgs {
  /** Robot server number. */
  readonly serverNumber: number;
  /** Main IPv4 of the server. */
  readonly ipv4: string;
  /** Server name in Robot and hostname. */
  readonly hostname: string;
  /** PTR of the IPv4, e.g. `ax41-fsn1-1.enclii.dev`. */
  readonly reverseDns: string;
  /** CIDRs allowed to reach SSH (22) and the Kubernetes API (6443). */
  readonly adminCidrs: readonly string[];
  /**
   * Accept admin CIDRs wider than /16 (IPv4) or /32 (IPv6) (`access.allowWideCidrs`); the
   * whole internet stays refused.
   * @default false
   */
  readonly allowWideCidrs?: boolean;
  /**
   * What removing this server from the stack does to its Robot firewall: `retain` leaves it
   * active with its rules, `disable` turns it off (docs/nodes.md).
   * @default "retain"
   */
  readonly firewallOnDelete?: "retain" | "disable";
  /** The private network its vSwitch carries, when it has one (multi-node clusters). */
  readonly privateNetwork?: { readonly sourceCidr: string; readonly vswitchSubnet: string };
  /** Robot webservice credentials. */
  readonly robot: RobotConnectionArgs;
}

/** A dedicated server's Robot-side configuration. */
export class DedicatedServer extends pulumi.ComponentResource {
  /** Address SSH and the API are reached on. */
  public readonly ipv4: pulumi.Output<string>;
  /** The firewall resource; node bootstrap waits for it so SSH is already restricted. */
  public readonly firewall: RobotFirewall;
  /** The server's IPv6 /64 as Robot reports it; empty when it has none. */
  public readonly ipv6Network: pulumi.Output<string>;

  constructor(name: string, args: DedicatedServerArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:hetzner:DedicatedServer", name, {}, opts);
    // Rendered (and validated: 10-rule limit, no world-open or unacknowledged wide CIDR, rule
    // names Robot accepts) before any API call.
    const firewall = renderRobotFirewall(args.adminCidrs, {
      allowWideCidrs: args.allowWideCidrs ?? false,
      serverIpv4: args.ipv4,
      ...(args.privateNetwork ? { privateNetwork: args.privateNetwork } : {}),
    });
    const common = { serverNumber: args.serverNumber, connection: args.robot };
    this.firewall = new RobotFirewall(
      `${name}-firewall`,
      { ...common, firewall, onDelete: args.firewallOnDelete ?? "retain" },
      { parent: this },
    );
    const serverName = new RobotServerName(
      `${name}-name`,
      { ...common, name: args.hostname },
      { parent: this },
    );
    // Empty when Robot reports no IPv6 for the server.
    this.ipv6Network = serverName.serverIpv6Net.apply((net) => net ?? "");
    new RobotReverseDns(`${name}-rdns`, { ...common, ip: args.ipv4, ptr: args.reverseDns }, { parent: this });
    this.ipv4 = pulumi.output(args.ipv4);
    this.registerOutputs({ ipv4: this.ipv4 });
  }
}
