/**
 * Network policies of a namespace that holds CloudNativePG clusters and Redis, beside its
 * default deny. Pure. Without them the default deny would cut PostgreSQL and Redis off from their
 * clients, the operator from the instances' status port, the instances from the API server and
 * from R2 (WAL archiving), and Prometheus from the exporters.
 */
import { commonLabels } from "../shared/labels";
import { renderAllowSameNamespace } from "../shared/namespace";
import { internetIpv4 } from "../shared/network";
import { REDIS } from "./redis-manifests";

type Obj = Record<string, unknown>;

/** Ports the policies open. */
export const DATA_PORTS = {
  postgres: 5432,
  /** CloudNativePG instance manager status endpoint, called by the operator. */
  cnpgStatus: 8000,
  /** CloudNativePG instance metrics (including the barman-cloud plugin's). */
  cnpgMetrics: 9187,
  /** The Kubernetes API on the node address (after the `kubernetes` Service's DNAT). */
  apiServer: 6443,
} as const;

/** Options of {@link renderDataNetworkPolicies}. */
export interface DataNetworkOptions {
  readonly namespace: string;
  /** Namespaces whose pods use PostgreSQL and Redis here (pods of this namespace always may). */
  readonly clientNamespaces: readonly string[];
  /** The cluster's Service CIDR (the `kubernetes` Service address lives in it). */
  readonly serviceCidr: string;
  /** Where the CloudNativePG operator runs. @default "cnpg-system" */
  readonly operatorNamespace?: string;
  /** Where Prometheus runs; undefined when monitoring is off. */
  readonly monitoringNamespace?: string;
}

const nsSelector = (name: string) => ({
  namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
});
const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));

/**
 * Labels of the CloudNativePG operator pods: the cloudnative-pg chart's selector labels (chart
 * 0.29.0 templates/_helpers.tpl `cloudnative-pg.selectorLabels`, name = the chart name).
 */
export const CNPG_OPERATOR_LABELS: Readonly<Record<string, string>> = {
  "app.kubernetes.io/name": "cloudnative-pg",
};

/** Labels CloudNativePG puts on every instance pod. */
export const CNPG_INSTANCE_SELECTOR = { "cnpg.io/podRole": "instance" };
/** Every pod of a CloudNativePG cluster: instances and its jobs (initdb, join, full recovery). */
export const CNPG_CLUSTER_PODS = { matchExpressions: [{ key: "cnpg.io/cluster", operator: "Exists" }] };
/** Labels of the Redis data and Sentinel pods. */
export const REDIS_POD_SELECTOR = { "app.kubernetes.io/component": "cache" };

/** The allows of a data namespace. */
export function renderDataNetworkPolicies(o: DataNetworkOptions): Obj[] {
  const meta = (name: string) => ({
    name,
    namespace: o.namespace,
    labels: commonLabels({ name, component: "network-policy" }),
  });
  const clients = o.clientNamespaces.filter((n) => n !== o.namespace).map(nsSelector);
  const monitoring = o.monitoringNamespace ? [nsSelector(o.monitoringNamespace)] : [];
  const policy = (name: string, spec: Obj): Obj => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: meta(name),
    spec,
  });
  const postgresIngress: Obj[] = [
    { from: [{ podSelector: {} }, ...clients], ports: tcp(DATA_PORTS.postgres) },
    {
      // The operator only, not every pod of its namespace (the barman-cloud plugin never calls it).
      from: [
        {
          ...nsSelector(o.operatorNamespace ?? "cnpg-system"),
          podSelector: { matchLabels: CNPG_OPERATOR_LABELS },
        },
      ],
      ports: tcp(DATA_PORTS.cnpgStatus),
    },
  ];
  const redisIngress: Obj[] = [
    { from: [{ podSelector: {} }, ...clients], ports: tcp(REDIS.port, REDIS.sentinelPort) },
  ];
  if (monitoring.length > 0) {
    postgresIngress.push({ from: monitoring, ports: tcp(DATA_PORTS.cnpgMetrics) });
    redisIngress.push({ from: monitoring, ports: tcp(REDIS.metricsPort) });
  }
  return [
    // Streaming replication, Redis replication and Sentinel, recovery from a sibling.
    renderAllowSameNamespace(o.namespace) as Obj,
    policy("postgres-ingress", {
      podSelector: { matchLabels: CNPG_INSTANCE_SELECTOR },
      policyTypes: ["Ingress"],
      ingress: postgresIngress,
    }),
    policy("redis-ingress", {
      podSelector: { matchLabels: REDIS_POD_SELECTOR },
      policyTypes: ["Ingress"],
      ingress: redisIngress,
    }),
    policy("postgres-egress", {
      // The bootstrap jobs run the instance manager too (initdb, join, recovery from R2).
      podSelector: CNPG_CLUSTER_PODS,
      policyTypes: ["Egress"],
      egress: [
        // The instance manager watches its Cluster through the API server.
        { ports: tcp(DATA_PORTS.apiServer) },
        // The `kubernetes` Service address before DNAT, and R2 for WAL and base backups.
        { to: [{ ipBlock: { cidr: o.serviceCidr } }, internetIpv4()], ports: tcp(443) },
      ],
    }),
  ];
}
