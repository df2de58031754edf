/**
 * Network policies of the CloudNativePG namespace (`cnpg-system`): the operator and the
 * barman-cloud plugin, beside the default deny and DNS allow (components/k3s/namespaces.ts). Pure.
 *
 * The pods and their traffic:
 * - the operator (cloudnative-pg chart 0.29.0 templates/deployment.yaml, selector labels
 *   `app.kubernetes.io/name: cloudnative-pg` from _helpers.tpl; ports 8080 metrics and
 *   `webhook.port` 9443 in values.yaml) works through the API server, calls every instance
 *   manager's status endpoint (8000, ./data-network.ts) in the namespaces holding clusters, and
 *   calls the plugin over gRPC: it discovers the plugin by its Service's `cnpg.io/pluginName`
 *   label and dials `<service>.<namespace>.svc:<cnpg.io/pluginPort>` with mTLS (cloudnative-pg
 *   v1.30.0 internal/controller/plugin_controller.go 249). Its admission webhook (9443) is called by
 *   the API server from the node address (k3s runs it in the host network namespace), so that
 *   rule names the port and no source. Its metrics are not scraped (`monitoring.podMonitorEnabled`
 *   is false in ./cnpg-operator.ts).
 * - the barman-cloud plugin (plugin-barman-cloud chart 0.7.0 templates/deployment.yaml: selector
 *   `app.kubernetes.io/name: plugin-barman-cloud`, `--server-address=:9090`; service.yaml maps the
 *   Service port to 9090) reconciles ObjectStores through the API server and answers the
 *   operator's gRPC on 9090. The instances do not call it: their instance manager loads only the
 *   sidecar plugins on its unix sockets (cloudnative-pg v1.30.0 internal/cmd/manager/instance/run/cmd.go
 *   248 `RegisterUnixSocketPluginsInPath`), and the plugin's sidecar in each instance pod talks
 *   to the API server and R2 itself (the data namespace's postgres-egress).
 */
import { commonLabels } from "../shared/labels";
import { renderAllowApiServer } from "../shared/namespace";
import { CNPG_INSTANCE_SELECTOR, CNPG_OPERATOR_LABELS, DATA_PORTS } from "./data-network";

type Obj = Record<string, unknown>;

/** Pod labels of the operator and the plugin (their charts' selector labels). */
export const CNPG_PODS = {
  operator: CNPG_OPERATOR_LABELS,
  plugin: { "app.kubernetes.io/name": "plugin-barman-cloud" },
} as const;

/** Ports the policies open. */
export const CNPG_PORTS = {
  /** The operator's admission webhook (`webhook.port`). */
  webhook: 9443,
  /** The plugin's gRPC server (`--server-address=:9090`). */
  pluginGrpc: 9090,
  /** The instance manager's status endpoint the operator calls. */
  instanceStatus: DATA_PORTS.cnpgStatus,
} as const;

/** Options of {@link renderCnpgNetworkPolicies}. */
export interface CnpgNetworkOptions {
  /** `cnpg-system`. */
  readonly namespace: string;
  /** The cluster's Service CIDR. */
  readonly serviceCidr: string;
  /** Namespaces holding CloudNativePG clusters (the operator calls their instances). */
  readonly clusterNamespaces: readonly string[];
}

/** The allows of the CloudNativePG namespace. */
export function renderCnpgNetworkPolicies(o: CnpgNetworkOptions): Obj[] {
  if (o.clusterNamespaces.length === 0) {
    throw new Error("cnpg network: clusterNamespaces is empty; the operator has no cluster to manage");
  }
  const policy = (name: string, spec: Obj): Obj => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: o.namespace, labels: commonLabels({ name, component: "network-policy" }) },
    spec,
  });
  const tcp = (port: number) => [{ protocol: "TCP", port }];
  return [
    renderAllowApiServer(o.namespace, o.serviceCidr) as Obj,
    policy("operator-egress", {
      podSelector: { matchLabels: CNPG_PODS.operator },
      policyTypes: ["Egress"],
      egress: [
        {
          to: [...new Set(o.clusterNamespaces)].sort().map((name) => ({
            namespaceSelector: { matchLabels: { "kubernetes.io/metadata.name": name } },
            podSelector: { matchLabels: CNPG_INSTANCE_SELECTOR },
          })),
          ports: tcp(CNPG_PORTS.instanceStatus),
        },
        { to: [{ podSelector: { matchLabels: CNPG_PODS.plugin } }], ports: tcp(CNPG_PORTS.pluginGrpc) },
      ],
    }),
    policy("operator-webhook", {
      podSelector: { matchLabels: CNPG_PODS.operator },
      policyTypes: ["Ingress"],
      ingress: [{ ports: tcp(CNPG_PORTS.webhook) }],
    }),
    policy("plugin-ingress", {
      podSelector: { matchLabels: CNPG_PODS.plugin },
      policyTypes: ["Ingress"],
      ingress: [
        { from: [{ podSelector: { matchLabels: CNPG_PODS.operator } }], ports: tcp(CNPG_PORTS.pluginGrpc) },
      ],
    }),
  ];
}
