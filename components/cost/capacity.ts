/**
 * The capacity model: what the nodes offer, what the platform itself requests, and how many
 * tenants of each tier still fit. Pure. The platform's requests come from rendering the same
 * manifests the components deploy (so they cannot drift), plus a dated estimate for the charts
 * whose manifests are not rendered here (Longhorn, operators, monitoring).
 */
import { januaSizingOptions, renderJanuaManifests } from "../auth/janua-manifests";
import { controlPlaneSizingOptions, renderControlPlane } from "../control-plane/manifests";
import { renderRedisManifests } from "../data/redis-manifests";
import { renderDeployment as renderCloudflared } from "../edge/cloudflared-manifests";
import { renderControllerWorkload } from "../k3s/upgrade-plans";
import { MONITORING_RESOURCES } from "../observability/monitoring-values";
import { TIERS, type TierName } from "../tenancy/tiers";
import { CLOUD_OFFERS, DEDICATED_OFFERS } from "./prices";

type Obj = Record<string, unknown>;

/** CPU in cores and memory in GiB. */
export interface Amount {
  readonly cpu: number;
  readonly memoryGiB: number;
}

/** The inputs of the model (a slice of the stack config). */
export interface CapacityInput {
  readonly nodes: readonly (
    | { name: string; kind: "dedicated"; product: string }
    | { name: string; kind: "cloud"; serverType: string }
    | { name: string; kind: "existing" }
  )[];
  readonly tenants: readonly { slug: string; tier: TierName; auth: "shared" | "dedicated" }[];
  readonly capacity: {
    readonly overcommit: number;
    readonly systemReservedCpu: number;
    readonly systemReservedMemoryGiB: number;
  };
  readonly janua: { readonly replicas: number };
  readonly controlPlane: { readonly apiReplicas: number; readonly uiReplicas: number };
  readonly cloudflare: { readonly tunnelReplicas: number };
  readonly postgres: {
    readonly instances: number;
    readonly resources: { requests: { cpu: string; memory: string } };
  };
  readonly redis: {
    readonly mode: "standalone" | "sentinel";
    readonly storageSize: string;
    readonly resources: {
      requests: { cpu: string; memory: string };
      limits: { cpu: string; memory: string };
    };
  };
  readonly monitoring: { readonly enabled: boolean };
}

/** Kubernetes CPU quantity in cores. */
export function cpuCores(q: string): number {
  return q.endsWith("m") ? Number(q.slice(0, -1)) / 1000 : Number(q);
}

/** Kubernetes memory quantity in GiB. */
export function memoryGiB(q: string): number {
  const m = /^(\d+(?:\.\d+)?)(Ki|Mi|Gi|Ti)?$/.exec(q);
  if (!m) return 0;
  const f = { Ki: 1 / 1024 ** 2, Mi: 1 / 1024, Gi: 1, Ti: 1024 }[(m[2] ?? "Gi") as "Ki" | "Mi" | "Gi" | "Ti"];
  return Number(m[1]) * f;
}

/** Sum of container requests × replicas of rendered Deployments and StatefulSets. */
export function requestsOf(objects: readonly Obj[]): Amount {
  let cpu = 0;
  let memory = 0;
  for (const o of objects) {
    if (o.kind !== "Deployment" && o.kind !== "StatefulSet") continue;
    const spec = o.spec as {
      replicas?: number;
      template: { spec: { containers: { resources?: { requests?: { cpu?: string; memory?: string } } }[] } };
    };
    const replicas = spec.replicas ?? 1;
    for (const c of spec.template.spec.containers) {
      cpu += replicas * cpuCores(c.resources?.requests?.cpu ?? "0");
      memory += replicas * memoryGiB(c.resources?.requests?.memory ?? "0");
    }
  }
  return { cpu, memoryGiB: memory };
}

/**
 * Requests of the charts whose manifests are rendered by Helm at deploy time, per their default
 * values (checked 2026-11): Longhorn's manager, instance manager and CSI per storage node; the
 * CNPG operator and barman-cloud plugin; cert-manager's three pods. Monitoring is computed from
 * the values the Monitoring component sets ({@link monitoringRequests}).
 */
export const CHART_REQUESTS = {
  longhornPerNode: { cpu: 0.35, memoryGiB: 0.75 },
  operators: { cpu: 0.15, memoryGiB: 0.5 },
} as const;

/** What kube-prometheus-stack requests with the values the Monitoring component sets. */
export function monitoringRequests(nodes: number): Amount {
  const r = MONITORING_RESOURCES;
  // Grafana runs two sidecars (dashboards, datasources); node-exporter runs on every node.
  const parts = [
    r.prometheus,
    r.alertmanager,
    r.operator,
    r.grafana,
    r.grafanaSidecar,
    r.grafanaSidecar,
    r.kubeStateMetrics,
    r.blackbox,
    ...Array<typeof r.nodeExporter>(nodes).fill(r.nodeExporter),
  ];
  return parts.reduce<Amount>(
    (a, p) => ({
      cpu: a.cpu + cpuCores(p.requests.cpu),
      memoryGiB: a.memoryGiB + memoryGiB(p.requests.memory),
    }),
    { cpu: 0, memoryGiB: 0 },
  );
}

const add = (a: Amount, b: Amount, times = 1): Amount => ({
  cpu: a.cpu + b.cpu * times,
  memoryGiB: a.memoryGiB + b.memoryGiB * times,
});

/** What the platform requests, itemized. */
export function platformRequests(input: CapacityInput): { item: string; amount: Amount }[] {
  const janua = (replicas: number) =>
    requestsOf(renderJanuaManifests(januaSizingOptions({ replicas, clientNamespaces: [] })));
  const postgres: Amount = {
    cpu: input.postgres.instances * cpuCores(input.postgres.resources.requests.cpu),
    memoryGiB: input.postgres.instances * memoryGiB(input.postgres.resources.requests.memory),
  };
  const dedicated = input.tenants.filter((t) => t.auth === "dedicated").length;
  // A dedicated Janua: its replicas, a one-instance Postgres (100m/256Mi) and a small Redis (50m/64Mi).
  const dedicatedEach = add(add(janua(input.janua.replicas), { cpu: 0.1, memoryGiB: 0.25 }), {
    cpu: 0.05,
    memoryGiB: 1 / 16,
  });
  const storageNodes = Math.max(1, input.nodes.length);
  const items: { item: string; amount: Amount }[] = [
    {
      item: "cloudflared",
      amount: requestsOf([
        renderCloudflared({ namespace: "x", replicas: input.cloudflare.tunnelReplicas, routes: [] }),
      ]),
    },
    { item: "janua (shared)", amount: janua(input.janua.replicas) },
    {
      item: "control plane",
      amount: requestsOf(
        renderControlPlane(
          controlPlaneSizingOptions({
            apiReplicas: input.controlPlane.apiReplicas,
            uiReplicas: input.controlPlane.uiReplicas,
          }),
        ),
      ),
    },
    { item: "postgres", amount: postgres },
    {
      item: `redis (${input.redis.mode})`,
      amount: requestsOf(
        renderRedisManifests({
          namespace: "data",
          mode: input.redis.mode,
          storageSize: input.redis.storageSize,
          resources: input.redis.resources,
          exporter: input.monitoring.enabled,
        }),
      ),
    },
    { item: "upgrade controller", amount: requestsOf(renderControllerWorkload()) },
    {
      item: "longhorn (estimate)",
      amount: {
        cpu: CHART_REQUESTS.longhornPerNode.cpu * storageNodes,
        memoryGiB: CHART_REQUESTS.longhornPerNode.memoryGiB * storageNodes,
      },
    },
    { item: "operators (estimate)", amount: CHART_REQUESTS.operators },
  ];
  if (input.monitoring.enabled)
    items.push({ item: "monitoring", amount: monitoringRequests(Math.max(1, input.nodes.length)) });
  if (dedicated > 0)
    items.push({
      item: `dedicated janua x${dedicated}`,
      amount: { cpu: dedicatedEach.cpu * dedicated, memoryGiB: dedicatedEach.memoryGiB * dedicated },
    });
  return items;
}

/** The capacity report. */
export interface CapacityReport {
  readonly allocatable: Amount;
  readonly platform: Amount;
  readonly tenants: Amount;
  /** Allocatable × overcommit minus platform and tenants. */
  readonly free: Amount;
  readonly overcommit: number;
  readonly fits: boolean;
  /** Tenants of each tier that still fit in `free`. */
  readonly stillFit: Record<TierName, number>;
  readonly items: { item: string; amount: Amount }[];
  readonly nodes: { name: string; cpu: number; memoryGiB: number }[];
  /** Nodes whose size is unknown (no entry in the price table): the report cannot judge them. */
  readonly unknownNodes: string[];
}

/** The model. Unknown node types count as zero (the cost estimate warns about them). */
export function capacityReport(input: CapacityInput): CapacityReport {
  const nodes = input.nodes.map((n) => {
    const offer =
      n.kind === "dedicated"
        ? DEDICATED_OFFERS[n.product]
        : n.kind === "cloud"
          ? CLOUD_OFFERS[n.serverType]
          : undefined;
    return {
      name: n.name,
      cpu: Math.max(0, (offer?.cpuCores ?? 0) - input.capacity.systemReservedCpu),
      memoryGiB: Math.max(0, (offer?.memoryGiB ?? 0) - input.capacity.systemReservedMemoryGiB),
    };
  });
  const unknownNodes = input.nodes
    .filter((n) =>
      n.kind === "dedicated"
        ? !DEDICATED_OFFERS[n.product]
        : n.kind === "cloud"
          ? !CLOUD_OFFERS[n.serverType]
          : true,
    )
    .map((n) => n.name);
  const allocatable = nodes.reduce<Amount>((a, n) => add(a, { cpu: n.cpu, memoryGiB: n.memoryGiB }), {
    cpu: 0,
    memoryGiB: 0,
  });
  const items = platformRequests(input);
  const platform = items.reduce<Amount>((a, i) => add(a, i.amount), { cpu: 0, memoryGiB: 0 });
  const tenants = input.tenants.reduce<Amount>(
    (a, t) => add(a, { cpu: TIERS[t.tier].requests.cpu, memoryGiB: TIERS[t.tier].requests.memoryGiB }),
    {
      cpu: 0,
      memoryGiB: 0,
    },
  );
  const o = input.capacity.overcommit;
  const free = {
    cpu: allocatable.cpu * o - platform.cpu - tenants.cpu,
    memoryGiB: allocatable.memoryGiB * o - platform.memoryGiB - tenants.memoryGiB,
  };
  const stillFit = Object.fromEntries(
    (Object.keys(TIERS) as TierName[]).map((tier) => [
      tier,
      Math.max(
        0,
        Math.floor(
          Math.min(free.cpu / TIERS[tier].requests.cpu, free.memoryGiB / TIERS[tier].requests.memoryGiB),
        ),
      ),
    ]),
  ) as Record<TierName, number>;
  const fits = free.cpu >= 0 && free.memoryGiB >= 0;
  return { allocatable, platform, tenants, free, overcommit: o, fits, stillFit, items, nodes, unknownNodes };
}
