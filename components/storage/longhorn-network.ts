/**
 * Network policies of `longhorn-system` that the Longhorn chart's own policies leave out, beside
 * the namespace's default deny and DNS allow (components/k3s/namespaces.ts). Pure.
 *
 * What the chart renders (longhorn/longhorn v1.12.1 chart/templates/network-policies/, with
 * ./longhorn-values.ts `networkPolicies`): with `restrictInternalTraffic` (on) six Ingress-only
 * policies: the manager (`app: longhorn-manager`) accepts any port from the manager, UI, CSI plugin,
 * driver deployer and recurring-job pods (manager-network-policy.yaml); instance managers, backing
 * image managers and data sources accept any port from the manager, instance managers and backing
 * image pods (instance-manager-networking.yaml, backing-image-*.yaml); the recovery backend accepts
 * 9503 from share managers (recovery-backend-network-policy.yaml); the admission webhook accepts
 * 9501/9502 from any source, because `kubeAPIServerSourceCIDRs` is empty
 * (webhook-network-policy.yaml). `enabled` + `type: k3s` add only the UI policy for k3s's Traefik,
 * and only with `ingress.enabled` (ui-frontend-network-policy.yaml), which is off here.
 *
 * What they leave out, and so what this file adds (the default deny would cut it otherwise):
 * - no egress at all: every component reaches the API server, and the components reach each other
 *   across nodes (engine to replica data ports, manager to instance-manager gRPC 8500-8504, CSI
 *   plugin and UI to the manager's 9500);
 * - the backup target: the manager (backup target polling, upgrade checker) and the instance
 *   managers (replica processes write the backup blocks) reach R2 on 443;
 * - Prometheus: the manager policy admits only Longhorn pods, so the `longhorn` monitor's scrape of
 *   9500 (components/observability/scrape-targets.ts) needs its own allow.
 * Every Longhorn pod is on the pod network (no `HostNetwork` anywhere in longhorn/longhorn-manager
 * v1.12.1); the iSCSI initiator runs in the host's namespaces and connects to the instance manager
 * on its own node, traffic a NetworkPolicy cannot block (Kubernetes docs, "Network Policies": pods
 * cannot block access from their resident node). The same holds for kubelet probes.
 * Not opened: NFS (2049) to share managers, which only ReadWriteMany volumes use and none exist.
 */
import { commonLabels } from "../shared/labels";
import { renderAllowApiServer } from "../shared/namespace";
import { internetIpv4, internetIpv6, prometheusPeer } from "../shared/network";

type Obj = Record<string, unknown>;

/** Pod labels of the Longhorn parts the policies name (chart templates and longhorn-manager). */
export const LONGHORN_PODS = {
  /** chart/templates/daemonset-sa.yaml. */
  manager: { app: "longhorn-manager" },
  /** Set by longhorn-manager on the instance-manager pods it creates. */
  instanceManager: { "longhorn.io/component": "instance-manager" },
} as const;

/** Ports the policies open. */
export const LONGHORN_PORTS = {
  /** The manager's API and `/metrics` (`manager` port of longhorn-backend). */
  manager: 9500,
} as const;

/** Options of {@link renderLonghornNetworkPolicies}. */
export interface LonghornNetworkOptions {
  /** `longhorn-system`. */
  readonly namespace: string;
  /** The cluster's Service CIDR. */
  readonly serviceCidr: string;
  /** Where Prometheus runs; undefined when monitoring is off. */
  readonly monitoringNamespace?: string;
}

/** The allows of `longhorn-system` beside the chart's own policies. */
export function renderLonghornNetworkPolicies(o: LonghornNetworkOptions): Obj[] {
  const policy = (name: string, spec: Obj): Obj => ({
    apiVersion: "networking.k8s.io/v1",
    kind: "NetworkPolicy",
    metadata: { name, namespace: o.namespace, labels: commonLabels({ name, component: "network-policy" }) },
    spec,
  });
  const backupTarget = (name: string, labels: Record<string, string>): Obj =>
    policy(name, {
      podSelector: { matchLabels: labels },
      policyTypes: ["Egress"],
      egress: [{ to: [internetIpv4(), internetIpv6()], ports: [{ protocol: "TCP", port: 443 }] }],
    });
  const policies: Obj[] = [
    renderAllowApiServer(o.namespace, o.serviceCidr) as Obj,
    // Egress only: which Longhorn pod may accept what stays the chart's restrictInternalTraffic policies.
    policy("longhorn-internal-egress", {
      podSelector: {},
      policyTypes: ["Egress"],
      egress: [{ to: [{ podSelector: {} }] }],
    }),
    backupTarget("manager-backup-target", LONGHORN_PODS.manager),
    backupTarget("instance-manager-backup-target", LONGHORN_PODS.instanceManager),
  ];
  if (o.monitoringNamespace) {
    policies.push(
      policy("manager-metrics", {
        podSelector: { matchLabels: LONGHORN_PODS.manager },
        policyTypes: ["Ingress"],
        ingress: [
          {
            from: [prometheusPeer(o.monitoringNamespace)],
            ports: [{ protocol: "TCP", port: LONGHORN_PORTS.manager }],
          },
        ],
      }),
    );
  }
  return policies;
}
