/**
 * `enclii:edge:NodeNames`: the stable names the program connects to, as DNS-only records in the
 * zone: `<node>.<domain>` (SSH; the same name as the node's reverse DNS, so forward and reverse
 * agree) and the Kubernetes API name (`k3s.apiHostname`, the kubeconfig's server). From a
 * workstation inside `access.adminCidrs` they resolve to the nodes; CI maps the same names to its
 * `cloudflared access` proxies in /etc/hosts (components/edge/cluster-access.ts), so the
 * connections and the kubeconfig stay the same and a node address change never replaces the
 * Kubernetes provider.
 *
 * The records cannot be proxied: Cloudflare's proxy carries HTTP(S) only, not SSH or 6443. They
 * disclose the node addresses, which the Robot and hcloud firewalls close to everyone outside
 * `access.adminCidrs` anyway; the policy `cloudflare-dnsrecord-require-proxied` admits a DNS-only
 * record only with {@link NODE_ADDRESS_COMMENT}, of type A, pointing at an address.
 */
import * as cloudflare from "@pulumi/cloudflare";
import * as pulumi from "@pulumi/pulumi";

/** The comment that marks a record as a node address (and lets the policy accept it DNS-only). */
export const NODE_ADDRESS_COMMENT = "enclii-infra: node address";

/** One stable name and the address it resolves to. */
export interface NodeName {
  /** Fully qualified name inside the zone, e.g. `ax41-fsn1-1.enclii.dev`. */
  readonly name: string;
  /** Public IPv4 of the node (an hcloud server's is known once it exists). */
  readonly ipv4: pulumi.Input<string>;
  /** What the name is for, in the record's comment. */
  readonly purpose: string;
}

/** Arguments of {@link NodeNames}. */
export interface NodeNamesArgs {
  readonly zoneId: string;
  readonly names: readonly NodeName[];
  /**
   * TTL in seconds; short, so a replaced node's new address is seen within a minute.
   * @default 60
   */
  readonly ttl?: number;
}

/** Problems with the names (empty when valid). */
export function validateNodeNames(names: readonly NodeName[]): string[] {
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const n of names) {
    if (seen.has(n.name)) problems.push(`${n.name} is named twice`);
    seen.add(n.name);
  }
  return problems;
}

/** The DNS-only A records of the nodes' stable names. */
export class NodeNames extends pulumi.ComponentResource {
  /** The record of each name, for the commands that dial it to wait on. */
  public readonly records: Record<string, cloudflare.DnsRecord>;

  constructor(name: string, args: NodeNamesArgs, opts?: pulumi.ComponentResourceOptions) {
    super("enclii:edge:NodeNames", name, {}, opts);
    const problems = validateNodeNames(args.names);
    if (problems.length > 0) throw new Error(`enclii:edge:NodeNames ${name}: ${problems.join("; ")}`);
    this.records = {};
    for (const n of args.names) {
      this.records[n.name] = new cloudflare.DnsRecord(
        `${name}-${n.name}`,
        {
          zoneId: args.zoneId,
          name: n.name,
          type: "A",
          content: n.ipv4,
          // SSH and the Kubernetes API cannot pass Cloudflare's HTTP proxy.
          proxied: false,
          ttl: args.ttl ?? 60,
          comment: `${NODE_ADDRESS_COMMENT} (${n.purpose})`,
        },
        { parent: this },
      );
    }
    this.registerOutputs({ names: args.names.map((n) => n.name) });
  }
}
