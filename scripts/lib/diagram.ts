/**
 * A Mermaid flowchart of a planned stack: nodes, the k3s cluster, platform services, the tunnel's
 * routes and the tenants (grouped by tier; collapsed to one box per tier when there are many).
 * Pure: built from `plan.json` alone, so the summary, the README and tests draw the same picture.
 */
import { componentOf, indexByUrn } from "./plan-components";
import type { PlanDocument, PlanResource } from "./plan-document";

/** Above this many tenants, each tier is drawn as one box. */
export const MAX_TENANT_BOXES = 12;

type Obj = Record<string, unknown>;

const NODE_TYPES: Record<string, string> = {
  "enclii:hetzner:DedicatedServer": "dedicated",
  "enclii:hetzner:CloudServer": "hcloud",
};
/** Top-level components drawn outside the platform box. */
const OUTSIDE = new Set([
  ...Object.keys(NODE_TYPES),
  "enclii:hetzner:CloudNetwork",
  "enclii:k3s:Cluster",
  "enclii:k3s:Namespaces",
  // Network policies, not a service.
  "enclii:data:DataNetwork",
  "enclii:tenancy:Tenant",
  "enclii:edge:Tunnel",
  "enclii:edge:R2Buckets",
  "enclii:edge:ZoneSettings",
  "enclii:edge:SaasHostnames",
  // DNS records of the nodes' stable names, not a service.
  "enclii:edge:NodeNames",
]);

/** A Mermaid node id from any name. */
export function mermaidId(prefix: string, name: string): string {
  return `${prefix}_${name.replace(/[^A-Za-z0-9]/g, "_")}`;
}

/** A quoted Mermaid label. */
function label(text: string): string {
  return `"${text.replace(/"/g, "#quot;")}"`;
}

function meta(r: PlanResource): Obj {
  return ((r.inputs as Obj).metadata ?? {}) as Obj;
}

function topLevel(plan: PlanDocument, stackUrn: string | undefined): PlanResource[] {
  return plan.resources.filter((r) => !r.custom && r.parent === stackUrn && r.type !== "pulumi:pulumi:Stack");
}

interface Tenant {
  readonly slug: string;
  readonly tier: string;
  readonly namespace: string;
  readonly component: string;
  readonly dedicatedAuthNamespace?: string;
}

function tenantsOf(plan: PlanDocument, byUrn: Map<string, PlanResource>): Tenant[] {
  const tenants = new Map<string, Tenant>();
  for (const r of plan.resources) {
    if (!r.type.endsWith(":Namespace") || !r.custom) continue;
    const labels = (meta(r).labels ?? {}) as Record<string, string>;
    const slug = labels["enclii.dev/tenant"];
    if (!slug) continue;
    const component = componentOf(byUrn, r.parent);
    const current = tenants.get(slug);
    if (labels["enclii.dev/tier"]) {
      tenants.set(slug, {
        ...current,
        slug,
        tier: labels["enclii.dev/tier"],
        namespace: String(meta(r).name),
        component,
      });
    } else if (current) {
      tenants.set(slug, { ...current, dedicatedAuthNamespace: String(meta(r).name) });
    } else {
      tenants.set(slug, {
        slug,
        tier: "",
        namespace: "",
        component,
        dedicatedAuthNamespace: String(meta(r).name),
      });
    }
  }
  return [...tenants.values()].filter((t) => t.namespace).sort((a, b) => a.slug.localeCompare(b.slug));
}

/** Renders the Mermaid flowchart of a plan. */
export function renderDiagram(plan: PlanDocument): string {
  const byUrn = indexByUrn(plan);
  const stackUrn = plan.resources.find((r) => r.type === "pulumi:pulumi:Stack")?.urn;
  const top = topLevel(plan, stackUrn);
  const lines: string[] = ["flowchart LR", `  users((${label("users")}))`];
  const has = (type: string) => top.some((r) => r.type === type);

  // Cloudflare.
  lines.push(`  subgraph cloudflare[${label("Cloudflare")}]`);
  if (has("enclii:edge:Tunnel")) lines.push(`    tunnel[${label("Tunnel (no open inbound ports)")}]`);
  if (has("enclii:edge:SaasHostnames"))
    lines.push(`    saas[${label("Cloudflare for SaaS custom hostnames")}]`);
  const buckets = plan.resources
    .filter((r) => r.type === "cloudflare:index/r2Bucket:R2Bucket")
    .map((r) => String((r.inputs as Obj).name ?? r.name));
  if (buckets.length) lines.push(`    r2[(${label(`R2: ${buckets.join(", ")}`)})]`);
  lines.push("  end");

  // Machines and the cluster.
  lines.push(`  subgraph machines[${label("Hetzner")}]`);
  for (const n of top.filter((r) => NODE_TYPES[r.type])) {
    lines.push(`    ${mermaidId("node", n.name)}[${label(`${n.name} (${NODE_TYPES[n.type]})`)}]`);
  }
  lines.push("  end");
  lines.push(`  subgraph cluster[${label("k3s cluster")}]`);
  lines.push(`    subgraph platform[${label("platform services")}]`);
  const platformIds = new Map<string, string>();
  for (const c of top.filter((r) => !OUTSIDE.has(r.type))) {
    const id = mermaidId("svc", c.name);
    platformIds.set(`${c.type} ${c.name}`, id);
    lines.push(`      ${id}[${label(`${c.name} (${c.type.split(":").pop()})`)}]`);
  }
  lines.push("    end");

  // Tenants, grouped by tier.
  const tenants = tenantsOf(plan, byUrn);
  const tenantIds = new Map<string, string>();
  if (tenants.length) {
    lines.push(`    subgraph tenants[${label(`tenants (${tenants.length})`)}]`);
    const tiers = [...new Set(tenants.map((t) => t.tier))].sort();
    for (const tier of tiers) {
      const members = tenants.filter((t) => t.tier === tier);
      if (tenants.length > MAX_TENANT_BOXES) {
        const id = mermaidId("tier", tier);
        const dedicated = members.filter((t) => t.dedicatedAuthNamespace).length;
        lines.push(
          `      ${id}[${label(`${members.length} ${tier} tenants${dedicated ? `, ${dedicated} with dedicated Janua` : ""}`)}]`,
        );
        for (const t of members) tenantIds.set(t.namespace, id);
        continue;
      }
      lines.push(`      subgraph ${mermaidId("tier", tier)}[${label(tier)}]`);
      for (const t of members) {
        const id = mermaidId("tenant", t.slug);
        tenantIds.set(t.namespace, id);
        lines.push(`        ${id}[${label(t.slug)}]`);
        if (t.dedicatedAuthNamespace) {
          const authId = mermaidId("auth", t.slug);
          tenantIds.set(t.dedicatedAuthNamespace, authId);
          lines.push(`        ${authId}[${label(`Janua of ${t.slug}`)}]`);
        }
      }
      lines.push("      end");
    }
    lines.push("    end");
  }
  lines.push("  end");

  // Edges.
  lines.push("  machines --> cluster");
  const targetOf = (service: string): string | undefined => {
    const m = /^https?:\/\/([^.]+)\.([^.]+)\.svc/.exec(service);
    if (!m) return undefined;
    const [, name, namespace] = m as unknown as [string, string, string];
    const tenant = tenantIds.get(namespace);
    if (tenant) return tenant;
    const svc = plan.resources.find(
      (r) => r.type.endsWith(":Service") && meta(r).name === name && meta(r).namespace === namespace,
    );
    // A Service a chart renders at deploy time (Grafana): the component that installs a chart there.
    const chart = plan.resources.find(
      (r) => r.type.startsWith("kubernetes:helm.sh/") && (r.inputs as Obj).namespace === namespace,
    );
    const owner = svc ?? chart;
    return owner ? platformIds.get(componentOf(byUrn, owner.parent)) : undefined;
  };
  // Hostnames behind Cloudflare Access are marked.
  const protectedHosts = new Set(
    plan.resources
      .filter((r) => r.type.endsWith(":ZeroTrustAccessApplication"))
      .map((r) => String((r.inputs as Obj).domain)),
  );
  const tunnelConfig = plan.resources.find((r) => r.type.endsWith(":ZeroTrustTunnelCloudflaredConfig"));
  // A hostname's denied paths (cloudflared's own 404) lead nowhere.
  const ingresses = (
    (((tunnelConfig?.inputs as Obj | undefined)?.config as Obj | undefined)?.ingresses ?? []) as Obj[]
  ).filter((i) => typeof i.hostname === "string" && !String(i.service).startsWith("http_status:"));
  if (tunnelConfig) {
    lines.push("  users --> tunnel");
    const routes = new Map<string, string[]>();
    for (const i of ingresses) {
      // SSH and the API for CI (ssh://, tcp://) lead to the machines themselves.
      const service = String(i.service);
      const target = targetOf(service) ?? (/^(ssh|tcp):\/\//.test(service) ? "machines" : "cluster");
      const host = String(i.hostname);
      routes.set(target, [
        ...(routes.get(target) ?? []),
        protectedHosts.has(host) ? `${host} (Access)` : host,
      ]);
    }
    const shownOf = (hosts: string[]) =>
      hosts.length > 3 ? `${hosts.slice(0, 2).join(", ")} +${hosts.length - 2} more` : hosts.join(", ");
    for (const [target, hosts] of routes) lines.push(`  tunnel -->|${label(shownOf(hosts))}| ${target}`);
    // The catch-all to the router (components/edge/router.ts), and the HTTPRoutes it serves.
    const last = (
      ((tunnelConfig.inputs as Obj).config as Obj | undefined)?.ingresses as Obj[] | undefined
    )?.at(-1);
    const router =
      last && !String(last.service).startsWith("http_status:") ? targetOf(String(last.service)) : undefined;
    if (router) {
      lines.push(`  tunnel -->|${label("every other hostname")}| ${router}`);
      const claimed = new Map<string, string[]>();
      for (const r of plan.resources.filter(
        (x) => x.type === "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
      )) {
        const target = tenantIds.get(String(meta(r).namespace));
        const hosts = ((r.inputs as Obj).spec as { hostnames?: string[] } | undefined)?.hostnames ?? [];
        if (target) claimed.set(target, [...(claimed.get(target) ?? []), ...hosts]);
      }
      for (const [target, hosts] of claimed)
        lines.push(`  ${router} -->|${label(shownOf(hosts.sort()))}| ${target}`);
    }
  }
  if (has("enclii:edge:SaasHostnames") && tunnelConfig) lines.push("  saas --> tunnel");
  if (buckets.length) {
    for (const c of top.filter((r) => r.type === "enclii:data:Postgres")) {
      lines.push(`  ${platformIds.get(`${c.type} ${c.name}`)} -.->|${label("WAL + base backups")}| r2`);
    }
    for (const c of top.filter((r) => r.type === "enclii:storage:Longhorn")) {
      lines.push(`  ${platformIds.get(`${c.type} ${c.name}`)} -.->|${label("volume backups")}| r2`);
    }
    if (has("enclii:k3s:Cluster")) lines.push(`  cluster -.->|${label("etcd snapshots")}| r2`);
  }
  return `${lines.join("\n")}\n`;
}
