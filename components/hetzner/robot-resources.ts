/**
 * Pulumi resources backed by the Robot dynamic providers. Inputs are `pulumi.Input`s; the
 * connection (webservice credentials) is always passed as a secret. Every resource carries
 * `providerVersion` ({@link ROBOT_PROVIDER_VERSION}): a bump makes the next `up` update each
 * resource and so store the new serialized provider, which `read` and `delete` run (see
 * robot-provider.ts; bump it whenever that file changes).
 */
import * as pulumi from "@pulumi/pulumi";
import type { RobotFirewallSpec } from "./firewall-rules";
import {
  ROBOT_PROVIDER_VERSION,
  type RobotConnection,
  type RobotTiming,
  robotFirewallProvider,
  robotReverseDnsProvider,
  robotServerNameProvider,
  robotVSwitchProvider,
} from "./robot-provider";

/** Webservice credentials and endpoint. */
export interface RobotConnectionArgs {
  readonly user: pulumi.Input<string>;
  readonly password: pulumi.Input<string>;
  /** @default "https://robot-ws.your-server.de" */
  readonly endpoint?: pulumi.Input<string>;
  readonly timing?: RobotTiming;
}

/** The connection as one secret input. */
export function robotConnection(args: RobotConnectionArgs): pulumi.Output<RobotConnection> {
  return pulumi.secret(
    pulumi.all([args.user, args.password, args.endpoint]).apply(
      ([user, password, endpoint]): RobotConnection => ({
        user,
        password,
        ...(endpoint ? { endpoint } : {}),
        ...(args.timing ? { timing: args.timing } : {}),
      }),
    ),
  );
}

/** The Robot firewall of a server. */
export class RobotFirewall extends pulumi.dynamic.Resource {
  declare public readonly serverIp: pulumi.Output<string | null>;
  declare public readonly state: pulumi.Output<Record<string, unknown>>;

  constructor(
    name: string,
    args: {
      serverNumber: pulumi.Input<number>;
      firewall: RobotFirewallSpec;
      connection: RobotConnectionArgs;
      /**
       * `retain` (default): deleting the resource leaves the live firewall active as it is;
       * `disable`: deleting turns it off and leaves the server unfiltered.
       * @default "retain"
       */
      onDelete?: "retain" | "disable";
    },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      robotFirewallProvider,
      name,
      {
        serverNumber: args.serverNumber,
        firewall: args.firewall,
        onDelete: args.onDelete ?? "retain",
        connection: robotConnection(args.connection),
        providerVersion: ROBOT_PROVIDER_VERSION,
        serverIp: undefined,
        state: undefined,
      },
      opts,
      "enclii",
      "RobotFirewall",
    );
  }
}

/** The name of a server in Robot. */
export class RobotServerName extends pulumi.dynamic.Resource {
  declare public readonly serverIp: pulumi.Output<string | null>;
  /** The server's IPv6 /64 as Robot reports it (`server_ipv6_net`), null when it has none. */
  declare public readonly serverIpv6Net: pulumi.Output<string | null>;

  constructor(
    name: string,
    args: { serverNumber: pulumi.Input<number>; name: pulumi.Input<string>; connection: RobotConnectionArgs },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      robotServerNameProvider,
      name,
      {
        serverNumber: args.serverNumber,
        name: args.name,
        connection: robotConnection(args.connection),
        providerVersion: ROBOT_PROVIDER_VERSION,
        serverIp: undefined,
        serverIpv6Net: undefined,
      },
      opts,
      "enclii",
      "RobotServerName",
    );
  }
}

/** The PTR record of an address. */
export class RobotReverseDns extends pulumi.dynamic.Resource {
  constructor(
    name: string,
    args: {
      ip: pulumi.Input<string>;
      ptr: pulumi.Input<string>;
      serverNumber: pulumi.Input<number>;
      connection: RobotConnectionArgs;
    },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      robotReverseDnsProvider,
      name,
      {
        ip: args.ip,
        ptr: args.ptr,
        serverNumber: args.serverNumber,
        connection: robotConnection(args.connection),
        providerVersion: ROBOT_PROVIDER_VERSION,
      },
      opts,
      "enclii",
      "RobotReverseDns",
    );
  }
}

/** A Robot vSwitch with servers attached. */
export class RobotVSwitch extends pulumi.dynamic.Resource {
  declare public readonly vswitchId: pulumi.Output<number>;

  constructor(
    name: string,
    args: {
      name: pulumi.Input<string>;
      vlan: pulumi.Input<number>;
      serverNumbers: pulumi.Input<number[]>;
      connection: RobotConnectionArgs;
    },
    opts?: pulumi.CustomResourceOptions,
  ) {
    super(
      robotVSwitchProvider,
      name,
      {
        name: args.name,
        vlan: args.vlan,
        serverNumbers: args.serverNumbers,
        connection: robotConnection(args.connection),
        providerVersion: ROBOT_PROVIDER_VERSION,
        vswitchId: undefined,
      },
      opts,
      "enclii",
      "RobotVSwitch",
    );
  }
}
