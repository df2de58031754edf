/**
 * The private network plan: which subnets exist and which private address each node gets.
 * Pure and deterministic, so adding a node never renumbers the others of its kind.
 *
 * `privateNetworkCidr` (default 10.0.0.0/16) is split into /24s: the hcloud "cloud" subnet is
 * the second one (10.0.1.0/24), the Robot vSwitch subnet the third (10.0.2.0/24). Addresses
 * start at .10; hcloud reserves the first address of each subnet as its gateway.
 */
import { ipv4Range } from "../../stacks/config-fields";

/** The hcloud network zone of each location. */
export const NETWORK_ZONES: Record<string, string> = {
  fsn1: "eu-central",
  nbg1: "eu-central",
  hel1: "eu-central",
  ash: "us-east",
  hil: "us-west",
  sin: "ap-southeast",
};

/** The only network zone a Robot vSwitch can be coupled with. */
export const VSWITCH_ZONE = "eu-central";

/** A node as the addressing plan sees it. */
export interface AddressedNodeInput {
  readonly name: string;
  readonly kind: "dedicated" | "cloud" | "existing";
}

/** The plan. */
export interface AddressPlan {
  /** An hcloud Network is needed (any cloud node). */
  readonly hcloudNetwork: boolean;
  /** A Robot vSwitch is needed (a dedicated server with any other node). */
  readonly vswitch: boolean;
  readonly networkCidr: string;
  readonly cloudSubnet: string;
  readonly vswitchSubnet: string;
  /** Gateway of the vSwitch subnet (routes to the cloud subnet); only with an hcloud network. */
  readonly vswitchGateway?: string;
  /** Private address per node name; nodes without one use their public address. */
  readonly privateIps: Record<string, string>;
}

const toIp = (n: number) => [24, 16, 8, 0].map((shift) => (n >>> shift) & 255).join(".");

/** The largest network the plan can split (it needs three /24s). */
export const MAX_PRIVATE_PREFIX = 22;

/** Plans the private addresses. @throws when the network is too small. */
export function planAddresses(nodes: readonly AddressedNodeInput[], networkCidr: string): AddressPlan {
  const range = ipv4Range(networkCidr);
  const prefix = Number(networkCidr.split("/")[1]);
  if (!range || prefix > MAX_PRIVATE_PREFIX) {
    throw new Error(
      `privateNetworkCidr ${networkCidr} must be an IPv4 block of /${MAX_PRIVATE_PREFIX} or larger`,
    );
  }
  const subnet = (index: number) => `${toIp(range.first + index * 256)}/24`;
  const host = (index: number, offset: number) => toIp(range.first + index * 256 + offset);
  const cloud = nodes.filter((n) => n.kind === "cloud");
  const dedicated = nodes.filter((n) => n.kind === "dedicated");
  const hcloudNetwork = cloud.length > 0;
  const vswitch = dedicated.length > 0 && nodes.length > 1;
  if (cloud.length > 240 || dedicated.length > 240)
    throw new Error("at most 240 nodes of one kind fit a /24");
  const privateIps: Record<string, string> = {};
  cloud.forEach((n, i) => {
    privateIps[n.name] = host(1, 10 + i);
  });
  if (vswitch) {
    dedicated.forEach((n, i) => {
      privateIps[n.name] = host(2, 10 + i);
    });
  }
  return {
    hcloudNetwork,
    vswitch,
    networkCidr,
    cloudSubnet: subnet(1),
    vswitchSubnet: subnet(2),
    ...(vswitch && hcloudNetwork ? { vswitchGateway: host(2, 1) } : {}),
    privateIps,
  };
}
