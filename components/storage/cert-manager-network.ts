/**
 * Network policies of the cert-manager namespace, beside its default deny and DNS allow
 * (components/k3s/namespaces.ts). Pure.
 *
 * What the pods are and do (cert-manager v1.20.2, deploy/charts/cert-manager/templates):
 * - controller (deployment.yaml: labels `app.kubernetes.io/name: cert-manager`,
 *   `app.kubernetes.io/component: controller`; ports 9402 metrics, 9403 healthz) watches and writes
 *   Certificates, Secrets and Issuers through the API server. The only issuers on this platform are
 *   self-signed and CA issuers (the barman-cloud plugin chart's certificate-issuer.yaml,
 *   kube-prometheus-stack's admission-webhook certManager option): no ACME, so no internet egress.
 * - webhook (webhook-deployment.yaml: `app.kubernetes.io/name: webhook`, component `webhook`;
 *   `https` on `webhook.securePort`, 10250 in values.yaml, 6080 healthcheck) is called by the API
 *   server, which k3s runs in the host network namespace: the call comes from the node address, or
 *   from the node's flannel address when the pod runs on another node, so the rule names the port
 *   and no source.
 * - cainjector (cainjector-deployment.yaml: `app.kubernetes.io/name: cainjector`, component
 *   `cainjector`) patches CA bundles through the API server.
 * - the readiness gate Job (./cert-manager-check.ts) dry-runs CertificateRequests through the API server.
 * Prometheus scrapes the controller's 9402 (components/observability/scrape-targets.ts). Kubelet
 * probes (9403, 6080) come from the pod's own node, which a NetworkPolicy cannot block.
 *
 * The chart ships its own policies (networkpolicy-*.yaml) behind `networkPolicy.enabled`,
 * `webhook.networkPolicy.enabled` and `cainjector.networkPolicy.enabled`, all false by default:
 * they open egress to 80/443 everywhere (values.yaml), more than this platform's issuers need, so
 * they stay off and these take their place.
 */
import { commonLabels } from "../shared/labels";
import { renderAllowApiServer } from "../shared/namespace";
import { prometheusPeer } from "../shared/network";

type Obj = Record<string, unknown>;

/** Pod labels the chart puts on each part. */
export const CERT_MANAGER_PODS = {
  controller: { "app.kubernetes.io/name": "cert-manager", "app.kubernetes.io/component": "controller" },
  webhook: { "app.kubernetes.io/name": "webhook", "app.kubernetes.io/component": "webhook" },
  cainjector: { "app.kubernetes.io/name": "cainjector", "app.kubernetes.io/component": "cainjector" },
} as const;

/** Ports the policies open. */
export const CERT_MANAGER_PORTS = {
  /** `webhook.securePort` (values.yaml), the webhook Service's target port. */
  webhook: 10250,
  /** The controller's `http-metrics` port. */
  metrics: 9402,
} as const;

/** Options of {@link renderCertManagerNetworkPolicies}. */
export interface CertManagerNetworkOptions {
  readonly namespace: string;
  /** The cluster's Service CIDR (the `kubernetes` Service address). */
  readonly serviceCidr: string;
  /** Where Prometheus runs; undefined when monitoring is off. */
  readonly monitoringNamespace?: string;
}

/** The allows of the cert-manager namespace. */
export function renderCertManagerNetworkPolicies(o: CertManagerNetworkOptions): Obj[] {
  const policy = (name: string, spec: Obj): Obj => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: o.namespace, labels: commonLabels({ name, component: "network-policy" }) },
    spec,
  });
  const policies: Obj[] = [
    // Controller, webhook, cainjector and the readiness gate all work through the API server.
    renderAllowApiServer(o.namespace, o.serviceCidr) as Obj,
    policy("webhook-ingress", {
      podSelector: { matchLabels: CERT_MANAGER_PODS.webhook },
      policyTypes: ["Ingress"],
      ingress: [{ ports: [{ protocol: "TCP", port: CERT_MANAGER_PORTS.webhook }] }],
    }),
  ];
  if (o.monitoringNamespace) {
    policies.push(
      policy("controller-metrics", {
        podSelector: { matchLabels: CERT_MANAGER_PODS.controller },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [prometheusPeer(o.monitoringNamespace)],
            ports: [{ protocol: "TCP", port: CERT_MANAGER_PORTS.metrics }],
          },
        ],
      }),
    );
  }
  return policies;
}
