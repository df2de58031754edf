/**
 * What Prometheus scrapes besides the chart's own targets (kubelet, node-exporter,
 * kube-state-metrics): one ServiceMonitor or PodMonitor per platform service, each in the
 * namespace of what it scrapes (a monitor may only read Secrets of its own namespace, which the
 * Janua metrics token needs). Pure.
 */
import { JANUA } from "../auth/janua-manifests";
import { CONTROL_PLANE } from "../control-plane/manifests";
import { CNPG_INSTANCE_SELECTOR } from "../data/data-network";
import { REDIS } from "../data/redis-manifests";
import { CLOUDFLARED } from "../edge/cloudflared-manifests";
import { commonLabels, selectorLabels } from "../shared/labels";

type Obj = Record<string, unknown>;

/** Where the platform's services run. */
export interface ScrapeTargetOptions {
  /** cloudflared's namespace. */
  readonly tunnelNamespace: string;
  /** Namespaces running a Janua (the shared one and each dedicated one). */
  readonly januaNamespaces: readonly string[];
  /** The control plane's namespace. */
  readonly controlPlaneNamespace: string;
  /** Namespaces holding CloudNativePG clusters and Redis with its exporter. */
  readonly dataNamespaces: readonly string[];
  readonly longhornNamespace: string;
  readonly certManagerNamespace: string;
  /** @default "30s" */
  readonly interval?: string;
}

/** One scrape target, for tests and the runbook: what is scraped where. */
export interface ScrapeTarget {
  readonly job: string;
  readonly kind: "ServiceMonitor" | "PodMonitor";
  readonly namespace: string;
  readonly selector: Record<string, string>;
  readonly port: string;
  readonly path: string;
  /** Secret key holding a bearer token, in the target's namespace. */
  readonly bearerToken?: { readonly name: string; readonly key: string };
}

/** The scrape targets. */
export function scrapeTargets(o: ScrapeTargetOptions): ScrapeTarget[] {
  const targets: ScrapeTarget[] = [
    {
      job: "cloudflared",
      kind: "PodMonitor",
      namespace: o.tunnelNamespace,
      selector: selectorLabels({ name: CLOUDFLARED.name }),
      port: "metrics",
      path: "/metrics",
    },
    ...o.januaNamespaces.map(
      (namespace): ScrapeTarget => ({
        job: "janua",
        kind: "ServiceMonitor",
        namespace,
        selector: selectorLabels({ name: JANUA.name }),
        port: "http",
        path: "/metrics",
        bearerToken: { name: JANUA.secret, key: "METRICS_TOKEN" },
      }),
    ),
    {
      job: "switchyard-api",
      kind: "ServiceMonitor",
      namespace: o.controlPlaneNamespace,
      selector: selectorLabels({ name: CONTROL_PLANE.api.name }),
      port: "http",
      path: "/metrics",
    },
    ...o.dataNamespaces.flatMap((namespace): ScrapeTarget[] => [
      {
        job: "cnpg",
        kind: "PodMonitor",
        namespace,
        selector: CNPG_INSTANCE_SELECTOR,
        port: "metrics",
        path: "/metrics",
      },
      {
        job: "redis",
        kind: "PodMonitor",
        namespace,
        selector: selectorLabels({ name: REDIS.name }),
        port: "metrics",
        path: "/metrics",
      },
    ]),
    {
      job: "longhorn",
      kind: "ServiceMonitor",
      namespace: o.longhornNamespace,
      // The longhorn-backend Service in front of every longhorn-manager (Longhorn's documented monitor).
      selector: { app: "longhorn-manager" },
      port: "manager",
      path: "/metrics",
    },
    {
      job: "cert-manager",
      kind: "ServiceMonitor",
      namespace: o.certManagerNamespace,
      selector: {
        "app.kubernetes.io/name": "cert-manager",
        "app.kubernetes.io/component": "controller",
      },
      port: "tcp-prometheus-servicemonitor",
      path: "/metrics",
    },
  ];
  return targets;
}

/** The monitors as manifests. */
export function renderScrapeTargets(o: ScrapeTargetOptions): Obj[] {
  const interval = o.interval ?? "30s";
  return scrapeTargets(o).map((t) => {
    const endpoint: Obj = {
      port: t.port,
      path: t.path,
      interval,
      scrapeTimeout: "10s",
      // Every series says which platform job it came from, whatever the chart's defaults.
      relabelings: [{ targetLabel: "job", replacement: t.job, action: "replace" }],
    };
    if (t.bearerToken) {
      endpoint.authorization = { type: "Bearer", credentials: t.bearerToken };
    }
    return {
      apiVersion: "monitoring.coreos.com/v1",
      kind: t.kind,
      metadata: {
        name: t.job,
        namespace: t.namespace,
        labels: commonLabels({ name: t.job, component: "monitoring" }),
      },
      spec: {
        selector: { matchLabels: t.selector },
        namespaceSelector: { matchNames: [t.namespace] },
        [t.kind === "PodMonitor" ? "podMetricsEndpoints" : "endpoints"]: [endpoint],
      },
    };
  });
}
