/**
 * Rules that span several fields of the stack config, and the defaults that depend on them.
 * Pure functions over the parsed config; `config.ts` runs them after the schema.
 */

import { januaAdminHostname } from "../components/auth/janua-routes";
import { capacityReport } from "../components/cost/capacity";
import { tunnelHostnameOf } from "../components/edge/cluster-access";
import { BUCKET_NAME_RE, cnpgConsumer } from "../components/edge/r2-plan";
import { MAX_PRIVATE_PREFIX, NETWORK_ZONES, VSWITCH_ZONE } from "../components/hetzner/addressing";
import { adminCidrProblems } from "../components/hetzner/admin-cidrs";
import {
  ADMIN_PORTS,
  ROBOT_FIXED_INPUT_RULES,
  ROBOT_MAX_RULES,
  robotMaxAdminCidrs,
} from "../components/hetzner/firewall-rules";
import { cidrsOverlap } from "./config-fields";
import type { Environment, NodeConfig, ParsedStackConfig, TenantConfig } from "./config-schema";

/** One problem found in the configuration, with its path below `enclii-infra:`. */
export interface ConfigProblem {
  readonly path: (string | number)[];
  readonly message: string;
}

/**
 * Hostnames the platform itself serves under the apex domain. A tenant slug equal to one of
 * these would give the tenant `<slug>.<domain>` and steal the platform's route.
 */
export const RESERVED_SLUGS = ["auth", "api", "app", "grafana", "www", "origin", "status", "admin", "mail"];

function isWithin(hostname: string, domain: string): boolean {
  return hostname === domain || hostname.endsWith(`.${domain}`);
}

function duplicates<T>(items: T[], key: (item: T) => string): Map<string, number[]> {
  const seen = new Map<string, number[]>();
  items.forEach((item, index) => {
    const k = key(item);
    seen.set(k, [...(seen.get(k) ?? []), index]);
  });
  return new Map([...seen].filter(([, indexes]) => indexes.length > 1));
}

function nodeRules(cfg: ParsedStackConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { nodes } = cfg;
  if (nodes.length === 0) {
    problems.push({ path: ["nodes"], message: "needs at least one node" });
    return problems;
  }
  if (!nodes.some((n) => n.role === "server")) {
    problems.push({
      path: ["nodes"],
      message: 'needs at least one node with role "server" (k3s control plane)',
    });
  }
  for (const [name, indexes] of duplicates(nodes, (n) => n.name)) {
    for (const i of indexes.slice(1)) {
      problems.push({ path: ["nodes", i, "name"], message: `node name "${name}" is used more than once` });
    }
  }
  const dedicated = nodes
    .map((n, i) => ({ n, i }))
    .filter(
      (x): x is { n: Extract<NodeConfig, { kind: "dedicated" }>; i: number } => x.n.kind === "dedicated",
    );
  for (const [num, indexes] of duplicates(dedicated, (x) => String(x.n.serverNumber))) {
    for (const j of indexes.slice(1)) {
      const entry = dedicated[j];
      if (entry) {
        problems.push({
          path: ["nodes", entry.i, "serverNumber"],
          message: `Robot server number ${num} is used by more than one node`,
        });
      }
    }
  }
  for (const { n, i } of dedicated) {
    if (n.reverseDns && !isWithin(n.reverseDns, cfg.domain)) {
      problems.push({ path: ["nodes", i, "reverseDns"], message: `must be a name under ${cfg.domain}` });
    }
  }
  const existing = nodes.filter((n) => n.kind === "existing").length;
  if (existing > 0 && existing < nodes.length) {
    nodes.forEach((n, i) => {
      if (n.kind === "existing") {
        problems.push({
          path: ["nodes", i, "kind"],
          message:
            "an existing cluster cannot be mixed with dedicated or cloud nodes; list only existing nodes, or none",
        });
      }
    });
  }
  const servers = nodes.filter((n) => n.role === "server").length;
  if (existing === 0 && servers > 1 && servers % 2 === 0) {
    problems.push({
      path: ["nodes"],
      message: `has ${servers} server nodes; embedded etcd needs a majority, so use 1, 3 or 5 servers (make the others agents)`,
    });
  }
  if (dedicated.length > 0 && nodes.length > 1) {
    nodes.forEach((n, i) => {
      if (n.kind === "cloud" && NETWORK_ZONES[n.location] !== VSWITCH_ZONE) {
        problems.push({
          path: ["nodes", i, "location"],
          message: `joins a dedicated server through a Robot vSwitch, which only reaches the ${VSWITCH_ZONE} zone (fsn1, nbg1, hel1)`,
        });
      }
    });
  }
  const needsVSwitch = dedicated.length > 0 && nodes.length > 1;
  if (cfg.k3s.vswitchVlan !== undefined && !needsVSwitch) {
    problems.push({
      path: ["k3s", "vswitchVlan"],
      message: `sets a Robot vSwitch, but a vSwitch joins two or more dedicated servers (or dedicated servers with cloud nodes) and this stack has ${dedicated.length} dedicated and ${nodes.length - dedicated.length} other node(s); remove k3s.vswitchVlan or add the nodes it joins`,
    });
  }
  if (dedicated.length > 100) {
    problems.push({
      path: ["nodes"],
      message: `has ${dedicated.length} dedicated servers; a Robot vSwitch holds at most 100 (docs.hetzner.com/robot/dedicated-server/network/vswitch)`,
    });
  }
  return problems;
}

function networkRules(cfg: ParsedStackConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const ranges: [keyof ParsedStackConfig["k3s"], string][] = [
    ["clusterCidr", cfg.k3s.clusterCidr],
    ["serviceCidr", cfg.k3s.serviceCidr],
    ["privateNetworkCidr", cfg.k3s.privateNetworkCidr],
  ];
  for (let a = 0; a < ranges.length; a++) {
    for (let b = a + 1; b < ranges.length; b++) {
      const [nameA, valueA] = ranges[a] as [string, string];
      const [nameB, valueB] = ranges[b] as [string, string];
      if (cidrsOverlap(valueA, valueB)) {
        problems.push({
          path: ["k3s", nameB],
          message: `overlaps k3s.${nameA} (${valueA}); choose a disjoint range`,
        });
      }
    }
  }
  const provisioned = cfg.nodes.some((n) => n.kind !== "existing");
  if (provisioned && cfg.access.adminCidrs.length === 0) {
    problems.push({
      path: ["access", "adminCidrs"],
      message: "needs at least one CIDR that may reach SSH and the Kubernetes API of the provisioned nodes",
    });
  }
  if (provisioned && cfg.access.sshPublicKeys.length === 0) {
    problems.push({
      path: ["access", "sshPublicKeys"],
      message: "needs at least one OpenSSH public key for the provisioned nodes",
    });
  }
  const dedicatedCount = cfg.nodes.filter((n) => n.kind === "dedicated").length;
  // A vSwitch takes one more input rule on every dedicated server (its private network).
  const vswitch = dedicatedCount > 0 && cfg.nodes.length > 1;
  const maxCidrs = robotMaxAdminCidrs(vswitch);
  if (dedicatedCount > 0 && cfg.access.adminCidrs.length > maxCidrs) {
    problems.push({
      path: ["access", "adminCidrs"],
      message: `the Robot firewall holds ${ROBOT_MAX_RULES} input rules, ${ROBOT_FIXED_INPUT_RULES + (vswitch ? 1 : 0)} of them fixed${vswitch ? " (one for the vSwitch's private network)" : ""} and ${ADMIN_PORTS.length} per CIDR, so a dedicated server allows at most ${maxCidrs} admin CIDR(s); use a VPN range`,
    });
  }
  if (Number(cfg.k3s.privateNetworkCidr.split("/")[1]) > MAX_PRIVATE_PREFIX) {
    problems.push({
      path: ["k3s", "privateNetworkCidr"],
      message: `must be /${MAX_PRIVATE_PREFIX} or larger: it is split into /24 subnets for cloud and vSwitch nodes`,
    });
  }
  // Wide prefixes need access.allowWideCidrs; the whole internet (also as a union) never passes.
  for (const p of adminCidrProblems(cfg.access.adminCidrs, { allowWideCidrs: cfg.access.allowWideCidrs })) {
    problems.push({
      path: p.index === undefined ? ["access", "adminCidrs"] : ["access", "adminCidrs", p.index],
      message: p.message,
    });
  }
  return problems;
}

function tenantRules(cfg: ParsedStackConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const { tenants } = cfg;
  for (const [s, indexes] of duplicates(tenants, (t) => t.slug)) {
    for (const i of indexes.slice(1)) {
      problems.push({ path: ["tenants", i, "slug"], message: `tenant slug "${s}" is used more than once` });
    }
  }
  tenants.forEach((t, i) => {
    // `*-admin`: a dedicated Janua of tenant <s> serves auth-<s>-admin (components/auth/janua-routes.ts),
    // which tenant <s>-admin's own Janua would take as its public hostname.
    if (RESERVED_SLUGS.includes(t.slug) || t.slug.startsWith("auth-") || t.slug.endsWith("-admin")) {
      problems.push({
        path: ["tenants", i, "slug"],
        message: `is reserved for a platform hostname (${RESERVED_SLUGS.join(", ")}, auth-*, *-admin); pick another slug`,
      });
    }
    t.domains.forEach((domain, j) => {
      if (isWithin(domain, cfg.domain)) {
        problems.push({
          path: ["tenants", i, "domains", j],
          message: `is inside ${cfg.domain}; the tenant already gets ${t.slug}.${cfg.domain}, list only domains you do not own`,
        });
      }
    });
  });
  const allDomains = tenants.flatMap((t: TenantConfig, i) => t.domains.map((d, j) => ({ d, i, j })));
  for (const [d, indexes] of duplicates(allDomains, (x) => x.d)) {
    for (const k of indexes.slice(1)) {
      const entry = allDomains[k];
      if (entry) {
        problems.push({
          path: ["tenants", entry.i, "domains", entry.j],
          message: `custom domain ${d} is claimed by more than one tenant`,
        });
      }
    }
  }
  return problems;
}

function serviceRules(cfg: ParsedStackConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const hostnames: [(string | number)[], string | undefined][] = [
    [["janua", "hostname"], cfg.janua.hostname],
    [["controlPlane", "apiHostname"], cfg.controlPlane.apiHostname],
    [["controlPlane", "uiHostname"], cfg.controlPlane.uiHostname],
    [["monitoring", "grafanaHostname"], cfg.monitoring.grafanaHostname],
    [["cloudflare", "fallbackOrigin"], cfg.cloudflare.fallbackOrigin],
    [["k3s", "apiHostname"], cfg.k3s.apiHostname],
  ];
  for (const [path, host] of hostnames) {
    if (host !== undefined && !isWithin(host, cfg.domain)) {
      problems.push({
        path,
        message: `must be a hostname under ${cfg.domain} (the tunnel only routes that zone)`,
      });
    }
  }
  const nodeCount = cfg.nodes.length;
  if (cfg.redis.mode === "sentinel") {
    // The Redis side of sentinel mode is built and tested (tests/integration/redis-failover.test.ts),
    // but neither consumer can use it: Janua's redis-py `from_url` rejects `redis+sentinel://`
    // (redis/connection.py parse_url: redis, rediss, unix only) and runs without Redis, and
    // switchyard-api neither sets go-redis's SentinelUsername/SentinelPassword nor reads a master
    // name the program sets (madfam-org/enclii internal/cache/redis.go, ENCLII_REDIS_SENTINEL_*).
    problems.push({
      path: ["redis", "mode"],
      message:
        nodeCount < 3
          ? `sentinel needs 3 or more nodes for a quorum of 2 (this stack has ${nodeCount}), and neither Janua nor switchyard-api can connect through Sentinels yet; use standalone`
          : "neither Janua (redis-py rejects redis+sentinel:// URLs) nor switchyard-api (no Sentinel credentials or master name) can connect through Sentinels yet; use standalone (docs/redis.md)",
    });
  }
  if (cfg.postgres.instances !== undefined && nodeCount > 0 && cfg.postgres.instances > nodeCount) {
    problems.push({
      path: ["postgres", "instances"],
      message: `is more than the ${nodeCount} node(s); each instance needs its own node`,
    });
  }
  const storageNodes = cfg.nodes.filter((n) => n.storage).length;
  if (cfg.storage.replicaCount !== undefined && cfg.storage.replicaCount > storageNodes) {
    problems.push({
      path: ["storage", "replicaCount"],
      message: `is more than the ${storageNodes} storage node(s); Longhorn places each replica on its own node`,
    });
  }
  const clusters = [
    "postgres",
    ...cfg.tenants.filter((t) => t.auth === "dedicated").map((t) => `janua-${t.slug}`),
  ];
  for (const [cluster, r] of Object.entries(cfg.postgres.recovery)) {
    if (!clusters.includes(cluster)) {
      problems.push({
        path: ["postgres", "recovery", cluster],
        message: `is not a PostgreSQL cluster of this stack; use one of ${clusters.join(", ")}`,
      });
    }
    if (r.archiveServerName === r.fromServerName) {
      problems.push({
        path: ["postgres", "recovery", cluster, "archiveServerName"],
        message: `must differ from fromServerName (${r.fromServerName}): a recovered cluster writes to a new, empty archive`,
      });
    }
  }
  if (cfg.monitoring.enabled && cfg.access.adminEmails.length === 0) {
    problems.push({
      path: ["access", "adminEmails"],
      message:
        "needs at least one email: Grafana is only reachable through Cloudflare Access (or set monitoring.enabled: false)",
    });
  }
  return problems;
}

/** Cloudflare rules: custom metadata only where enabled, a team name for Access, R2 bucket names. */
function cloudflareRules(cfg: ParsedStackConfig): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  cfg.tenants.forEach((t, i) => {
    if (t.customMetadata === undefined) return;
    if (!cfg.cloudflare.customMetadata) {
      problems.push({
        path: ["tenants", i, "customMetadata"],
        message:
          "needs cloudflare.customMetadata: true, and that only after your Cloudflare account team enabled custom metadata for Cloudflare for SaaS (a custom hostname with it is rejected otherwise)",
      });
    }
    if ("tenant" in t.customMetadata) {
      problems.push({
        path: ["tenants", i, "customMetadata", "tenant"],
        message: `is set by the platform to the slug (${t.slug}); use another key`,
      });
    }
  });
  // Every Access-protected route needs it: Janua's admin hostnames (always: the program's own Janua
  // API calls use them, components/auth/janua-routes.ts), Grafana (monitoring), and the TCP routes
  // to SSH and the API that every provisioned node gets (stacks/edge.ts clusterAccess). The config
  // says so here, before enclii:edge:Tunnel would refuse the same routes mid-plan.
  const provisioned = cfg.nodes.some((n) => n.kind !== "existing");
  if (cfg.cloudflare.accessTeamName === undefined) {
    const reasons = [
      "Janua's admin hostname (the program's own Janua API calls) is behind Cloudflare Access",
      ...(provisioned
        ? ["SSH and the Kubernetes API of the provisioned nodes are tunnel routes behind Cloudflare Access"]
        : []),
      ...(cfg.monitoring.enabled ? ["Grafana is behind Cloudflare Access"] : []),
    ];
    problems.push({
      path: ["cloudflare", "accessTeamName"],
      message: `is required: ${reasons.join(", and ")}, and cloudflared checks the Access token against <team>.cloudflareaccess.com; set the team name (Zero Trust > Settings > Team domain)`,
    });
  }
  cfg.tenants.forEach((t, i) => {
    if (t.auth !== "dedicated") return;
    const bucket = `${cfg.cloudflare.r2.bucketPrefix}-${cnpgConsumer(`janua-${t.slug}`)}`;
    if (!BUCKET_NAME_RE.test(bucket)) {
      problems.push({
        path: ["tenants", i, "slug"],
        message: `gives the tenant's archive bucket ${bucket} (${bucket.length} characters), but R2 bucket names are 3 to 63 lowercase letters, digits and hyphens, not ending in one; shorten the slug or cloudflare.r2.bucketPrefix`,
      });
    }
  });
  return problems;
}

/** One name the program puts in the zone, and the config key it comes from. */
export interface ZoneName {
  readonly name: string;
  readonly path: (string | number)[];
  /** What the name is, for messages. */
  readonly what: string;
}

/**
 * The zone names the tunnel serves (proxied CNAMEs to `<tunnel>.cfargotunnel.com`): the platform's
 * routes (`stacks/tenants.ts` platformRoutes: Janua and its admin hostname, the control plane, each
 * dedicated `auth-<slug>.<domain>` with `auth-<slug>-admin.<domain>`, Grafana), each tenant's
 * `<slug>.<domain>` (the wildcard record and the tunnel's catch-all to the router, then its
 * HTTPRoute) and the SaaS fallback origin.
 * Tenant custom domains lie outside the zone (tenantRules). A stack test keeps this list equal to
 * what platformRoutes returns.
 */
export function routedZoneNames(cfg: StackConfig): ZoneName[] {
  return [
    { name: cfg.janua.hostname, path: ["janua", "hostname"], what: "Janua's tunnel route" },
    {
      name: januaAdminHostname(cfg.janua.hostname),
      path: ["janua", "hostname"],
      what: "Janua's admin tunnel route (behind Access)",
    },
    {
      name: cfg.controlPlane.apiHostname,
      path: ["controlPlane", "apiHostname"],
      what: "the control plane API's tunnel route",
    },
    {
      name: cfg.controlPlane.uiHostname,
      path: ["controlPlane", "uiHostname"],
      what: "the control plane UI's tunnel route",
    },
    ...(cfg.monitoring.enabled
      ? [
          {
            name: cfg.monitoring.grafanaHostname,
            path: ["monitoring", "grafanaHostname"],
            what: "Grafana's tunnel route",
          },
        ]
      : []),
    {
      name: cfg.cloudflare.fallbackOrigin,
      path: ["cloudflare", "fallbackOrigin"],
      what: "the Cloudflare for SaaS fallback origin (a CNAME to the tunnel)",
    },
    ...cfg.tenants.flatMap((t, i) => [
      {
        name: `${t.slug}.${cfg.domain}`,
        path: ["tenants", i, "slug"],
        what: `tenant ${t.slug}'s hostname (its HTTPRoute on the router)`,
      },
      ...(t.auth === "dedicated"
        ? [
            {
              name: `auth-${t.slug}.${cfg.domain}`,
              path: ["tenants", i, "slug"],
              what: `tenant ${t.slug}'s Janua route`,
            },
            {
              name: januaAdminHostname(`auth-${t.slug}.${cfg.domain}`),
              path: ["tenants", i, "slug"],
              what: `tenant ${t.slug}'s Janua admin route (behind Access)`,
            },
          ]
        : []),
    ]),
  ];
}

/**
 * The stable names of provisioned nodes: DNS-only A records `<node>.<domain>` and `k3s.apiHostname`
 * (components/edge/node-names.ts), and each one's TCP route `<label>-tunnel.<domain>`, a proxied
 * CNAME (components/edge/cluster-access.ts tunnelHostnameOf). None for an existing cluster.
 */
export function nodeZoneNames(cfg: StackConfig): { records: ZoneName[]; tunnels: ZoneName[] } {
  if (!cfg.nodes.some((n) => n.kind !== "existing")) return { records: [], tunnels: [] };
  const records: ZoneName[] = [
    ...cfg.nodes.map((n, i) => ({
      name: `${n.name}.${cfg.domain}`,
      path: ["nodes", i, "name"],
      what: `the DNS-only A record of node ${n.name} (SSH)`,
    })),
    {
      name: cfg.k3s.apiHostname,
      path: ["k3s", "apiHostname"],
      what: "the DNS-only A record of the Kubernetes API",
    },
  ];
  const tunnels = records.map((r) => ({
    name: tunnelHostnameOf(r.name, cfg.domain),
    path: r.path,
    what: `the tunnel route of ${r.name} (a CNAME)`,
  }));
  return { records, tunnels };
}

/**
 * The names of the nodes (A records and their `-tunnel` CNAMEs) are disjoint from each other and
 * from every routed name: a CNAME cannot share its name with any other record (RFC 1034 §3.6.2),
 * and Cloudflare refuses the second record (API error 81053/81054 "A CNAME record with that host
 * already exists", developers.cloudflare.com/dns/manage-dns-records/troubleshooting/records-with-same-name/).
 * Reported on `nodes[i].name`, or `k3s.apiHostname` when no node is involved.
 */
function zoneNameRules(parsed: ParsedStackConfig): ConfigProblem[] {
  const cfg = resolveStackConfig(parsed, "rules");
  const { records, tunnels } = nodeZoneNames(cfg);
  if (records.length === 0) return [];
  const all = [...records, ...tunnels, ...routedZoneNames(cfg)];
  const problems: ConfigProblem[] = [];
  const reported = new Set<string>();
  for (const mine of [...records, ...tunnels]) {
    const others = all.filter((o) => o.name === mine.name && o !== mine);
    if (others.length === 0) continue;
    // One problem per key: a node is blamed before the API name, which has a working default.
    const blamed = [mine, ...others].find((o) => o.path[0] === "nodes") ?? mine;
    const key = blamed.path.join(".");
    if (reported.has(key)) continue;
    reported.add(key);
    const clash = [mine, ...others].filter((o) => o !== blamed);
    const at = (p: (string | number)[]) =>
      p.map((seg, n) => (typeof seg === "number" ? `[${seg}]` : n === 0 ? seg : `.${seg}`)).join("");
    const cname = [blamed, ...clash].some((o) => !records.includes(o));
    const why = cname
      ? "a CNAME shares its name with no other record (RFC 1034 §3.6.2) and Cloudflare refuses it"
      : "enclii:edge:NodeNames creates one A record per name";
    problems.push({
      path: blamed.path,
      message: `gives ${blamed.what}, ${blamed.name}, which is also ${clash.map((o) => `${o.what} (${at(o.path)})`).join(" and ")}; ${why}, so ${blamed.path[0] === "nodes" ? "rename the node" : "choose another k3s.apiHostname"}`,
    });
  }
  return problems;
}

/** A committed sibling stack's Cloudflare account, as the config loader read it. */
export interface SiblingStack {
  readonly stack: string;
  readonly accountId?: string;
}

/**
 * Advisory rules: worth a warning, never a stop. Sharing one Cloudflare account between stacks
 * is allowed but shares everything account-wide: an API token with "Cloudflare Tunnel Write" can
 * read any tunnel's token (`GET /cfd_tunnel/{id}/token`), R2 admin and Access edits reach every
 * stack's buckets and applications.
 */
export function advisoryRules(cfg: ParsedStackConfig, siblings: readonly SiblingStack[]): ConfigProblem[] {
  const shared = siblings.filter((s) => s.accountId === cfg.cloudflare.accountId).map((s) => s.stack);
  if (shared.length === 0) return [];
  return [
    {
      path: ["cloudflare", "accountId"],
      message: `is also the account of stack ${shared.sort().join(", ")}: API tokens and Tunnel permissions are account-wide, so a token of one stack can read the other's tunnel token, R2 buckets and Access applications; use a Cloudflare account per environment (README "Cloudflare accounts")`,
    },
  ];
}

/** Off-node alerting (issue 20): Cloudflare's tunnel health email needs a recipient. */
function alertingRules(cfg: ParsedStackConfig): ConfigProblem[] {
  const m = cfg.monitoring;
  if (!m.tunnelHealthNotification || (m.alertEmail?.to.length ?? 0) > 0 || cfg.access.adminEmails.length > 0)
    return [];
  return [
    {
      path: ["monitoring", "tunnelHealthNotification"],
      message:
        "is on but nobody would get Cloudflare's tunnel health email: set monitoring.alertEmail.to or access.adminEmails, or set it to false",
    },
  ];
}

function capacityRules(cfg: ParsedStackConfig): ConfigProblem[] {
  if (cfg.nodes.length === 0 || cfg.nodes.some((n) => n.kind === "existing")) return [];
  const report = capacityReport({
    ...cfg,
    postgres: { ...cfg.postgres, instances: cfg.postgres.instances ?? Math.min(3, cfg.nodes.length) },
  });
  // A node of unknown size cannot be judged; the cost estimate asks for its price.
  if (report.fits || report.unknownNodes.length > 0) return [];
  const f = (a: { cpu: number; memoryGiB: number }) =>
    `${a.cpu.toFixed(1)} CPU / ${a.memoryGiB.toFixed(1)} GiB`;
  return [
    {
      path: ["tenants"],
      message: `need ${f(report.tenants)} of requests on top of the platform's ${f(report.platform)}, but the nodes offer ${f(report.allocatable)} x ${report.overcommit} overcommit; add a node, move a tenant to a smaller tier or raise capacity.overcommit`,
    },
  ];
}

/** Runs every cross-field rule and returns all problems found. */
export function checkStackRules(cfg: ParsedStackConfig): ConfigProblem[] {
  const problems = [
    ...nodeRules(cfg),
    ...networkRules(cfg),
    ...tenantRules(cfg),
    ...serviceRules(cfg),
    ...cloudflareRules(cfg),
    ...alertingRules(cfg),
  ];
  // Zone names are derived from hostnames the rules above check; judge them on valid ones.
  if (problems.length === 0) problems.push(...zoneNameRules(cfg));
  // Capacity only means something for an otherwise valid stack.
  return problems.length > 0 ? problems : capacityRules(cfg);
}

/** The stack configuration with every derived default filled in. */
export type StackConfig = ParsedStackConfig & {
  readonly stack: string;
  /** True in production: stateful resources get `protect: true`. */
  readonly protect: boolean;
  readonly janua: ParsedStackConfig["janua"] & { hostname: string };
  readonly controlPlane: ParsedStackConfig["controlPlane"] & { apiHostname: string; uiHostname: string };
  readonly monitoring: ParsedStackConfig["monitoring"] & { grafanaHostname: string };
  readonly cloudflare: ParsedStackConfig["cloudflare"] & { fallbackOrigin: string };
  readonly k3s: ParsedStackConfig["k3s"] & { apiHostname: string };
  readonly postgres: ParsedStackConfig["postgres"] & { instances: number };
  readonly storage: ParsedStackConfig["storage"] & { replicaCount: number };
};

/** Fills the defaults that depend on other fields (hostnames from the domain, counts from nodes). */
export function resolveStackConfig(cfg: ParsedStackConfig, stack: string): StackConfig {
  const env: Environment = cfg.environment;
  const storageNodes = Math.max(1, cfg.nodes.filter((n) => n.storage).length);
  return {
    ...cfg,
    stack,
    protect: env === "production",
    nodes: cfg.nodes.map((n) =>
      n.kind === "dedicated" ? { ...n, reverseDns: n.reverseDns ?? `${n.name}.${cfg.domain}` } : n,
    ),
    cloudflare: {
      ...cfg.cloudflare,
      fallbackOrigin: cfg.cloudflare.fallbackOrigin ?? `origin.${cfg.domain}`,
    },
    janua: { ...cfg.janua, hostname: cfg.janua.hostname ?? `auth.${cfg.domain}` },
    controlPlane: {
      ...cfg.controlPlane,
      apiHostname: cfg.controlPlane.apiHostname ?? `api.${cfg.domain}`,
      uiHostname: cfg.controlPlane.uiHostname ?? `app.${cfg.domain}`,
    },
    monitoring: {
      ...cfg.monitoring,
      grafanaHostname: cfg.monitoring.grafanaHostname ?? `grafana.${cfg.domain}`,
    },
    k3s: { ...cfg.k3s, apiHostname: cfg.k3s.apiHostname ?? `kube.${cfg.domain}` },
    postgres: { ...cfg.postgres, instances: cfg.postgres.instances ?? Math.min(3, cfg.nodes.length) },
    storage: { ...cfg.storage, replicaCount: cfg.storage.replicaCount ?? Math.min(3, storageNodes) },
  };
}
