/**
 * The namespaces the platform's own services live in, with their PodSecurity level. The only
 * exemptions from `restricted` are listed here, each with its reason.
 */
import type { NamespaceSpec } from "../shared/namespace";

/** A platform namespace and whether it starts with a default-deny network policy. */
export interface PlatformNamespace extends NamespaceSpec {
  /**
   * `default-deny`: deny all plus allow DNS, the owning component adds its allows.
   * `chart`: the chart installed there ships its own policies (operators that must reach the
   * API server on the node address); the reason says why.
   */
  readonly networkPolicy: "default-deny" | "chart";
  readonly networkPolicyReason?: string;
}

/** Options that decide which optional namespaces exist. */
export interface PlatformNamespaceOptions {
  /** kube-prometheus-stack is installed. */
  readonly monitoring: boolean;
  /** system-upgrade-controller manages k3s upgrades. */
  readonly managedUpgrades: boolean;
}

/** The platform namespaces for a stack, in creation order. */
export function platformNamespaces(options: PlatformNamespaceOptions): PlatformNamespace[] {
  const namespaces: PlatformNamespace[] = [
    {
      name: "cloudflare-tunnel",
      podSecurity: "restricted",
      description: "cloudflared, the only way into the cluster",
      networkPolicy: "default-deny",
    },
    {
      name: "janua",
      podSecurity: "restricted",
      description: "shared Janua auth service",
      networkPolicy: "default-deny",
    },
    {
      name: "enclii",
      podSecurity: "restricted",
      description: "Enclii control plane (switchyard-api, switchyard-ui)",
      networkPolicy: "default-deny",
    },
    {
      name: "data",
      podSecurity: "restricted",
      description: "shared PostgreSQL (CloudNativePG) and Redis",
      networkPolicy: "default-deny",
    },
    {
      name: "cert-manager",
      podSecurity: "restricted",
      description: "cert-manager, for the CNPG barman-cloud plugin certificates",
      networkPolicy: "chart",
      networkPolicyReason:
        "cert-manager talks to the API server on the node address; its chart owns its policies",
    },
    {
      name: "cnpg-system",
      podSecurity: "restricted",
      description: "CloudNativePG operator and barman-cloud plugin",
      networkPolicy: "chart",
      networkPolicyReason:
        "the operator reaches the API server and every Postgres pod; its chart owns its policies",
    },
    {
      name: "longhorn-system",
      podSecurity: "privileged",
      exemptionReason:
        "Longhorn's manager, instance managers and CSI plugin run privileged with host paths (/dev, /var/lib/longhorn) to attach iSCSI block devices",
      description: "Longhorn distributed block storage",
      networkPolicy: "chart",
      networkPolicyReason:
        "Longhorn components use host networking for iSCSI; a pod policy cannot describe that traffic",
    },
  ];
  if (options.managedUpgrades) {
    namespaces.push({
      name: "system-upgrade",
      podSecurity: "privileged",
      exemptionReason:
        "upgrade jobs replace the k3s binary on the host and restart it: they need hostPID, host mounts and privilege",
      description: "system-upgrade-controller and k3s upgrade plans",
      networkPolicy: "chart",
      networkPolicyReason: "upgrade jobs run on the host network",
    });
  }
  if (options.monitoring) {
    namespaces.push({
      name: "monitoring",
      podSecurity: "privileged",
      exemptionReason:
        "node-exporter reads host metrics through hostNetwork, hostPID and a read-only hostPath of / (the only privileged pod in it)",
      description: "kube-prometheus-stack, Grafana, Alertmanager",
      networkPolicy: "default-deny",
    });
  }
  return namespaces;
}
