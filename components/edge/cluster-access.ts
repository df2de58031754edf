/**
 * The path CI takes to a cluster it cannot reach directly (GitHub-hosted runners have no fixed
 * address, and SSH and the API accept only `access.adminCidrs`): SSH of every node and the
 * Kubernetes API published through the Cloudflare Tunnel as TCP routes behind Cloudflare Access.
 * A runner runs `cloudflared access tcp --hostname <tunnel hostname> --url <loopback>:<port>` per
 * route and maps the stable name to the loopback in /etc/hosts, so the kubeconfig and the SSH
 * connections of the program are the same from a workstation (the stable names resolve to the
 * nodes) and from CI. Pure.
 */

/** A node the tunnel reaches. */
export interface ClusterAccessNode {
  /** Node name; its stable SSH name is `<name>.<domain>`. */
  readonly name: string;
  readonly role: "server" | "agent";
  /** Address cloudflared dials from inside the cluster (the node's k3s `node-ip`). */
  readonly address: string;
}

/** One TCP route through the tunnel and the loopback a runner listens on for it. */
export interface ClusterAccessHost {
  /** The stable name the program connects to: `<node>.<domain>` or the API hostname. */
  readonly name: string;
  /** Proxied hostname of the tunnel route, `<first label>-tunnel.<domain>` (one level: Universal SSL). */
  readonly tunnelHostname: string;
  /** Loopback address a runner's `cloudflared access tcp` listens on. */
  readonly loopback: string;
  readonly port: number;
  /** Address cloudflared dials; the NetworkPolicy of cloudflared allows exactly this and `port`. */
  readonly address: string;
  /** cloudflared ingress service: `ssh://<address>:22` or `tcp://<address>:6443`. */
  readonly service: string;
}

/** Options of {@link clusterAccessHosts}. */
export interface ClusterAccessOptions {
  readonly domain: string;
  /** Stable API name (`k3s.apiHostname`, default `kube.<domain>`). */
  readonly apiHostname: string;
  /** Nodes in config order: the SSH loopbacks 127.0.1.<n> follow it ({@link clusterAccessEndpoints}). */
  readonly nodes: readonly ClusterAccessNode[];
  /**
   * Name of the server the API route dials (the one the API name's A record points at).
   * @default the first server in `nodes`
   */
  readonly apiServer?: string;
}

/** Loopback of the API proxy; SSH proxies take 127.0.1.<n>. */
export const API_LOOPBACK = "127.0.0.2";

/** `<first label>-tunnel.<domain>` for a name inside the domain. */
export function tunnelHostnameOf(name: string, domain: string): string {
  const label = name.endsWith(`.${domain}`) ? name.slice(0, -(domain.length + 1)) : name;
  return `${label.replace(/\./g, "-")}-tunnel.${domain}`;
}

/** Problems with the options (empty when valid). */
export function validateClusterAccess(o: ClusterAccessOptions): string[] {
  const problems: string[] = [];
  if (!o.nodes.some((n) => n.role === "server")) problems.push("nodes: no server serves the API");
  if (o.apiServer !== undefined && !o.nodes.some((n) => n.role === "server" && n.name === o.apiServer))
    problems.push(`apiServer: ${o.apiServer} is not a server of nodes`);
  if (o.nodes.length > 250)
    problems.push(`nodes: at most 250 SSH proxies fit 127.0.1.0/24 (got ${o.nodes.length})`);
  if (!o.apiHostname.endsWith(`.${o.domain}`))
    problems.push(`apiHostname: ${o.apiHostname} must lie inside ${o.domain} (the tunnel routes that zone)`);
  for (const n of o.nodes) {
    if (!/^\d{1,3}(\.\d{1,3}){3}$/.test(n.address))
      problems.push(
        `nodes: ${n.name} needs an IPv4 address for its tunnel route (got ${JSON.stringify(n.address)})`,
      );
  }
  return problems;
}

/** What a runner needs per route: the stable name, the tunnel hostname and the loopback. */
export type ClusterAccessEndpoint = Pick<ClusterAccessHost, "name" | "tunnelHostname" | "loopback" | "port">;

/**
 * The endpoints from the names alone (no addresses), so a runner can derive them from the stack
 * config before any credentials: the API first, then each node in config order.
 */
export function clusterAccessEndpoints(o: {
  readonly domain: string;
  readonly apiHostname: string;
  readonly nodeNames: readonly string[];
}): ClusterAccessEndpoint[] {
  return [
    {
      name: o.apiHostname,
      tunnelHostname: tunnelHostnameOf(o.apiHostname, o.domain),
      loopback: API_LOOPBACK,
      port: 6443,
    },
    ...o.nodeNames.map((node, i) => {
      const name = `${node}.${o.domain}`;
      return {
        name,
        tunnelHostname: tunnelHostnameOf(name, o.domain),
        loopback: `127.0.1.${i + 1}`,
        port: 22,
      };
    }),
  ];
}

/** The API route first, then one SSH route per node. @throws on invalid options */
export function clusterAccessHosts(o: ClusterAccessOptions): ClusterAccessHost[] {
  const problems = validateClusterAccess(o);
  if (problems.length > 0) throw new Error(`cluster access: ${problems.join("; ")}`);
  const api = o.nodes.find(
    (n) => n.role === "server" && (o.apiServer === undefined || n.name === o.apiServer),
  ) as ClusterAccessNode;
  const endpoints = clusterAccessEndpoints({ ...o, nodeNames: o.nodes.map((n) => n.name) });
  return endpoints.map((e, i) => {
    const node = i === 0 ? api : (o.nodes[i - 1] as ClusterAccessNode);
    const scheme = i === 0 ? "tcp" : "ssh";
    return { ...e, address: node.address, service: `${scheme}://${node.address}:${e.port}` };
  });
}
