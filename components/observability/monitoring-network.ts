/**
 * Network policies of the monitoring namespace, beside its default deny. Pure.
 *
 * - Pods of the namespace talk to each other (Grafana -> Prometheus -> Alertmanager).
 * - Prometheus scrapes every namespace, and the kubelet (10250) and node-exporter (9100, host
 *   network) on the node addresses.
 * - Every pod may reach the API server (6443 on the node address after the `kubernetes` Service's
 *   DNAT, 443 on the Service address) for discovery and the sidecars' watches.
 * - Alertmanager reaches the SMTP relay and webhooks on the internet.
 * - The blackbox exporter reaches the public hostnames on Cloudflare's edge (443).
 * - Grafana accepts connections only from cloudflared (which serves it behind Cloudflare Access).
 * - The operator's admission webhook accepts the API server's calls.
 */
import { commonLabels } from "../shared/labels";
import { renderAllowSameNamespace } from "../shared/namespace";
import { internetIpv4, internetIpv6 } from "../shared/network";
import { MONITORING } from "./monitoring-values";
import { BLACKBOX } from "./probes";

type Obj = Record<string, unknown>;

/** Options of {@link renderMonitoringNetworkPolicies}. */
export interface MonitoringNetworkOptions {
  readonly namespace: string;
  /** cloudflared's namespace (the only client of Grafana). */
  readonly tunnelNamespace: string;
  /** The cluster's Service CIDR. */
  readonly serviceCidr: string;
  /** Port of the SMTP relay when email alerts are on. */
  readonly smtpPort?: number;
}

/** Pod labels the chart puts on each part (`app.kubernetes.io/name`). */
export const MONITORING_PODS = {
  prometheus: { "app.kubernetes.io/name": "prometheus" },
  alertmanager: { "app.kubernetes.io/name": "alertmanager" },
  grafana: { "app.kubernetes.io/name": "grafana" },
  operator: { app: "kube-prometheus-stack-operator" },
  blackbox: BLACKBOX.podLabels,
} as const;

const tcp = (...ports: number[]) => ports.map((port) => ({ protocol: "TCP", port }));

/** The allows of the monitoring namespace. */
export function renderMonitoringNetworkPolicies(o: MonitoringNetworkOptions): Obj[] {
  const policy = (name: string, spec: Obj): Obj => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: o.namespace, labels: commonLabels({ name, component: "network-policy" }) },
    spec,
  });
  const internet = [internetIpv4(), internetIpv6()];
  return [
    renderAllowSameNamespace(o.namespace) as Obj,
    policy("allow-api-server", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ ports: tcp(6443) }, { to: [{ ipBlock: { cidr: o.serviceCidr } }], ports: tcp(443) }],
    }),
    policy("prometheus-scrape", {
      podSelector: { matchLabels: MONITORING_PODS.prometheus },
      policyTypes: ["Egress"],
      egress: [
        // Pods in every namespace, on whatever port their monitor names.
        { to: [{ namespaceSelector: {} }] },
        // kubelet and node-exporter listen on the node addresses.
        { ports: tcp(10250, 9100) },
      ],
    }),
    policy("alertmanager-receivers", {
      podSelector: { matchLabels: MONITORING_PODS.alertmanager },
      policyTypes: ["Egress"],
      egress: [{ to: internet, ports: tcp(443, ...(o.smtpPort ? [o.smtpPort] : [])) }],
    }),
    policy("blackbox-probes", {
      podSelector: { matchLabels: MONITORING_PODS.blackbox },
      policyTypes: ["Egress"],
      egress: [{ to: internet, ports: tcp(443) }],
    }),
    policy("grafana-ingress", {
      podSelector: { matchLabels: MONITORING_PODS.grafana },
      policyTypes: ["Ingress"],
      ingress: [
        {
          from: [
            { namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": o.tunnelNamespace } } },
          ],
          ports: tcp(MONITORING.grafanaPort),
        },
      ],
    }),
    policy("operator-webhook", {
      podSelector: { matchLabels: MONITORING_PODS.operator },
      policyTypes: ["Ingress"],
      // The API server calls the webhook from the node address.
      ingress: [{ ports: tcp(MONITORING.operatorWebhookPort) }],
    }),
  ];
}
